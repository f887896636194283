"""Checks a .docx upload is a safe, genuine Word zip package before anything parses it."""

from __future__ import annotations

import io
import zipfile
import zlib

from .limits import Limits, check_word_xml
from .model import UnreadableFile, megabytes, quoted

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_CHECK_ABOVE = 10 * 1024 * 1024
MAX_MEMBERS = 10_000
REQUIRED_MEMBERS = ("[Content_Types].xml", "word/document.xml")

# Word writes these names into the OLE container it wraps encrypted documents in.
_ENCRYPTION_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_LEGACY_WORD_MARKER = "WordDocument".encode("utf-16-le")


def _not_word(filename: str, detail: str) -> UnreadableFile:
    return UnreadableFile(
        f"{quoted(filename)} is not a valid Word document ({detail}). Open it in Word, "
        "use File > Save As to save it as a Word Document (.docx), and upload it again."
    )


def _check_ole(filename: str, data: bytes) -> None:
    """Word saves password-protected .docx files as OLE2 containers, not zips."""
    if any(marker in data for marker in _ENCRYPTION_MARKERS) or _LEGACY_WORD_MARKER not in data:
        raise UnreadableFile(
            f"{quoted(filename)} is password-protected: remove the password in Word "
            "(File > Info > Protect Document) and upload it again."
        )
    raise UnreadableFile(
        f"{quoted(filename)} is an older Word .doc file renamed to .docx. Open it in Word, "
        "use File > Save As to save it as a Word Document (.docx), and upload it again."
    )


def _unsafe_path(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts


def _refuse(filename: str, reason: str) -> UnreadableFile:
    return UnreadableFile(
        f"{quoted(filename)} was refused because {reason}. This is not what Word produces; "
        "open the document in Word, save it again as .docx, and upload the new copy."
    )


def _check_members(filename: str, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise _refuse(filename, f"it contains {len(members)} files")
    total = 0
    for member in members:
        if _unsafe_path(member.filename):
            raise _refuse(filename, f"it contains a file with an unsafe path ({member.filename!r})")
        if member.flag_bits & 0x1:
            raise UnreadableFile(
                f"{quoted(filename)} is password-protected: remove the password in Word "
                "(File > Info > Protect Document) and upload it again."
            )
        total += member.file_size
        # Word packages compress XML roughly 5-20 times; far more means a zip bomb.
        if member.file_size > RATIO_CHECK_ABOVE and (
            member.compress_size == 0 or member.file_size / member.compress_size > MAX_RATIO
        ):
            raise _refuse(filename, "it expands to far more data than a Word document holds")
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _refuse(
            filename,
            f"it expands to {megabytes(total)}, over the {megabytes(MAX_TOTAL_UNCOMPRESSED)} limit",
        )


def _check_xml(filename: str, package: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Word never writes a DTD; one in the package could only be an entity-expansion attack."""
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            head = package.read(member)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise _refuse(filename, f"{member.filename} declares XML entities")
            if member.filename == "word/document.xml":
                check_word_xml(filename, head, limits)


def check_word_package(filename: str, data: bytes, limits: Limits = Limits()) -> None:
    """Raises UnreadableFile unless data is a zip that looks like a Word document and is safe to open."""
    if data.startswith(OLE2_MAGIC):
        _check_ole(filename, data)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _not_word(filename, "it is damaged or is not a .docx file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            _check_members(filename, members)
            names = {member.filename for member in members}
            if not all(required in names for required in REQUIRED_MEMBERS):
                raise _not_word(filename, "it is a zip archive but has no Word document inside")
            _check_xml(filename, package, members, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, zlib.error) as exc:
        raise _not_word(filename, "it is damaged") from exc
