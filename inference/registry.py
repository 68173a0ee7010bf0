"""The adapter registry: versioned folders under ``<adapters_dir>/<name>/`` and a ``LIVE`` pointer.

``<adapters_dir>/<name>/LIVE`` holds the version the product ships (``v1``, ``v2``...); each
``<adapters_dir>/<name>/<version>/`` holds the peft adapter, the head and ``manifest.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import AdapterError

ADAPTER_NAMES = ("cdi", "coding")
LIVE_FILE = "LIVE"
MANIFEST = "manifest.json"
_VERSION = re.compile(r"^v(\d+)$")


def live_adapter_version(adapters_dir: Path, name: str) -> str:
    pointer = Path(adapters_dir) / name / LIVE_FILE
    try:
        version = pointer.read_text().strip()
    except FileNotFoundError:
        raise AdapterError(
            f"Adapter {name!r} has no LIVE pointer at {pointer}; train one with "
            f"`python manage.py train_adapter {name} --data FILE.jsonl`"
        ) from None
    if not (Path(adapters_dir) / name / version / MANIFEST).is_file():
        raise AdapterError(
            f"Adapter {name!r}: LIVE names {version!r} but {pointer.parent / version} has no manifest"
        )
    return version


def live_adapter_folder(adapters_dir: Path, name: str) -> Path:
    return Path(adapters_dir) / name / live_adapter_version(adapters_dir, name)


def set_live(adapters_dir: Path, name: str, version: str) -> None:
    pointer = Path(adapters_dir) / name / LIVE_FILE
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(version + "\n")
    tmp.replace(pointer)


def next_version(adapters_dir: Path, name: str) -> str:
    folder = Path(adapters_dir) / name
    numbers = [int(m.group(1)) for p in folder.glob("v*") if (m := _VERSION.match(p.name)) and p.is_dir()]
    return f"v{max(numbers, default=0) + 1}"


def live_adapter_names(adapters_dir: Path) -> list[str]:
    """Every adapter with a LIVE pointer, in a stable order."""
    root = Path(adapters_dir)
    if not root.is_dir():
        return []
    return sorted(p.parent.name for p in root.glob(f"*/{LIVE_FILE}"))


def read_manifest(folder: Path) -> dict:
    return json.loads((Path(folder) / MANIFEST).read_text())
