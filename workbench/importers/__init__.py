"""Turns uploaded transcript files (.txt, .docx, .vtt, .srt) into plain text and speaker utterances."""

# Kept free of Flask and the database so uploads can be parsed and tested in
# isolation; parse_transcript() either returns a ParsedDocument or raises
# UnreadableFile with a message written for the researcher who uploaded it.

from .model import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_EXTENSIONS,
    ParsedDocument,
    ParsedUtterance,
    UnreadableFile,
)
from .characters import remove_controls, removed_warning
from .limits import Limits
from .upload import parse_transcript

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Limits",
    "SUPPORTED_EXTENSIONS",
    "ParsedDocument",
    "ParsedUtterance",
    "UnreadableFile",
    "parse_transcript",
    "remove_controls",
    "removed_warning",
]
