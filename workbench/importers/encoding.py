"""Works out the text encoding of an uploaded transcript and decodes it."""

from __future__ import annotations

import codecs
import re

from .model import UnreadableFile, quoted

# UTF-32 LE must be tried before UTF-16 LE: its BOM begins with the same two bytes.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Files researchers commonly rename or pick by mistake, named so the message can say so.
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a zip archive or Word .docx document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an older Word .doc document"),
    (b"{\\rtf", "a Rich Text (.rtf) document"),
)

# C0 and C1 control characters other than tab, newline, vertical tab, form feed and CR.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_SAMPLE = 65536


def _not_text(filename: str, what: str | None = None) -> UnreadableFile:
    seems = f" (it appears to be {what})" if what else ""
    return UnreadableFile(
        f"{quoted(filename)} does not look like a text file{seems}. Upload the transcript "
        "as .txt, .docx, .vtt or .srt; to convert, open it and save or export it as "
        "plain text (UTF-8) or as a Word .docx document."
    )


def _undecodable(filename: str) -> UnreadableFile:
    return UnreadableFile(
        f"Could not work out the text encoding of {quoted(filename)}. Open it in a text "
        "editor, save it as UTF-8, and upload it again."
    )


def _looks_like_text(text: str) -> bool:
    sample = text[:_SAMPLE]
    return len(_CONTROL.findall(sample)) * 100 <= len(sample)


def _mostly_latin(text: str) -> bool:
    """True when accented letters are the exception, as in Western European transcripts.

    cp1252 decodes almost any byte string, so Cyrillic or Greek in a legacy
    code page would come out as a wall of accented Latin letters.
    """
    letters = [ch for ch in text[:_SAMPLE] if ch.isalpha()]
    if not letters:
        return True
    accented = sum(1 for ch in letters if ord(ch) > 127)
    return accented * 10 <= len(letters) * 3


def _utf16_without_bom(data: bytes) -> str | None:
    """Which UTF-16 byte order, if NULs sit in alternate bytes as they do for ASCII text."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 2:
        return None
    pairs = len(sample) // 2
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    # Named "utf-16" for little-endian: that codec reads BOM-less text as LE.
    if odd * 10 >= pairs * 3 and even * 20 <= pairs:
        return "utf-16"
    if even * 10 >= pairs * 3 and odd * 20 <= pairs:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess_with_charset_normalizer(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * _SAMPLE]).best()
    if best is None:
        return None
    try:
        encoding = codecs.lookup(best.encoding).name
    except LookupError:
        return None
    text = _strict(data, encoding)
    if text is None or not _looks_like_text(text):
        return None
    return text, encoding


def decode_text(filename: str, data: bytes) -> tuple[str, str]:
    """The text of a text-based upload and the encoding it was in, BOM removed.

    Order matters: a BOM is certain, strict UTF-8 almost never passes by
    accident, and cp1252 is the usual legacy encoding of Western transcripts
    (latin-1 would turn its curly quotes into control characters).
    """
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise _not_text(filename, what)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data, encoding)
            if text is None or not _looks_like_text(text):
                raise _undecodable(filename)
            return text, encoding
    byte_order = _utf16_without_bom(data)
    if byte_order is not None:
        text = _strict(data, "utf-16-le" if byte_order == "utf-16" else byte_order)
        if text is not None and _looks_like_text(text):
            return text, byte_order
    # A stray NUL in a real transcript is removed later, with a warning; binary files have many.
    if len(_RAW_CONTROL.findall(data[:_SAMPLE])) * 100 > len(data[:_SAMPLE]):
        raise _not_text(filename)
    text = _strict(data, "utf-8")
    if text is not None:
        if not _looks_like_text(text):
            raise _not_text(filename)
        return text, "utf-8"
    western = _strict(data, "cp1252")
    if western is not None and _looks_like_text(western) and _mostly_latin(western):
        return western, "cp1252"
    guessed = _guess_with_charset_normalizer(data)
    if guessed is not None:
        return guessed
    if western is not None and _looks_like_text(western):
        return western, "cp1252"
    raise _undecodable(filename)
