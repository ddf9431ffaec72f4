"""Provision models into the models directory: idempotent, atomic, sha256-verified."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings, get_settings
from .errors import IntegrityError, ModelMissingError, ProvisionError, SourceUnavailable
from .registry import ModelSpec, model_specs
from .sources import FetchContext

PROVENANCE = ".provenance.json"


@dataclass
class ProvisionResult:
    name: str
    path: Path
    source: str  # "cached" when it was already there
    seconds: float


def is_ready(spec: ModelSpec, folder: Path) -> bool:
    return folder.is_dir() and all((folder / f).exists() for f in spec.required)


def provision(spec: ModelSpec, models_dir: Path, ctx: FetchContext | None = None, force: bool = False) -> ProvisionResult:
    ctx = ctx or FetchContext()
    target = models_dir / spec.name
    t0 = time.perf_counter()
    if is_ready(spec, target) and not force:
        return ProvisionResult(spec.name, target, "cached", 0.0)
    models_dir.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for source in spec.sources:
        work = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=models_dir))
        try:
            info = source.provide(work, ctx)
            if not is_ready(spec, work):
                raise SourceUnavailable(f"{source.label} 提供的文件不完整")
            info["fetched_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            (work / PROVENANCE).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
            if target.exists():
                shutil.rmtree(target)
            work.rename(target)  # atomic within one filesystem: a half-built model is never visible
            return ProvisionResult(spec.name, target, source.label, time.perf_counter() - t0)
        except (SourceUnavailable, IntegrityError) as exc:
            failures.append(f"  - {source.label}: {exc}")
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno == 28:
                raise ProvisionError(f"磁盘空间不足，无法写入 {models_dir}") from exc
            failures.append(f"  - {source.label}: {exc.__class__.__name__}: {exc}")
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
    raise ProvisionError(f"无法获取模型 {spec.name}，所有来源均失败：\n" + "\n".join(failures))


def model_path(name: str, settings: Settings | None = None) -> Path:
    """Folder of a provisioned model; raises ModelMissingError if it is not there."""
    settings = settings or get_settings()
    spec = model_specs(settings)[name]
    folder = settings.resolved_models_dir / name
    if not is_ready(spec, folder):
        raise ModelMissingError(name, str(folder))
    return folder
