"""Checks an uploaded transcript's name and size, then hands it to the reader for its format."""

from __future__ import annotations

from .captions import read_captions
from .characters import remove_controls, removed_warning
from .encoding import decode_text
from .limits import Limits, check_characters, check_text, check_turns
from .model import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_EXTENSIONS,
    ParsedDocument,
    UnreadableFile,
    megabytes,
    quoted,
)
from .transcript import assemble, plain_paragraphs
from .word import read_word_document

# Formats researchers often try, with the conversion that gets them in.
_ADVICE = {
    ".doc": "Open it in Word and use File > Save As to save it as a Word Document (.docx).",
    ".rtf": "Open it in Word and save it as a Word Document (.docx).",
    ".pdf": "Export or copy the transcript into a Word .docx or plain-text .txt file.",
    ".odt": "Open it and save it as a Word Document (.docx).",
    ".pages": "Export it from Pages as a Word Document (.docx).",
}


def _display_name(filename: str) -> str:
    # Browsers on Windows have been known to send the full client-side path.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or "The uploaded file"


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


def _check_upload(name: str, extension: str, data: bytes, max_bytes: int) -> None:
    supported = ", ".join(SUPPORTED_EXTENSIONS)
    if extension not in SUPPORTED_EXTENSIONS:
        kind = f"{extension} files are" if extension else "Files without an extension are"
        advice = _ADVICE.get(extension, f"Save the transcript as one of: {supported}.")
        raise UnreadableFile(
            f"{quoted(name)} cannot be imported: {kind} not supported "
            f"(supported: {supported}). {advice}"
        )
    if not data:
        raise UnreadableFile(
            f"{quoted(name)} is empty (0 bytes). Check you picked the right file, "
            "or save it again and upload the new copy."
        )
    if len(data) > max_bytes:
        raise UnreadableFile(
            f"{quoted(name)} is {megabytes(len(data))}, over the {megabytes(max_bytes)} "
            "limit for one transcript. Remove embedded images or split it into smaller "
            "files, then upload again."
        )


def parse_transcript(
    filename: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits | None = None
) -> ParsedDocument:
    """Turns an uploaded file into a ParsedDocument, or raises UnreadableFile saying why not.

    `limits` (size, characters, turns) defaults to the documented limits with `max_bytes`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    limits = limits or Limits(max_bytes=max_bytes)
    data = bytes(data)
    name = _display_name(filename or "")
    extension = _extension(name)
    _check_upload(name, extension, data, limits.max_bytes)
    if extension == ".docx":
        parsed = read_word_document(name, data, limits)
    else:
        text, encoding = decode_text(name, data)
        # Removed before speaker labels are looked for, so "P\x0001:" is still P01's turn.
        text, removed = remove_controls(text)
        warnings = (removed_warning(quoted(name), removed),) if removed else ()
        # Captions exported with a .txt name are still captions.
        captions = extension in (".vtt", ".srt") or text.lstrip().startswith("WEBVTT")
        check_text(name, text, limits, captions)
        if captions:
            parsed = read_captions(name, text, encoding, warnings)
        else:
            parsed = assemble(name, plain_paragraphs(text), encoding=encoding, warnings=warnings)
    # What the format-specific checks could only estimate, measured on the result.
    check_characters(name, len(parsed.text), limits)
    check_turns(name, len(parsed.utterances), limits)
    return parsed
