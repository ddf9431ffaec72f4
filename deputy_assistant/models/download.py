"""HTTP download with progress, size limits and sha256 verification.

Kept separate from the sources so it can be tested against a local HTTP server.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
from pathlib import Path

import httpx
from tqdm import tqdm

from .errors import IntegrityError, ProvisionError, SourceUnavailable

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def verify_sha256(path: Path, expected: str | None) -> str:
    """Return the file's sha256, raising IntegrityError if it differs from ``expected``."""
    actual = sha256_file(path)
    if expected and actual != expected.lower():
        raise IntegrityError(f"校验失败：{path.name} 的 sha256 为 {actual}，应为 {expected}")
    return actual


def download(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    timeout_s: float = 20.0,
    client: httpx.Client | None = None,
    progress: bool = True,
) -> Path:
    """Stream ``url`` to ``dest`` (via a .part file), then verify its sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    own = client is None
    client = client or httpx.Client(timeout=timeout_s, follow_redirects=True, trust_env=True)
    try:
        with client.stream("GET", url) as resp:
            if resp.status_code == 404:
                raise SourceUnavailable(f"{url} 不存在（HTTP 404）")
            if resp.status_code >= 400:
                raise SourceUnavailable(f"下载 {url} 失败：HTTP {resp.status_code}")
            total = int(resp.headers.get("content-length") or 0) or None
            _check_free_space(dest.parent, total)
            with open(part, "wb") as f, tqdm(
                total=total, unit="B", unit_scale=True, desc=dest.name, disable=not progress, leave=False
            ) as bar:
                for block in resp.iter_bytes(CHUNK):
                    f.write(block)
                    bar.update(len(block))
    except httpx.HTTPError as exc:  # DNS failure, refused connection, timeout, reset
        part.unlink(missing_ok=True)
        raise SourceUnavailable(f"无法连接 {url}：{exc.__class__.__name__} {exc}") from exc
    except OSError as exc:
        part.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise ProvisionError(f"磁盘空间不足，无法写入 {dest.parent}") from exc
        raise
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        if own:
            client.close()
    try:
        verify_sha256(part, sha256)
    except IntegrityError:
        part.unlink(missing_ok=True)
        raise
    part.replace(dest)
    return dest


def _check_free_space(folder: Path, needed: int | None) -> None:
    if not needed:
        return
    free = shutil.disk_usage(folder).free
    # Archives are unpacked next to the download: ask for twice the size.
    if free < 2 * needed:
        raise ProvisionError(
            f"磁盘空间不足：{folder} 剩余 {free // (1 << 20)} MB，需要约 {2 * needed // (1 << 20)} MB"
        )
