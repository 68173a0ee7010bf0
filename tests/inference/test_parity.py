"""CTranslate2 int8 against the same merged model in PyTorch fp32, on real notes.

Tolerances: int8 weight quantisation perturbs every layer a little. On these 24 notes (AVX2 CPU)
we measured base-embedding cosine min 0.994 (mean 0.996) and, for the coding adapter on 24
pairs, |Δprobability| max 0.047, mean 0.009 (largest near p = 0.5, where the sigmoid is
steepest). The test allows cosine > 0.99, max |Δp| < 0.08 and mean |Δp| < 0.02: other CPUs
take other int8 kernels, so the bound leaves room above what one machine measured.
"""

from __future__ import annotations

import numpy as np

from inference import Encoder
from inference.reference import TorchEncoder
from inference.registry import live_adapter_folder

from .conftest import BASE_MODEL, COMMITTED_ADAPTERS

QUERIES = ("Essential (primary) hypertension", "Type 2 diabetes mellitus without complications")


def test_base_embeddings_agree_with_pytorch_on_real_notes(runtime_root, mtsample_notes):
    ct2 = Encoder(runtime_root / "base").embed(mtsample_notes)
    reference = TorchEncoder(BASE_MODEL).embed(mtsample_notes)
    cosines = (ct2 * reference).sum(axis=1)
    assert cosines.min() > 0.99, cosines.min()


def test_adapter_scores_agree_with_the_merged_pytorch_model_on_real_notes(runtime_root, mtsample_notes):
    pairs = [(q, note) for note in mtsample_notes[:12] for q in QUERIES]
    ct2 = np.array([s.probability for s in Encoder(runtime_root / "coding").score(pairs)])
    folder = live_adapter_folder(COMMITTED_ADAPTERS, "coding")
    reference = np.array([s.probability for s in TorchEncoder(BASE_MODEL, folder).score(pairs)])
    diff = np.abs(ct2 - reference)
    assert diff.max() < 0.08, diff.max()
    assert diff.mean() < 0.02, diff.mean()


def test_cdi_adapter_scores_stay_within_the_benchmarks_tolerance(tmp_path_factory, mtsample_notes):
    """The cdi head is calibrated (steep), so int8 moves its probabilities most: the tolerance
    `benchmark_inference` judges by must hold on real notes in CI too."""
    from inference.benchmark import (
        QUERY,
        TOLERANCE_MAX_PROBABILITY_DIFF,
        TOLERANCE_MEAN_PROBABILITY_DIFF,
    )
    from inference.build import build_all

    root = tmp_path_factory.mktemp("runtime-cdi")
    build_all(BASE_MODEL, COMMITTED_ADAPTERS, root, names=["cdi"])
    pairs = [(QUERY, note) for note in mtsample_notes]
    ct2 = np.array([s.probability for s in Encoder(root / "cdi").score(pairs)])
    folder = live_adapter_folder(COMMITTED_ADAPTERS, "cdi")
    reference = np.array([s.probability for s in TorchEncoder(BASE_MODEL, folder).score(pairs)])
    diff = np.abs(ct2 - reference)
    assert diff.mean() <= TOLERANCE_MEAN_PROBABILITY_DIFF, diff.mean()
    assert diff.max() <= TOLERANCE_MAX_PROBABILITY_DIFF, diff.max()
