"""Building runtime folders: merge each live adapter into the base, convert to CTranslate2 int8,
check it against PyTorch, and write ``<runtime_dir>/<name>/``.

Idempotent: a runtime folder whose manifest carries the same build key (adapter version and
files, base weights, quantization, format) is left alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .basemodel import base_model_sha256, resolve_base_model
from .errors import AdapterError, InferenceError, RuntimeCorruptError, RuntimeMissingError
from .reference import DEFAULT_WINDOW, HEAD_WEIGHTS, TorchEncoder, load_head, load_merged, window_options
from .registry import live_adapter_folder, live_adapter_names, read_manifest
from .runtime import HEAD_FILE, RUNTIME_MANIFEST, TOKENIZER_FILE, Encoder, sha256_file, verify_runtime

BASE_NAME = "base"
BUILD_FORMAT = 1
QUANTIZATION = "int8"
# Fixed, non-clinical-record sentences for the build-time check; the tests compare on real notes.
CHECK_PAIRS = [
    (
        "undocumented diagnosis: hyponatremia",
        "Sodium 128 this morning, started fluid restriction and repeat BMP.",
    ),
    ("heart failure, unspecified", "CHF exacerbation, EF 30%, diuresed with IV furosemide."),
    ("urinary tract infection", "Urine culture grew E. coli; started ceftriaxone."),
    ("acute kidney injury", "Creatinine rose from 0.9 to 2.1 over two days."),
    ("type 2 diabetes mellitus", "The patient denies chest pain or shortness of breath."),
]
# int8 weights change the encoder's output slightly; beyond these the build is refused.
MAX_PROBABILITY_DIFF = 0.05
MIN_COSINE = 0.98


@dataclass(frozen=True)
class BuildResult:
    name: str
    version: str
    folder: Path
    built: bool
    max_probability_diff: float | None
    min_cosine: float | None


def _adapter_files_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(file.name.encode())
        digest.update(sha256_file(file).encode())
    return digest.hexdigest()


def _current_key(runtime_folder: Path) -> dict | None:
    try:
        manifest = verify_runtime(runtime_folder)
    except (RuntimeMissingError, RuntimeCorruptError):
        return None
    return manifest.get("runtime", {}).get("build_key")


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` with ``staging`` so readers see the old or the new folder, never a mix."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def build_runtime(
    name: str,
    base_model: str,
    adapters_dir: Path,
    runtime_dir: Path,
    force: bool = False,
    base_sha256: str | None = None,
) -> BuildResult:
    """Build ``<runtime_dir>/<name>``; ``name == "base"`` builds the plain base for embeddings."""
    base_path = resolve_base_model(base_model)
    base_sha256 = base_sha256 or base_model_sha256(base_path)
    adapter_folder = None if name == BASE_NAME else live_adapter_folder(adapters_dir, name)
    manifest = read_manifest(adapter_folder) if adapter_folder else None
    if manifest and manifest["base_model_sha256"] != base_sha256:
        raise AdapterError(
            f"Adapter {name!r} {manifest['version']} was trained on different base weights than "
            f"{base_model!r}; retrain it with `python manage.py train_adapter {name}`"
        )
    version = manifest["version"] if manifest else f"base-{base_sha256[:12]}"
    window = window_options(manifest) if manifest else DEFAULT_WINDOW
    key = {
        "format": BUILD_FORMAT,
        "name": name,
        "version": version,
        "adapter_sha256": _adapter_files_sha256(adapter_folder) if adapter_folder else None,
        "base_model_sha256": base_sha256,
        "quantization": QUANTIZATION,
    }
    target = Path(runtime_dir) / name
    if not force and _current_key(target) == key:
        return BuildResult(name, version, target, False, None, None)

    from ctranslate2 import __version__ as ct2_version
    from ctranslate2.converters import TransformersConverter

    Path(runtime_dir).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=runtime_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; worker users must read it
    try:
        with tempfile.TemporaryDirectory(prefix="merged-") as merged_dir:
            merged = load_merged(base_path, adapter_folder)
            merged.save_pretrained(merged_dir)
            for file in base_path.iterdir():
                if file.name.startswith(("tokenizer", "vocab", "special_tokens")) and file.is_file():
                    shutil.copy2(file, Path(merged_dir) / file.name)
            del merged
            converted = staging / "model"
            TransformersConverter(merged_dir).convert(str(converted), quantization=QUANTIZATION, force=True)
        for file in converted.iterdir():
            file.rename(staging / file.name)
        converted.rmdir()
        shutil.copy2(base_path / TOKENIZER_FILE, staging / TOKENIZER_FILE)
        if adapter_folder:
            weight, bias = load_head(adapter_folder)
            np.savez(staging / HEAD_FILE, weight=weight.astype(np.float32), bias=np.array([bias], np.float32))
        files = {p.name: sha256_file(p) for p in sorted(staging.iterdir()) if p.is_file()}
        runtime_manifest = (
            dict(manifest)
            if manifest
            else {
                "name": BASE_NAME,
                "version": version,
                "base_model": str(base_model),
                "base_model_sha256": base_sha256,
            }
        )
        runtime_manifest["runtime"] = {
            "build_key": key,
            "built": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "ctranslate2": ct2_version,
            "quantization": QUANTIZATION,
            "max_length": window.max_length,
            "stride": window.stride,
            "max_query_tokens": window.max_query_tokens,
            "files": files,
        }
        (staging / RUNTIME_MANIFEST).write_text(json.dumps(runtime_manifest, indent=2) + "\n")
        diff, cosine = _check_against_torch(staging, base_model, adapter_folder)
        runtime_manifest["runtime"]["check"] = {"max_probability_diff": diff, "min_cosine": cosine}
        (staging / RUNTIME_MANIFEST).write_text(json.dumps(runtime_manifest, indent=2) + "\n")
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(name, version, target, True, diff, cosine)


def _check_against_torch(
    folder: Path, base_model: str, adapter_folder: Path | None
) -> tuple[float | None, float]:
    """Refuse a conversion whose int8 outputs drift from the fp32 merged model."""
    runtime = Encoder(folder, threads=1)
    reference = TorchEncoder(base_model, adapter_folder)
    texts = [b for _, b in CHECK_PAIRS]
    cosine = float((runtime.embed(texts) * reference.embed(texts)).sum(axis=1).min())
    diff = None
    if adapter_folder:
        ours = [s.probability for s in runtime.score(CHECK_PAIRS)]
        theirs = [s.probability for s in reference.score(CHECK_PAIRS)]
        diff = float(np.max(np.abs(np.subtract(ours, theirs))))
    if cosine < MIN_COSINE or (diff is not None and diff > MAX_PROBABILITY_DIFF):
        raise InferenceError(
            f"CTranslate2 {QUANTIZATION} model for {folder.name} drifts from PyTorch "
            f"(min cosine {cosine:.4f}, max |Δp| {diff}); not installing it"
        )
    return diff, cosine


def build_all(
    base_model: str,
    adapters_dir: Path,
    runtime_dir: Path,
    names: list[str] | None = None,
    force: bool = False,
) -> list[BuildResult]:
    """The base runtime plus every adapter with a LIVE pointer (or just ``names``)."""
    base_sha256 = base_model_sha256(resolve_base_model(base_model))
    wanted = names or [BASE_NAME, *live_adapter_names(adapters_dir)]
    return [build_runtime(n, base_model, adapters_dir, runtime_dir, force, base_sha256) for n in wanted]


__all__ = ["BASE_NAME", "BuildResult", "build_all", "build_runtime", "HEAD_WEIGHTS"]
