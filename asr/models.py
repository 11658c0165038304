"""Fetching and listing Vosk models under ``models/``.

Downloads resume (HTTP Range on a ``.part`` file), are verified against the known size and
SHA-256 before anything is unpacked, and unpack only inside ``models/`` (no path traversal).
A model with no known checksum is refused unless the operator passes one.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from asr.vosk_adapter import is_model_dir

BASE_URL = "https://alphacephei.com/vosk/models/"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    size: int | None
    sha256: str | None
    note: str = ""


KNOWN_MODELS: dict[str, ModelSpec] = {
    "vosk-model-small-cn-0.22": ModelSpec(
        "vosk-model-small-cn-0.22",
        43_898_754,
        "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba",
        "small Chinese model (~42 MB), 16 kHz, fits a 2-core worker",
    ),
    "vosk-model-cn-0.22": ModelSpec(
        "vosk-model-cn-0.22",
        None,
        None,
        "big Chinese model (~1.3 GB zip, needs several GB RAM); pass --sha256 to fetch",
    ),
}
DEFAULT_MODEL = "vosk-model-small-cn-0.22"


class FetchError(RuntimeError):
    """The model could not be fetched; nothing half-done is left in models/ but the .part."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _download_blocking(
    url: str, part: Path, client: httpx.Client, progress: Callable[[int, int | None], None] | None
) -> None:
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and have:
            return  # nothing left to fetch: the .part is complete (verified next)
        if response.status_code not in (200, 206):
            raise FetchError(f"cannot download {url}: HTTP {response.status_code}")
        mode = "ab" if response.status_code == 206 else "wb"  # 200: server ignored Range
        done = have if mode == "ab" else 0
        length = response.headers.get("Content-Length")
        total = done + int(length) if length is not None else None
        with part.open(mode) as handle:
            for block in response.iter_bytes():  # as received: a cut keeps what came
                handle.write(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)


def _unpack_blocking(archive: Path, models_dir: Path, name: str) -> Path:
    target = models_dir / name
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".unpack-") as tmp:
        root = Path(tmp).resolve()
        try:
            with zipfile.ZipFile(archive) as zipped:
                for member in zipped.namelist():
                    if not (root / member).resolve().is_relative_to(root):
                        raise FetchError(f"{archive.name}: refused unsafe path {member!r}")
                zipped.extractall(root)
        except zipfile.BadZipFile as exc:
            raise FetchError(f"{archive.name} is not a valid zip: {exc}") from None
        found = [p for p in [root, *sorted(root.iterdir())] if is_model_dir(p)]
        if not found:
            raise FetchError(f"{archive.name} does not contain a Vosk model (am/, conf/)")
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(found[0]), target)
    return target


def fetch_model_blocking(
    name: str,
    models_dir: Path,
    *,
    base_url: str = BASE_URL,
    sha256: str | None = None,
    size: int | None = None,
    timeout_s: float = 30.0,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download ``<base_url>/<name>.zip``, verify, unpack to ``models_dir/name``."""
    spec = KNOWN_MODELS.get(name, ModelSpec(name, None, None))
    expected_sha = (sha256 or spec.sha256 or "").lower() or None
    expected_size = size if size is not None else spec.size
    if expected_sha is None:
        raise FetchError(
            f"no checksum known for {name}: pass --sha256 (and --size) from a source you trust"
        )
    target = models_dir / name
    if is_model_dir(target):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    url = f"{base_url.rstrip('/')}/{name}.zip"
    part = models_dir / f"{name}.zip.part"
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=True) as client:
            _download_blocking(url, part, client, progress)
    except httpx.HTTPError as exc:
        kept = f" ({part.stat().st_size} bytes kept for resume)" if part.exists() else ""
        raise FetchError(f"cannot download {url}: {type(exc).__name__}: {exc}{kept}") from None
    actual_size = part.stat().st_size
    if expected_size is not None and actual_size != expected_size:
        if actual_size > expected_size:
            part.unlink()
        raise FetchError(
            f"{name}.zip is {actual_size} bytes, expected {expected_size}: refused"
            + (" (run fetch again to resume)" if actual_size < expected_size else "")
        )
    actual_sha = sha256_file(part)
    if actual_sha != expected_sha:
        part.unlink()
        raise FetchError(
            f"{name}.zip sha256 {actual_sha} does not match {expected_sha}: refused and deleted"
        )
    target = _unpack_blocking(part, models_dir, name)
    part.unlink()
    return target


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str
    path: Path | None
    usable: bool
    note: str


def list_models(models_dir: Path) -> list[ModelEntry]:
    """Model directories present (usable or not) and known models not yet fetched."""
    entries: list[ModelEntry] = []
    present: set[str] = set()
    if models_dir.is_dir():
        for path in sorted(models_dir.iterdir()):
            if path.is_dir() and path.name.startswith("vosk-model"):
                present.add(path.name)
                usable = is_model_dir(path)
                note = "ready" if usable else "incomplete: am/final.mdl or conf/model.conf missing"
                entries.append(ModelEntry(path.name, path, usable, note))
            elif path.name.endswith(".zip.part"):
                entries.append(ModelEntry(path.name, path, False, "partial download"))
    for name, spec in KNOWN_MODELS.items():
        if name not in present:
            entries.append(ModelEntry(name, None, False, f"not present — {spec.note}"))
    return entries
