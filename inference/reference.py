"""The PyTorch side: base + adapter merged in fp32, for building, verifying and benchmarking.

Never imported by the runtime; this is what the CTranslate2 model is checked against.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from .basemodel import base_model_sha256, resolve_base_model
from .registry import read_manifest
from .runtime import RuntimeInfo, ScoringModel
from .windows import RUNTIME_MAX_PADDING, Window, WindowOptions, length_sorted_batches, load_tokenizer

HEAD_WEIGHTS = "head.safetensors"
DEFAULT_WINDOW = WindowOptions()

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def load_base(base_path: Path) -> torch.nn.Module:
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a per-tensor loading bar on every build is noise

    return AutoModel.from_pretrained(str(base_path)).eval()


def load_merged(base_path: Path, adapter_folder: Path | None) -> torch.nn.Module:
    """The base with the adapter's LoRA weights folded in (``merge_and_unload``), in eval mode."""
    model = load_base(base_path)
    if adapter_folder is None:
        return model
    from peft import PeftModel

    with warnings.catch_warnings():
        # peft 0.21 calls a transformers 5 method that warns of its own rename; nothing to act on.
        warnings.simplefilter("ignore", FutureWarning)
        return PeftModel.from_pretrained(model, str(adapter_folder)).merge_and_unload().eval()


def load_head(adapter_folder: Path) -> tuple[np.ndarray, float]:
    tensors = load_file(str(Path(adapter_folder) / HEAD_WEIGHTS))
    return tensors["weight"].float().numpy().reshape(-1), float(tensors["bias"].float().reshape(-1)[0])


def window_options(manifest: dict | None) -> WindowOptions:
    if not manifest or "window" not in manifest:
        return DEFAULT_WINDOW
    w = manifest["window"]
    return WindowOptions(int(w["max_length"]), int(w["stride"]), int(w["max_query_tokens"]))


def torch_pooled(
    model: torch.nn.Module, windows: Sequence[Window], batch_size: int, pad_id: int = 0
) -> np.ndarray:
    """Mean-pooled last hidden states, same batching and length sorting as the runtime."""
    out: np.ndarray | None = None
    with torch.inference_mode():
        for batch in length_sorted_batches(windows, batch_size, RUNTIME_MAX_PADDING):
            width = max(len(windows[i].ids) for i in batch)
            ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            types = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                n = len(windows[i].ids)
                ids[row, :n] = torch.tensor(windows[i].ids)
                types[row, :n] = torch.tensor(windows[i].type_ids)
                mask[row, :n] = 1
            hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
            summed = (hidden * mask[:, :, None]).sum(dim=1)
            pooled = (summed / mask.sum(dim=1, keepdim=True).clamp(min=1)).numpy()
            if out is None:
                out = np.zeros((len(windows), pooled.shape[1]), dtype=np.float32)
            out[batch] = pooled
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


class TorchEncoder(ScoringModel):
    """The merged model in PyTorch fp32 behind the same ``score``/``embed`` as ``Encoder``."""

    def __init__(
        self,
        base_model: str | Path,
        adapter_folder: Path | None = None,
        batch_size: int = 16,
        window: WindowOptions | None = None,
    ) -> None:
        base_path = resolve_base_model(base_model)
        manifest = read_manifest(adapter_folder) if adapter_folder is not None else None
        self.options = window or window_options(manifest)
        self.info = RuntimeInfo(
            name=manifest["name"] if manifest else "base",
            version=manifest["version"] if manifest else "base",
            base_model=str(base_model),
            base_model_sha256=manifest["base_model_sha256"] if manifest else base_model_sha256(base_path),
            max_length=self.options.max_length,
            stride=self.options.stride,
            max_query_tokens=self.options.max_query_tokens,
            has_head=adapter_folder is not None,
        )
        self.batch_size = batch_size
        self.tokenizer = load_tokenizer(str(base_path / "tokenizer.json"))
        self.model = load_merged(base_path, adapter_folder)
        self._head_weight, self._head_bias = (None, 0.0)
        if adapter_folder is not None:
            self._head_weight, self._head_bias = load_head(adapter_folder)

    def pooled(self, windows: Sequence[Window], batch_size: int | None = None) -> np.ndarray:
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        return torch_pooled(self.model, windows, batch_size or self.batch_size, pad_id)
