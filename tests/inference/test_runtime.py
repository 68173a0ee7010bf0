from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from inference import Encoder, RuntimeCorruptError, RuntimeMissingError, get_encoder, live_version
from inference.runtime import clear_encoders
from inference.windows import WindowOptions, load_tokenizer, pair_windows, text_windows

from .conftest import REPO


def test_importing_the_runtime_does_not_import_torch_or_transformers():
    code = (
        "import sys, inference, inference.runtime; "
        "print(sorted(m for m in ('torch', 'transformers', 'peft') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_runtime_folder_names_build_models(tmp_path):
    with pytest.raises(RuntimeMissingError, match="python manage.py build_models"):
        Encoder(tmp_path / "cdi")


def test_a_truncated_model_file_is_corrupt_and_names_build_models(runtime_root, tmp_path):
    broken = shutil.copytree(runtime_root / "coding", tmp_path / "coding")
    model = broken / "model.bin"
    model.write_bytes(model.read_bytes()[:1000])
    with pytest.raises(RuntimeCorruptError, match="python manage.py build_models"):
        Encoder(broken)


def test_a_folder_without_a_readable_manifest_is_corrupt(runtime_root, tmp_path):
    broken = shutil.copytree(runtime_root / "coding", tmp_path / "coding")
    (broken / "manifest.json").write_text("{not json")
    with pytest.raises(RuntimeCorruptError, match="build_models"):
        Encoder(broken)
    (broken / "manifest.json").unlink()
    with pytest.raises(RuntimeCorruptError, match="build_models"):
        Encoder(broken)


def test_a_missing_tokenizer_is_corrupt(runtime_root, tmp_path):
    broken = shutil.copytree(runtime_root / "coding", tmp_path / "coding")
    (broken / "tokenizer.json").unlink()
    with pytest.raises(RuntimeCorruptError, match="tokenizer.json"):
        Encoder(broken)


def test_scores_carry_the_adapter_version(runtime_root):
    encoder = Encoder(runtime_root / "coding")
    manifest = json.loads((runtime_root / "coding" / "manifest.json").read_text())
    [score] = encoder.score([("CHF", "Heart failure, unspecified")])
    assert score.adapter == "coding"
    assert score.version == manifest["version"] == live_version("coding", runtime_root)
    assert 0.0 < score.probability < 1.0
    assert score.probability == pytest.approx(1 / (1 + np.exp(-score.logit)))
    assert score.windows == 1


def test_base_runtime_embeds_but_does_not_score(runtime_root):
    base = Encoder(runtime_root / "base")
    vectors = base.embed(["shortness of breath", "dyspnea on exertion", "fractured left femur"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    with pytest.raises(RuntimeCorruptError, match="no task head"):
        base.score([("a", "b")])


def test_long_text_is_split_into_overlapping_windows_that_cover_it(runtime_root, mtsample_notes):
    tokenizer = load_tokenizer(str(runtime_root / "coding" / "tokenizer.json"))
    options = WindowOptions(max_length=128, stride=32, max_query_tokens=16)
    note = max(mtsample_notes, key=len)
    windows = pair_windows(tokenizer, [("acute kidney injury", note)], options)
    assert len(windows) > 2
    assert all(len(w.ids) <= 128 for w in windows)
    assert all(w.type_ids.count(1) == len(w.ids) - w.type_ids.count(0) for w in windows)
    assert windows[0].start == len(note) - len(note.lstrip())  # the first token, after leading blanks
    for left, right in zip(windows, windows[1:], strict=False):
        assert right.start < left.end  # overlap
    tail = note.rstrip()
    assert windows[-1].end >= len(tail) - 1
    assert len(text_windows(tokenizer, [note], options)) > 2


def test_score_long_takes_the_best_window_and_reports_its_span(runtime_root, mtsample_notes):
    encoder = Encoder(runtime_root / "coding")
    note = max(mtsample_notes, key=len)
    score = encoder.score_long("Essential (primary) hypertension", note)
    assert score.windows > 1
    assert 0 <= score.start < score.end <= len(note)
    window_scores = []
    tokenizer_windows = pair_windows(
        encoder.tokenizer, [("Essential (primary) hypertension", note)], encoder.options
    )
    for w in tokenizer_windows:
        pooled = encoder.pooled([w])
        window_scores.append(float(pooled[0] @ encoder._head_weight + encoder._head_bias))
    assert score.logit == pytest.approx(max(window_scores), abs=1e-4)


def test_batching_and_length_sorting_do_not_change_scores(runtime_root):
    encoder = Encoder(runtime_root / "coding")
    pairs = [
        ("UTI", "Urinary tract infection, site not specified"),
        ("COPD", "Acute kidney failure, unspecified"),
    ]
    pairs += [("hypertension", "Essential (primary) hypertension " * k) for k in range(1, 6)]
    together = [s.logit for s in encoder.score(pairs, batch_size=4)]
    alone = [encoder.score([p])[0].logit for p in pairs]
    # int8 activations are quantised per call: a padded batch can flip a rounding and move a logit
    # by a few hundredths (measured on 106 real-note windows: max 0.05 with AVX2 kernels, one
    # window 0.18 with AVX-512). A batching or unsorting bug moves them by whole units: these
    # pairs' logits span -1.8..1.6 and the five lengths sorted here 0.4..1.6.
    assert np.allclose(together, alone, atol=0.05)


def test_get_encoder_loads_once_per_process(runtime_root, monkeypatch):
    clear_encoders()
    first = get_encoder("coding", runtime_root, threads=1)
    assert get_encoder("coding", runtime_root, threads=1) is first
    # A forked child has another pid: it must build its own CTranslate2 object.
    monkeypatch.setattr("inference.runtime.os.getpid", lambda: -1)
    assert get_encoder("coding", runtime_root, threads=1) is not first
    clear_encoders()
