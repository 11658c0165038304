"""`models fetch` against a real local HTTP server (Range support), and `models list`."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asr.models import FetchError, fetch_model_blocking, list_models
from hotline import cli


def fake_model_zip(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr(f"{name}/am/final.mdl", b"\0" * 2048)
        zipped.writestr(f"{name}/conf/model.conf", "--min-active=200\n")
        zipped.writestr(f"{name}/conf/mfcc.conf", "--sample-frequency=16000\n")
        zipped.writestr(f"{name}/README", "fake model for tests\n")
    return buffer.getvalue()


class Mirror:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.cut_after: int | None = None  # simulate a dropped connection


@pytest.fixture
def mirror() -> Iterator[tuple[Mirror, str]]:
    state = Mirror()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = state.files.get(self.path.rsplit("/", 1)[-1])
            range_header = self.headers.get("Range")
            state.requests.append((self.path, range_header))
            if body is None:
                self.send_error(404)
                return
            start = int(range_header.split("=")[1].rstrip("-")) if range_header else 0
            if start >= len(body):
                self.send_response(416)
                self.end_headers()
                return
            chunk = body[start:]
            self.send_response(206 if range_header else 200)
            self.send_header("Content-Length", str(len(chunk)))
            self.end_headers()
            if state.cut_after is not None:
                chunk = chunk[: state.cut_after]
            self.wfile.write(chunk)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/models/"
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_verifies_and_unpacks(mirror: tuple[Mirror, str], tmp_path: Path) -> None:
    state, url = mirror
    body = fake_model_zip("vosk-model-fake-0.1")
    state.files["vosk-model-fake-0.1.zip"] = body
    path = fetch_model_blocking(
        "vosk-model-fake-0.1",
        tmp_path,
        base_url=url,
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
    )
    assert path == tmp_path / "vosk-model-fake-0.1"
    assert (path / "am" / "final.mdl").stat().st_size == 2048
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vosk-model-fake-0.1"]  # no .part left
    assert [e.name for e in list_models(tmp_path) if e.usable] == ["vosk-model-fake-0.1"]


def test_checksum_mismatch_is_refused_and_nothing_unpacked(
    mirror: tuple[Mirror, str], tmp_path: Path
) -> None:
    state, url = mirror
    state.files["vosk-model-fake-0.1.zip"] = fake_model_zip("vosk-model-fake-0.1")
    with pytest.raises(FetchError, match=r"does not match .*refused"):
        fetch_model_blocking("vosk-model-fake-0.1", tmp_path, base_url=url, sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_wrong_size_is_refused(mirror: tuple[Mirror, str], tmp_path: Path) -> None:
    state, url = mirror
    body = fake_model_zip("vosk-model-fake-0.1")
    state.files["vosk-model-fake-0.1.zip"] = body
    with pytest.raises(FetchError, match=f"is {len(body)} bytes, expected {len(body) - 1}"):
        fetch_model_blocking(
            "vosk-model-fake-0.1",
            tmp_path,
            base_url=url,
            sha256=hashlib.sha256(body).hexdigest(),
            size=len(body) - 1,
        )
    assert not (tmp_path / "vosk-model-fake-0.1").exists()


def test_interrupted_download_resumes_with_range(
    mirror: tuple[Mirror, str], tmp_path: Path
) -> None:
    state, url = mirror
    body = fake_model_zip("vosk-model-fake-0.1")
    state.files["vosk-model-fake-0.1.zip"] = body
    digest = hashlib.sha256(body).hexdigest()
    state.cut_after = 1000  # the connection drops after 1,000 bytes
    with pytest.raises(FetchError, match=r"bytes kept for resume|run fetch again to resume"):
        fetch_model_blocking(
            "vosk-model-fake-0.1", tmp_path, base_url=url, sha256=digest, size=len(body)
        )
    assert (tmp_path / "vosk-model-fake-0.1.zip.part").stat().st_size == 1000
    state.cut_after = None
    path = fetch_model_blocking(
        "vosk-model-fake-0.1", tmp_path, base_url=url, sha256=digest, size=len(body)
    )
    assert (path / "conf" / "model.conf").is_file()
    assert state.requests[-1][1] == "bytes=1000-"


def test_archive_without_a_model_or_with_unsafe_paths_is_refused(
    mirror: tuple[Mirror, str], tmp_path: Path
) -> None:
    state, url = mirror
    for name, members in (
        ("vosk-model-empty", {"x/readme": "hi"}),
        ("vosk-model-evil", {"../../evil": "x"}),
    ):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zipped:
            for member, text in members.items():
                zipped.writestr(member, text)
        state.files[f"{name}.zip"] = buffer.getvalue()
        with pytest.raises(FetchError, match=r"does not contain a Vosk model|unsafe path"):
            fetch_model_blocking(
                name, tmp_path, base_url=url, sha256=hashlib.sha256(buffer.getvalue()).hexdigest()
            )
    assert not (tmp_path.parent / "evil").exists()


def test_unknown_model_without_checksum_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"no checksum known for vosk-model-cn-0\.22"):
        fetch_model_blocking("vosk-model-cn-0.22", tmp_path)


@pytest.fixture
def runner() -> CliRunner:
    cli._register_all()
    return CliRunner()


def test_cli_fetch_unreachable_network_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        cli.app,
        ["models", "fetch", "--base-url", "http://127.0.0.1:9/", "--models-dir", str(tmp_path)],
    )
    assert result.exit_code == 1
    assert (
        "error: cannot download http://127.0.0.1:9/vosk-model-small-cn-0.22.zip: ConnectError"
        in (result.output)
    )


def test_cli_fetch_and_list(runner: CliRunner, mirror: tuple[Mirror, str], tmp_path: Path) -> None:
    state, url = mirror
    body = fake_model_zip("vosk-model-fake-0.1")
    state.files["vosk-model-fake-0.1.zip"] = body
    fetched = runner.invoke(
        cli.app,
        [
            "models",
            "fetch",
            "--name",
            "vosk-model-fake-0.1",
            "--base-url",
            url,
            "--sha256",
            hashlib.sha256(body).hexdigest(),
            "--models-dir",
            str(tmp_path),
        ],
    )
    assert fetched.exit_code == 0, fetched.output
    assert f"model ready: {tmp_path / 'vosk-model-fake-0.1'}" in fetched.output
    listed = runner.invoke(cli.app, ["models", "list", "--models-dir", str(tmp_path)])
    assert "* vosk-model-fake-0.1\tready" in listed.output
    assert "- vosk-model-small-cn-0.22\tnot present" in listed.output


def test_cli_transcribe_without_model_says_how_to_get_one(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_ASR__MODELS_DIR", str(tmp_path))
    result = runner.invoke(cli.app, ["transcribe", "x.wav"])
    assert result.exit_code == 2
    assert "no Vosk model under" in result.output
    assert "python -m hotline models fetch" in result.output
