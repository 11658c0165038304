"""Whitespace handling for ASR text (Vosk separates Chinese words with spaces), title marks."""

from __future__ import annotations


def compact_spaces(raw: str) -> tuple[str, list[int]]:
    """Drop the spaces ASR puts between Chinese words ("雁塔 区 小寨 路" → "雁塔区小寨路").

    A space between two ASCII letters/digits stays ("138 0013", "Wi Fi"). Returns the text and,
    for every character kept, its index in ``raw``.
    """
    kept: list[str] = []
    positions: list[int] = []
    for i, ch in enumerate(raw):
        if ch in _SPACES:
            before = kept[-1] if kept else ""
            after = raw[i + 1] if i + 1 < len(raw) else ""
            if not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()):
                continue
            if before in _SPACES:
                continue
        kept.append(ch)
        positions.append(i)
    return "".join(kept), positions


_SPACES = frozenset(" \t\u3000")


def inside_titles(text: str) -> list[bool]:
    """For each position (and the end): is it inside 《…》, the title of a book, film, game?"""
    inside = [False] * (len(text) + 1)
    depth = 0
    for pos, ch in enumerate(text):
        depth += ch == "《"
        inside[pos] = depth > 0
        depth -= ch == "》" and depth > 0
    return inside
