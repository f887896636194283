"""REFI-QDA exchange: .qdpx projects and .qdc codebooks, read and written. Pure: no Flask, no database.

This package is the only place where REFI-QDA character positions are converted to and from the
code-point offsets used everywhere else in workbench."""
from .model import RefiCase, RefiCode, RefiCoding, RefiNote, RefiProject, RefiSelection, RefiSource, RefiUser
from .reader import RefiError, read_codebook, read_project
from .writer import write_codebook, write_project

__all__ = [
    "RefiCase", "RefiCode", "RefiCoding", "RefiError", "RefiNote", "RefiProject", "RefiSelection",
    "RefiSource", "RefiUser", "read_codebook", "read_project", "write_codebook", "write_project",
]
