"""Turns uploaded transcript files (.txt, .docx, .vtt, .srt) into plain text and speaker utterances.

Pure: no Flask, no database. The only entry point is parse_transcript(); it
returns a ParsedDocument or raises UnreadableFile with a message meant for
the researcher who uploaded the file.
"""

from .model import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_EXTENSIONS,
    ParsedDocument,
    ParsedUtterance,
    UnreadableFile,
)
from .upload import parse_transcript

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "ParsedDocument",
    "ParsedUtterance",
    "UnreadableFile",
    "parse_transcript",
]
