from __future__ import annotations

import json

from inference.build import build_all

from .conftest import BASE_MODEL, COMMITTED_ADAPTERS


def test_build_writes_runtime_folders_with_manifest_and_check(runtime_root):
    for name in ("base", "coding"):
        folder = runtime_root / name
        for file in ("model.bin", "config.json", "tokenizer.json", "manifest.json"):
            assert (folder / file).is_file(), (name, file)
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["runtime"]["quantization"] == "int8"
        assert manifest["runtime"]["check"]["min_cosine"] > 0.98
    assert (runtime_root / "coding" / "head.npz").is_file()
    assert not (runtime_root / "base" / "head.npz").exists()


def test_build_is_idempotent(runtime_root):
    before = {p: p.stat().st_mtime_ns for p in runtime_root.rglob("*")}
    results = build_all(BASE_MODEL, COMMITTED_ADAPTERS, runtime_root, names=["base", "coding"])
    assert [r.built for r in results] == [False, False]
    assert {p: p.stat().st_mtime_ns for p in runtime_root.rglob("*")} == before


def test_build_models_command_says_up_to_date(runtime_root, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.INFERENCE_ADAPTERS_DIR = COMMITTED_ADAPTERS
    out = StringIO()
    call_command("build_models", "base", "coding", runtime_dir=runtime_root, stdout=out)
    assert out.getvalue().count("up to date") == 2


def test_build_rebuilds_a_corrupted_runtime(runtime_root, tmp_path):
    import shutil

    copy = tmp_path / "rt"
    shutil.copytree(runtime_root / "base", copy / "base")
    (copy / "base" / "model.bin").write_bytes(b"broken")
    [result] = build_all(BASE_MODEL, COMMITTED_ADAPTERS, copy, names=["base"])
    assert result.built
