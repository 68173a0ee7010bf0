"""benchmark_pipeline --min-words picks long reports first and joins shorter ones only to top up."""

from __future__ import annotations

import random

from cdi.management.commands.benchmark_pipeline import select_texts


def write(folder, name: str, words: int):
    path = folder / name
    path.write_text(" ".join(f"{name[0]}{i}" for i in range(words)), encoding="utf-8")
    return path


def test_long_reports_come_first_and_short_ones_are_joined_to_the_length(tmp_path):
    files = [write(tmp_path, "long-1.txt", 2100), write(tmp_path, "long-2.txt", 2500)]
    files += [write(tmp_path, f"short-{i}.txt", 700) for i in range(7)]
    texts, joined = select_texts(files, 4, 2000, random.Random(0))
    assert len(texts) == 4 and joined == 2
    assert all(len(t.split()) >= 2000 for t in texts)
    assert sorted(len(t.split()) for t in texts[:2]) == [2100, 2500]
    assert all(len(t.split()) == 2100 and "\n\n" in t for t in texts[2:])  # three 700-word reports


def test_without_a_length_the_sample_is_the_one_earlier_runs_used(tmp_path):
    files = [write(tmp_path, f"n-{i}.txt", 10 + i) for i in range(5)]
    texts, joined = select_texts(files, 3, 0, random.Random(0))
    expected = [f.read_text(encoding="utf-8").strip() for f in random.Random(0).sample(files, 3)]
    assert texts == expected and joined == 0
