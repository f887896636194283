"""Opening .qdpx archives and REFI XML safely: hostile zips and XML are refused with a reason."""
from __future__ import annotations

import io
import zipfile

from lxml import etree

MAX_ENTRIES = 20_000
MAX_TOTAL_BYTES = 1_000_000_000  # what all entries would unpack to
MAX_ENTRY_BYTES = 200_000_000
MAX_RATIO = 200  # a deflated text compresses ~10x; thousands-fold is a zip bomb


class RefiError(Exception):
    """The file is not a REFI-QDA file we can read; the message says why and what to do."""


def _parser() -> etree.XMLParser:
    # No DTDs, no entity expansion, no network: an XML file can neither read local files nor explode.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _declares_dtd(data: bytes) -> bool:
    head = data[:65536]
    return any(mark in head for mark in (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")))


def parse_xml(data: bytes, what: str) -> etree._Element:
    if _declares_dtd(data):
        raise RefiError(f"{what} declares a DTD (<!DOCTYPE ...>); REFI-QDA files never do, so it is refused.")
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise RefiError(f"{what} is not complete, well-formed XML (was it cut short?): {exc}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise RefiError(f"{what} declares a DTD (<!DOCTYPE ...>); REFI-QDA files never do, so it is refused.")
    return tree.getroot()


class QdpxArchive:
    """A checked .qdpx: exactly one .qde, a case-insensitive view of sources/, size limits enforced."""

    def __init__(self, data: bytes):
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError):
            raise RefiError("This is not a .qdpx file: a .qdpx is a zip archive holding a project.qde.") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise RefiError(f"The archive holds {len(infos)} entries, more than the {MAX_ENTRIES} allowed.")
        total = 0
        self._files: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = name.split("/")
            if name.startswith("/") or ".." in parts or ":" in parts[0]:
                raise RefiError(f"The archive entry {info.filename!r} points outside the archive; the file is refused.")
            if info.is_dir():
                continue
            if info.file_size > MAX_ENTRY_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 1_000_000:
                raise RefiError(f"The archive entry {info.filename!r} would unpack to {info.file_size:,} bytes: refused as a zip bomb.")
            total += info.file_size
            self._files[name.casefold()] = info
        if total > MAX_TOTAL_BYTES:
            raise RefiError(f"The archive would unpack to {total:,} bytes, more than allowed.")
        qde = [key for key in self._files if "/" not in key and key.endswith(".qde")]
        if len(qde) != 1:
            found = "none" if not qde else ", ".join(self._files[k].filename for k in qde)
            raise RefiError(f"A .qdpx must hold exactly one .qde file at its top level (found {found}).")
        self.qde_name = self._files[qde[0]].filename

    def read(self, name: str) -> bytes:
        # zipfile stops at the declared size and checks the CRC, so a lying header cannot overflow.
        return self._zip.read(self._files[name.casefold()])

    def project_xml(self) -> bytes:
        return self.read(self.qde_name)

    def _source_info(self, internal_path: str) -> zipfile.ZipInfo | None:
        name = internal_path.split("://", 1)[-1].lstrip("/")
        if "/" in name or name in ("", ".", ".."):
            return None
        return self._files.get(f"sources/{name}".casefold())

    def source_size(self, internal_path: str) -> int | None:
        """What `internal://name` unpacks to, from the zip directory (zipfile stops reading there)."""
        info = self._source_info(internal_path)
        return None if info is None else info.file_size

    def source(self, internal_path: str) -> bytes | None:
        """The bytes of `internal://name` (sources/ or Sources/, any case), or None if absent."""
        info = self._source_info(internal_path)
        return None if info is None else self._zip.read(info)

    def names(self) -> list[str]:
        return sorted(info.filename for info in self._files.values())
