"""Training a LoRA adapter and its head on pair-classification data.

The adapter (peft LoRA on the encoder's attention and feed-forward projections) and a linear
head on the mean-pooled output are trained together with binary cross-entropy. The result is a
new version folder in the registry, with a manifest that says exactly what produced it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from tqdm import tqdm

from .basemodel import base_model_sha256, resolve_base_model
from .errors import AdapterError
from .pairs import (
    HoldoutMetrics,
    PairExample,
    binary_metrics,
    read_pairs,
    roc_auc,
    sha256_file,
    split_holdout,
)
from .reference import HEAD_WEIGHTS, load_base
from .registry import MANIFEST, next_version, set_live
from .scoring import l2_normalise
from .windows import Window, WindowOptions, length_sorted_batches, load_tokenizer, pair_windows, text_windows

# LoRA on every attention and feed-forward projection of the encoder layers, not the unused pooler.
TARGET_MODULES = r".*encoder\.layer\.\d+\..*(query|key|value|dense)"


@dataclass(frozen=True)
class TrainConfig:
    epochs: float = 1.0
    max_steps: int | None = None
    batch_size: int = 16
    learning_rate: float = 5e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.1
    head_dropout: float = 0.1
    max_length: int = 256
    stride: int = 64
    max_query_tokens: int = 64
    holdout_percent: int = 15
    seed: int = 13
    threads: int = 1
    # Platt scaling folded into the head after training; coding v1 predates it (reproduce with False).
    calibrate: bool = True


@dataclass(frozen=True)
class TrainResult:
    name: str
    version: str
    folder: Path
    train_examples: int
    heldout: HoldoutMetrics
    steps: int


class PairClassifier(torch.nn.Module):
    """Encoder (with LoRA) → mean pooling → dropout → linear → logit."""

    def __init__(self, encoder: torch.nn.Module, hidden: int, dropout: float) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(hidden, 1)
        torch.nn.init.normal_(self.head.weight, std=0.02)
        torch.nn.init.zeros_(self.head.bias)

    def pooled(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
        return (hidden * mask[:, :, None]).sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1)

    def forward(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.pooled(ids, types, mask))).squeeze(-1)


def _tensors(windows: Sequence[Window], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    width = max(len(w.ids) for w in windows)
    ids = torch.full((len(windows), width), pad_id, dtype=torch.long)
    types = torch.zeros((len(windows), width), dtype=torch.long)
    mask = torch.zeros((len(windows), width), dtype=torch.long)
    for row, w in enumerate(windows):
        ids[row, : len(w.ids)] = torch.tensor(w.ids)
        types[row, : len(w.ids)] = torch.tensor(w.type_ids)
        mask[row, : len(w.ids)] = 1
    return ids, types, mask


def _platt(logits: np.ndarray, labels: list[int], iterations: int = 50) -> tuple[float, float]:
    """Platt scaling fitted on the training split: a short run leaves the head's logits ranked
    well but shifted, and callers threshold probabilities, so ``sigmoid(a * logit + b)`` is
    fitted (Newton's method, a little L2 for stability) and folded into the head."""
    x = np.stack([logits.astype(np.float64), np.ones(len(logits))], axis=1)
    y = np.asarray(labels, dtype=np.float64)
    theta = np.array([1.0, 0.0])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ theta)))
        gradient = x.T @ (p - y) + 1e-3 * (theta - [1.0, 0.0])
        hessian = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(theta[0]), float(theta[1])


def _length_bucketed_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """One epoch of batches: shuffled, then sorted by length within chunks of 32 batches, so a
    batch pads little while batch order (and which pairs meet) stays random."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 32
    batches = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def _logits(model: PairClassifier, windows: list[Window], pad_id: int, batch_size: int) -> np.ndarray:
    model.eval()
    out = np.zeros(len(windows))
    with torch.inference_mode():
        for batch in length_sorted_batches(windows, batch_size):
            out[batch] = model(*_tensors([windows[i] for i in batch], pad_id)).numpy()
    return out


def _base_cosines(model: PairClassifier, tokenizer, examples, options, pad_id, batch_size) -> np.ndarray:
    """Zero-shot baseline: cosine of the base model's embeddings of text_a and text_b."""
    texts = [e.text_a for e in examples] + [e.text_b for e in examples]
    # One window per text keeps the baseline on the same truncated input the adapter saw.
    first: dict[int, Window] = {}
    for w in text_windows(tokenizer, texts, options):
        first.setdefault(w.item, w)
    ordered = [first[i] for i in range(len(texts))]
    vectors = []
    with model.encoder.disable_adapter(), torch.inference_mode():
        for i in range(0, len(ordered), batch_size):
            vectors.append(model.pooled(*_tensors(ordered[i : i + batch_size], pad_id)).numpy())
    emb = l2_normalise(np.concatenate(vectors))
    n = len(examples)
    return (emb[:n] * emb[n:]).sum(axis=1)


def _evaluate(model, tokenizer, held: list[PairExample], options, pad_id, batch_size) -> HoldoutMetrics:
    if not held:
        return HoldoutMetrics(0, 0, None, None, None, None)
    windows = pair_windows(tokenizer, [(e.text_a, e.text_b) for e in held], options, first_only=True)
    logits = _logits(model, windows, pad_id, batch_size)
    probabilities = 1 / (1 + np.exp(-logits))
    labels = [e.label for e in held]
    accuracy, loss = binary_metrics(labels, probabilities.tolist())
    cosines = _base_cosines(model, tokenizer, held, options, pad_id, batch_size)
    return HoldoutMetrics(
        examples=len(held),
        positives=sum(labels),
        auc=roc_auc(labels, probabilities.tolist()),
        accuracy=accuracy,
        loss=loss,
        base_cosine_auc=roc_auc(labels, cosines.tolist()),
    )


def _library_versions() -> dict[str, str]:
    import peft
    import transformers

    return {"torch": torch.__version__, "peft": peft.__version__, "transformers": transformers.__version__}


def train_adapter(
    name: str,
    data_path: Path,
    base_model: str,
    adapters_dir: Path,
    config: TrainConfig = TrainConfig(),
    progress: bool = True,
    promote: bool = True,
    exclude_groups: frozenset[str] = frozenset(),
) -> TrainResult:
    """Train ``name`` on ``data_path`` and write ``<adapters_dir>/<name>/<next version>/``."""
    from peft import LoraConfig, get_peft_model

    data_path = Path(data_path)
    examples = read_pairs(data_path)
    # Evaluation reports must not be trained on: drop pairs whose group is one of them.
    excluded = sum(e.split_key in exclude_groups for e in examples)
    examples = [e for e in examples if e.split_key not in exclude_groups]
    if not examples:
        raise AdapterError(f"{data_path}: every pair was excluded")
    train, held = split_holdout(examples, config.holdout_percent)
    if not train:
        raise AdapterError(
            f"{data_path}: every pair fell in the held-out split; add data or lower the hold-out"
        )

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    base_path = resolve_base_model(base_model)
    tokenizer = load_tokenizer(str(base_path / "tokenizer.json"))
    pad_id = tokenizer.token_to_id("[PAD]") or 0
    options = WindowOptions(config.max_length, config.stride, config.max_query_tokens)

    encoder = load_base(base_path)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=TARGET_MODULES,
        bias="none",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # peft calls a renamed transformers method
        peft_encoder = get_peft_model(encoder, lora)
    model = PairClassifier(peft_encoder, encoder.config.hidden_size, config.head_dropout)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)

    per_epoch = math.ceil(len(train) / config.batch_size)
    steps = config.max_steps or max(1, math.ceil(per_epoch * config.epochs))
    warmup = max(1, int(steps * config.warmup_ratio))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    windows = pair_windows(tokenizer, [(e.text_a, e.text_b) for e in train], options, first_only=True)
    labels = torch.tensor([float(e.label) for e in train])
    loss_fn = torch.nn.BCEWithLogitsLoss()

    model.train()
    batches: list[list[int]] = []
    bar = tqdm(total=steps, desc=f"train {name}", unit="step", disable=not progress)
    for _ in range(steps):
        if not batches:
            batches = _length_bucketed_batches([len(w.ids) for w in windows], config.batch_size, rng)
        batch = batches.pop()
        logits = model(*_tensors([windows[i] for i in batch], pad_id))
        loss = loss_fn(logits, labels[batch])
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimiser.step()
        schedule.step()
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()

    calibration: dict[str, object] = {"method": "none"}
    if config.calibrate:
        scale, shift = _platt(_logits(model, windows, pad_id, 64), [e.label for e in train])
        with torch.no_grad():
            model.head.weight.mul_(scale)
            model.head.bias.mul_(scale).add_(shift)
        calibration = {"method": "platt", "fitted_on": "train split", "scale": scale, "shift": shift}
    metrics = _evaluate(model, tokenizer, held, options, pad_id, 64)
    version = next_version(adapters_dir, name)
    folder = Path(adapters_dir) / name / version
    staging = folder.with_name(f".{version}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    model.encoder.save_pretrained(str(staging))
    (staging / "README.md").unlink(missing_ok=True)  # peft's model-card stub; the manifest says it all
    adapter_config = json.loads((staging / "adapter_config.json").read_text())
    # peft records the absolute site-packages path; the registry records the portable setting.
    adapter_config["base_model_name_or_path"] = str(base_model)
    (staging / "adapter_config.json").write_text(json.dumps(adapter_config, indent=2, sort_keys=True) + "\n")
    head = model.head
    save_file(
        {
            "weight": head.weight.detach().reshape(-1).contiguous(),
            "bias": head.bias.detach().reshape(-1).contiguous(),
        },
        str(staging / HEAD_WEIGHTS),
    )
    manifest = {
        "name": name,
        "version": version,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "base_model": str(base_model),
        "base_model_sha256": base_model_sha256(base_path),
        "training_data": {
            "file": data_path.name,
            "sha256": sha256_file(data_path),
            "pairs": len(examples),
            "excluded_pairs": excluded,
            "train_pairs": len(train),
            "heldout_pairs": len(held),
            "train_positives": int(sum(e.label for e in train)),
        },
        "hyperparameters": {**asdict(config), "steps": steps, "target_modules": TARGET_MODULES},
        "window": {
            "max_length": config.max_length,
            "stride": config.stride,
            "max_query_tokens": config.max_query_tokens,
        },
        "heldout_metrics": asdict(metrics),
        "calibration": calibration,
        "head": {"type": "linear", "pooling": "mean", "file": HEAD_WEIGHTS},
        "libraries": _library_versions(),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    staging.rename(folder)
    if promote:
        set_live(adapters_dir, name, version)
    return TrainResult(name, version, folder, len(train), metrics, steps)
