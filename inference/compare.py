"""Is a retrained adapter the committed one? Compares two adapter version folders.

Used to check that ``train_adapter`` reproduces a shipped version: same data (SHA-256), same
hyper-parameters, then the weights (byte for byte, else the largest absolute difference per
file) and the held-out metrics. The ``created`` date and library versions are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

from .registry import read_manifest

WEIGHT_FILES = ("adapter_model.safetensors", "head.safetensors")


@dataclass(frozen=True)
class AdapterComparison:
    data_sha256_equal: bool
    # Hyper-parameters recorded in both manifests that differ: {key: (a, b)}.
    hyperparameter_differences: dict[str, tuple[object, object]]
    # Per weight file: True when byte-identical.
    identical_files: dict[str, bool]
    # Per weight file: largest |a - b| over all its tensors (0.0 when identical).
    max_abs_difference: dict[str, float]
    # Held-out metrics and calibration: {key: (a, b)} for those that differ.
    metric_differences: dict[str, tuple[object, object]]

    def within(self, tolerance: float) -> bool:
        """Same data and hyper-parameters, every weight within ``tolerance`` and every numeric
        metric within ``tolerance`` relative (floating-point summation order, not training)."""

        def close(a: object, b: object) -> bool:
            if isinstance(a, dict) and isinstance(b, dict):
                return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))
            return a == b

        return (
            self.data_sha256_equal
            and not self.hyperparameter_differences
            and all(d <= tolerance for d in self.max_abs_difference.values())
            and all(close(a, b) for a, b in self.metric_differences.values())
        )

    @property
    def bit_for_bit(self) -> bool:
        return (
            self.data_sha256_equal
            and not self.hyperparameter_differences
            and all(self.identical_files.values())
            and not self.metric_differences
        )


def _max_abs_difference(a: Path, b: Path) -> float:
    ta, tb = load_file(str(a)), load_file(str(b))
    if ta.keys() != tb.keys() or any(ta[k].shape != tb[k].shape for k in ta):
        return float("inf")
    return max(
        (float(np.max(np.abs(ta[k].astype(np.float64) - tb[k].astype(np.float64)))) for k in ta),
        default=0.0,
    )


def _calibration(manifest: dict) -> dict:
    # Versions trained before calibration existed record none: the same as method "none".
    return manifest.get("calibration", {"method": "none"})


def _hyperparameters(manifest: dict) -> dict:
    hyper = dict(manifest["hyperparameters"])
    hyper.setdefault("calibrate", _calibration(manifest)["method"] != "none")
    return hyper


def compare_adapters(a: str | Path, b: str | Path) -> AdapterComparison:
    a, b = Path(a), Path(b)
    ma, mb = read_manifest(a), read_manifest(b)
    ha, hb = _hyperparameters(ma), _hyperparameters(mb)
    hyper = {k: (ha.get(k), hb.get(k)) for k in sorted(ha.keys() | hb.keys()) if ha.get(k) != hb.get(k)}
    identical, max_diff = {}, {}
    for name in WEIGHT_FILES:
        same = (a / name).read_bytes() == (b / name).read_bytes()
        identical[name] = same
        max_diff[name] = 0.0 if same else _max_abs_difference(a / name, b / name)
    metrics = {
        f"heldout_metrics.{k}": (v, mb["heldout_metrics"].get(k))
        for k, v in ma["heldout_metrics"].items()
        if v != mb["heldout_metrics"].get(k)
    }
    if _calibration(ma) != _calibration(mb):
        metrics["calibration"] = (_calibration(ma), _calibration(mb))
    return AdapterComparison(
        data_sha256_equal=ma["training_data"]["sha256"] == mb["training_data"]["sha256"],
        hyperparameter_differences=hyper,
        identical_files=identical,
        max_abs_difference=max_diff,
        metric_differences=metrics,
    )
