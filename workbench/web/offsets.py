"""The one place browser offsets (UTF-16 code units) become code points, and back."""
from __future__ import annotations

import re
from bisect import bisect_left

from workbench.services.errors import Invalid

# Characters outside the Basic Multilingual Plane take two UTF-16 code units (a surrogate pair).
ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def utf16_to_code_point(text: str, offset: int) -> int:
    """Code-point index of the UTF-16 `offset` into `text`; refuses an offset inside a surrogate pair.

    The k-th astral character (at code point p) starts at UTF-16 unit p + k; the characters before
    `offset` are found with one regular-expression scan (in C), not a Python loop over the text."""
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise Invalid("Offsets must be whole numbers of zero or more.")
    starts = [match.start() + k for k, match in enumerate(ASTRAL.finditer(text))]
    if offset > len(text) + len(starts):
        raise Invalid(f"Offset {offset} lies past the end of the document.")
    before = bisect_left(starts, offset)  # astral characters starting before the offset
    if before and starts[before - 1] + 1 == offset:
        raise Invalid(f"Offset {offset} falls inside a character (between the two halves of an emoji).")
    return offset - before


def code_point_to_utf16(text: str, index: int) -> int:
    """UTF-16 offset of code point `index`, for spans sent to the browser."""
    return index + len(ASTRAL.findall(text, 0, index))


def code_points_to_utf16(text: str, indexes) -> dict[int, int]:
    """UTF-16 offset of every code-point index in `indexes`, with one scan of the text (in C)."""
    astral = [match.start() for match in ASTRAL.finditer(text)]
    return {index: index + bisect_left(astral, index) for index in indexes}


def passage_fragments(texts: dict[int, str], spans) -> dict:
    """key -> the document page's fragment that marks a passage, `passage-<start>-<end>` in UTF-16 units,
    for (key, document id, start, end) spans in code points (retrieval's passages, keywords in context)."""
    by_document: dict[int, list] = {}
    for key, document_id, start, end in spans:
        by_document.setdefault(document_id, []).append((key, start, end))
    out = {}
    for document_id, found in by_document.items():
        units = code_points_to_utf16(texts[document_id], [i for _, start, end in found for i in (start, end)])
        out.update({key: f"passage-{units[start]}-{units[end]}" for key, start, end in found})
    return out
