"""Turning texts and pairs into model inputs that fit the encoder's window.

Shared by the CTranslate2 runtime, the PyTorch reference and training, so all three see the
same token ids. A ``text_b`` longer than the window is split into overlapping windows; each
window keeps the whole (truncated) ``text_a`` in front, the way BERT pair inputs work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tokenizers import Tokenizer


@dataclass(frozen=True)
class Window:
    """One model input: ``item`` is the index of the pair or text it came from."""

    item: int
    ids: list[int]
    type_ids: list[int]
    # Character span of the windowed text (text_b for pairs) that this input covers.
    start: int
    end: int


@dataclass(frozen=True)
class WindowOptions:
    max_length: int = 256
    # Tokens shared by consecutive windows, so a phrase cut by one window is whole in the next.
    stride: int = 64
    # text_a is a short query (a gap description, a code title); longer ones are truncated.
    max_query_tokens: int = 64

    def __post_init__(self) -> None:
        # Every window must keep room for some of text_b after text_a and the special tokens.
        if self.max_length - self.max_query_tokens - 3 < 16:
            raise ValueError("max_length must exceed max_query_tokens by at least 19 tokens")
        if self.stride < 0:
            raise ValueError("stride must not be negative")


def load_tokenizer(path: str) -> Tokenizer:
    """The fast tokenizer with its own padding/truncation turned off: windows do that."""
    tokenizer = Tokenizer.from_file(path)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def _special_ids(tokenizer: Tokenizer) -> tuple[int, int]:
    cls_id = tokenizer.token_to_id("[CLS]")
    sep_id = tokenizer.token_to_id("[SEP]")
    if cls_id is None or sep_id is None:
        raise ValueError("tokenizer has no [CLS]/[SEP] tokens; only BERT-family tokenizers are supported")
    return cls_id, sep_id


def _spans(length: int, room: int, stride: int) -> Iterator[tuple[int, int]]:
    if length <= room:
        yield 0, length
        return
    step = max(1, room - min(stride, room // 2))
    start = 0
    while True:
        end = min(start + room, length)
        yield start, end
        if end == length:
            return
        start += step


def pair_windows(
    tokenizer: Tokenizer,
    pairs: Sequence[tuple[str, str]],
    options: WindowOptions,
    first_only: bool = False,
) -> list[Window]:
    """``[CLS] a [SEP] b-window [SEP]`` inputs; ``first_only`` truncates instead of windowing."""
    cls_id, sep_id = _special_ids(tokenizer)
    encoded_a = tokenizer.encode_batch([a for a, _ in pairs], add_special_tokens=False)
    encoded_b = tokenizer.encode_batch([b for _, b in pairs], add_special_tokens=False)
    windows: list[Window] = []
    for item, (ea, eb) in enumerate(zip(encoded_a, encoded_b, strict=True)):
        a_ids = ea.ids[: options.max_query_tokens]
        head = [cls_id, *a_ids, sep_id]
        room = options.max_length - len(head) - 1
        b_ids, offsets = eb.ids, eb.offsets
        for start, end in _spans(len(b_ids), room, options.stride):
            ids = head + b_ids[start:end] + [sep_id]
            type_ids = [0] * len(head) + [1] * (end - start + 1)
            char_start = offsets[start][0] if end > start else 0
            char_end = offsets[end - 1][1] if end > start else 0
            windows.append(Window(item, ids, type_ids, char_start, char_end))
            if first_only:
                break
    return windows


def text_windows(tokenizer: Tokenizer, texts: Sequence[str], options: WindowOptions) -> list[Window]:
    """``[CLS] chunk [SEP]`` inputs for single-text embeddings."""
    cls_id, sep_id = _special_ids(tokenizer)
    windows: list[Window] = []
    room = options.max_length - 2
    for item, enc in enumerate(tokenizer.encode_batch(list(texts), add_special_tokens=False)):
        for start, end in _spans(len(enc.ids), room, options.stride):
            ids = [cls_id, *enc.ids[start:end], sep_id]
            char_start = enc.offsets[start][0] if end > start else 0
            char_end = enc.offsets[end - 1][1] if end > start else 0
            windows.append(Window(item, ids, [0] * len(ids), char_start, char_end))
    return windows


# Padding (tokens) worth a separate forward call at run time: see ``length_sorted_batches``.
RUNTIME_MAX_PADDING = 64


def length_sorted_batches(
    windows: Sequence[Window], batch_size: int, max_padding: int | None = None
) -> Iterator[list[int]]:
    """Indices of ``windows`` in batches of similar length, so little compute goes to padding.

    With ``max_padding`` (tokens), a batch is also cut before a window that would pad it by more
    than that many tokens and more than a tenth of its size: a note's short last window then runs
    on its own instead of being padded to the full window (about 5 % of the tokens of a note).
    Training leaves it off so its batches, and therefore its floats, stay as they were.
    """
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
    batch: list[int] = []
    real = 0
    for i in order:
        length = len(windows[i].ids)
        if batch and (
            len(batch) >= batch_size
            or (
                max_padding is not None
                and (padding := len(batch) * length - real) > max_padding
                and padding * 10 > (len(batch) + 1) * length
            )
        ):
            yield batch
            batch, real = [], 0
        batch.append(i)
        real += length
    if batch:
        yield batch
