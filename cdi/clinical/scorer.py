"""The hook between gap detection and the CDI pair classifier (inference/).

`model_scorer()` returns a `Scorer` (list of (description, context) pairs ->
probabilities) backed by the "cdi" adapter's CTranslate2 runtime, or None when no
runtime is installed, so that detection falls back to the rules alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from cdi.clinical.detection import Scorer

ADAPTER = "cdi"


def scorer_from_encoder(encoder) -> Scorer:
    """Wrap anything with ``score(pairs) -> [PairScore | float]`` as a Scorer."""

    def score(pairs: list[tuple[str, str]]) -> Sequence[float]:
        results = encoder.score(pairs)
        return [float(getattr(result, "probability", result)) for result in results]

    return score


def model_scorer(name: str = ADAPTER) -> Scorer | None:
    try:
        from inference import InferenceError, get_encoder
    except ImportError:
        return None
    try:
        return scorer_from_encoder(get_encoder(name))
    except (InferenceError, OSError, LookupError):
        return None
