"""Workers load the tables before the fork and the model after it, so no note pays for either."""

from __future__ import annotations

import logging

import pytest

from cdi import analysis
from cdi.clinical.knowledge import default_knowledge


def test_before_the_fork_the_knowledge_base_loads_but_not_the_model(monkeypatch):
    def no_model():
        raise AssertionError("the model must not load before the fork")

    monkeypatch.setattr(analysis, "cdi_scorer", no_model)
    default_knowledge.cache_clear()
    analysis.warm_up(after_fork=False)
    assert default_knowledge.cache_info().currsize == 1


@pytest.mark.django_db
def test_a_missing_model_at_worker_start_is_logged_and_the_worker_goes_on(settings, tmp_path, caplog):
    settings.CDI_MODEL_ENABLED = True
    settings.INFERENCE_RUNTIME_DIR = tmp_path  # no runtime folder in it
    with caplog.at_level(logging.ERROR, logger="cdi.analysis"):
        analysis.warm_up(after_fork=True)
    assert analysis.MODEL_UNAVAILABLE in caplog.text


def test_after_the_fork_the_model_loads(model_runtime, settings):
    from inference import clear_encoders

    settings.CDI_MODEL_ENABLED = True
    settings.INFERENCE_RUNTIME_DIR = model_runtime
    clear_encoders()
    analysis.warm_up(after_fork=True)
    scorer, version = analysis.cdi_scorer()
    assert scorer is not None and version.startswith("cdi@")


def test_a_broken_knowledge_base_at_worker_start_is_logged_and_the_worker_goes_on(monkeypatch, caplog):
    from cdi.clinical import knowledge

    def broken():
        raise knowledge.KnowledgeError("bad entry")

    monkeypatch.setattr(knowledge, "default_knowledge", broken)
    with caplog.at_level(logging.ERROR, logger="cdi.analysis"):
        analysis.warm_up(after_fork=False)
    assert "KnowledgeError" in caplog.text
