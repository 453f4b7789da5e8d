"""Cutting long text into messages a channel accepts."""

from __future__ import annotations


def utf16_len(text: str) -> int:
    """Length as Telegram and Zalo count it: UTF-16 code units (an emoji may count two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2  # a lone surrogate is one unit, not an error


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` UTF-16 units, cut at line boundaries; a single longer line is cut hard.

    Blank pieces are dropped, so blank text gives no piece at all.
    """
    if utf16_len(text) <= limit:
        return [text] if text.strip() else []
    pieces: list[str] = []
    current, size = "", 0
    for line in text.splitlines(keepends=True):
        length = utf16_len(line)
        if size + length > limit and current:
            pieces.append(current)
            current, size = "", 0
        if length > limit:
            for ch in line:
                width = utf16_len(ch)
                if size + width > limit:
                    pieces.append(current)
                    current, size = "", 0
                current += ch
                size += width
            continue
        current += line
        size += length
    if current:
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces if p.strip()]
