"""Faster regular expressions for long word lists, with the same matches.

Python's `re` tries every alternative of `a|b|c|...` at every word start, one after the other, so a
list of a few hundred aliases costs a few hundred comparisons per word of the note. `by_first_char`
groups the alternatives by the letter they must start with and puts a one-character look-ahead in
front of each group: at a given position only the group for that letter is tried.

The matches are the same: two alternatives that start with different letters can never both match
at one position, so their relative order never mattered; alternatives of one group keep their
order, and an alternative whose first character is not a plain letter or digit (a class, a group,
an optional letter) is tried in every group, in its place, and again on its own after them. The
case of the first letter is folded into the look-ahead (`[aA]`), which matches exactly what the
letter itself matches with or without `re.IGNORECASE`.
"""

from __future__ import annotations

import re

_QUANTIFIERS = "?*{"


def split_top_level(body: str) -> list[str]:
    """The alternatives of `body` at the top level (not inside a group or a character class)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if body[i + 1 : i + 2] == "^":
                i += 1
            if body[i + 1 : i + 2] == "]":
                i += 1  # a "]" first in a class is a literal
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
        i += 1
    parts.append(body[start:])
    return parts


def _group_end(text: str, start: int) -> int:
    """The index of the ")" closing the group opened at text[start]."""
    depth, i, in_class = 0, start, False
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def first_char(alternative: str) -> str | None:
    """The ASCII letter or digit every match of `alternative` starts with, or None when unknown."""
    rest = alternative
    while rest.startswith(r"\b"):
        rest = rest[2:]  # a word boundary consumes nothing
    if rest.startswith(("(?:", "(?P<")):
        # A group that must match first: its alternatives must all start with the same character.
        end = _group_end(rest, 0)
        if end < 0 or rest[end + 1 : end + 2] in tuple(_QUANTIFIERS):
            return None
        inner = rest[rest.index(">") + 1 if rest.startswith("(?P<") else 3 : end]
        keys = {first_char(alt) for alt in split_top_level(inner)}
        return keys.pop() if len(keys) == 1 else None
    if rest and rest[0].isascii() and rest[0].isalnum() and rest[1:2] not in tuple(_QUANTIFIERS):
        return rest[0].lower()
    return None


def _has_capturing_group(text: str) -> bool:
    return re.search(r"(?<!\\)\((?!\?)", text) is not None or "(?P<" in text


def by_first_char(body: str) -> str:
    """`body` (an alternation) regrouped by first character; the same matches, found faster.

    Returns `body` unchanged where regrouping could change group numbers: an unnamed capturing
    group anywhere, or a named group in an alternative that would be repeated."""
    alternatives = split_top_level(body)
    if len(alternatives) < 2 or re.search(r"(?<!\\)\((?![?])", body):
        return body
    keys = [first_char(alt) for alt in alternatives]
    anywhere = [alt for alt, key in zip(alternatives, keys, strict=True) if key is None]
    if any(_has_capturing_group(alt) for alt in anywhere):
        return body
    groups: dict[str, list[str]] = {}
    seen_anywhere: list[str] = []
    for alt, key in zip(alternatives, keys, strict=True):
        if key is None:
            seen_anywhere.append(alt)
            for members in groups.values():
                members.append(alt)
        else:
            # A group first met late still tries the start-anywhere alternatives before it first.
            groups.setdefault(key, list(seen_anywhere)).append(alt)
    branches = []
    for key, members in groups.items():
        letters = key if key == key.upper() else f"{key}{key.upper()}"
        branches.append(f"(?=[{letters}])(?:{'|'.join(members)})")
    if anywhere:
        branches.append(f"(?:{'|'.join(anywhere)})")
    return "|".join(branches)
