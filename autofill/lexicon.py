"""Word lists shared by the extractors, written as space-separated strings for readability."""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    """ "停水 停电" → ("停水", "停电"); longest first, so scanners prefer "没有暖气" over "暖气"."""
    return tuple(sorted(dict.fromkeys(text.split()), key=len, reverse=True))
