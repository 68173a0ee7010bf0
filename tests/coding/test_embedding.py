from __future__ import annotations

import zlib

import numpy as np

from coding import codeset
from coding.candidates import find_candidates
from coding.embedding import EmbeddingIndex, Retriever, build_index
from coding.setting import INPATIENT

DIMS = 64


def fake_embed(texts: list[str]) -> np.ndarray:
    """A stand-in for the base model: hashed bag of words, L2-normalised (for tests only)."""
    out = np.zeros((len(texts), DIMS), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().replace(",", " ").split():
            out[row, zlib.crc32(word.encode()) % DIMS] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


CODES = ["I50.9", "J18.9", "N39.0", "K35.80", "E87.1"]


def test_it_builds_saves_and_loads_an_index(tmp_path):
    index = build_index(fake_embed, CODES, batch_size=2, model_version="fake-1")
    assert index.vectors.dtype == np.float16 and index.vectors.shape == (5, DIMS)
    index.save(tmp_path)
    loaded = EmbeddingIndex.load(tmp_path)
    assert loaded.codes == CODES and loaded.model_version == "fake-1"
    query = fake_embed([codeset.title("N39.0")])[0]
    assert loaded.nearest(query, k=1)[0].code == "N39.0"


def test_the_retriever_places_only_close_statements():
    retriever = Retriever(build_index(fake_embed, CODES), fake_embed, min_similarity=0.9)
    close, far = retriever(["Urinary tract infection, site not specified", "zzz qqq"])
    assert close is not None and close.code == "N39.0"
    assert far is None


def test_it_asks_the_retriever_only_about_unplaced_statements():
    asked: list[list[str]] = []

    def retriever(statements):
        asked.append(list(statements))
        return [None for _ in statements]

    text = "ASSESSMENT:\n1. Pneumonia.\n2. Frobnication of the widget.\n"
    find_candidates(text, INPATIENT, retriever=retriever)
    assert asked == [["Frobnication of the widget"]]
