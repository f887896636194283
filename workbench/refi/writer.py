"""Writing a RefiProject as project.qde XML and a .qdpx zip, and codes as a .qdc codebook.

Output is reproducible: GUIDs come from the records (see guids.py), no timestamps are written, zip
entries are sorted and dated 1980-01-01, and empty containers (which the schemas reject) are left out."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

from lxml import etree

from .guids import stable_guid
from .model import ORIGIN, RefiCode, RefiProject

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
QUOTE_NAME_LENGTH = 100


def _sub(parent, ns: str, tag: str, **attributes) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{tag}", {k: v for k, v in attributes.items() if v not in (None, "")})


def _codes(parent, ns: str, codes: list[RefiCode], with_notes: bool) -> None:
    container = _sub(parent, ns, "Codes")
    for code in codes:
        _code(container, ns, code, with_notes)


def _code(parent, ns: str, code: RefiCode, with_notes: bool) -> None:
    element = _sub(parent, ns, "Code", guid=code.guid, name=code.name, isCodable="true", color=code.colour)
    if code.description:
        _sub(element, ns, "Description").text = code.description
    if with_notes:
        for guid in code.note_guids:
            _sub(element, ns, "NoteRef", targetGUID=guid)
    for child in code.children:
        _code(element, ns, child, with_notes)


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, standalone=True)


def codebook_xml(codes: list[RefiCode]) -> bytes:
    """A .qdc file (valid against Codebook.xsd when there is at least one code)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN}, nsmap={None: CODEBOOK_NS})
    if codes:
        _codes(root, CODEBOOK_NS, codes, with_notes=False)
    return _serialise(root)


write_codebook = codebook_xml


def source_path(guid: str) -> str:
    return f"internal://{guid}.txt"


def project_xml(project: RefiProject) -> bytes:
    ns = PROJECT_NS
    root = etree.Element(f"{{{ns}}}Project", {"name": project.name, "origin": ORIGIN}, nsmap={None: ns})
    if project.users:
        users = _sub(root, ns, "Users")
        for user in project.users:
            _sub(users, ns, "User", guid=user.guid, name=user.display_name or user.name, id=user.name)
    if project.codes:
        _codes(_sub(root, ns, "CodeBook"), ns, project.codes, with_notes=True)
    variable_names = sorted({name for case in project.cases for name in case.variables})
    if variable_names:
        variables = _sub(root, ns, "Variables")
        for name in variable_names:
            _sub(variables, ns, "Variable", guid=stable_guid("variable", name), name=name, typeOfVariable="Text")
    if project.cases:
        cases = _sub(root, ns, "Cases")
        for case in project.cases:
            element = _sub(cases, ns, "Case", guid=case.guid, name=case.name)
            for name, value in sorted(case.variables.items()):
                variable_value = _sub(element, ns, "VariableValue")
                _sub(variable_value, ns, "VariableRef", targetGUID=stable_guid("variable", name))
                _sub(variable_value, ns, "TextValue").text = value
            for guid in case.source_guids:
                _sub(element, ns, "SourceRef", targetGUID=guid)
    if project.sources:
        sources = _sub(root, ns, "Sources")
        for source in project.sources:
            element = _sub(sources, ns, "TextSource", guid=source.guid, name=source.name, plainTextPath=source_path(source.guid))
            for selection in source.selections:
                quote = (source.text or "")[selection.start:selection.end]
                name = " ".join(quote.split())
                name = name if len(name) <= QUOTE_NAME_LENGTH else name[:QUOTE_NAME_LENGTH - 1] + "…"
                span = _sub(element, ns, "PlainTextSelection", guid=selection.guid, name=name,
                            startPosition=str(selection.start), endPosition=str(selection.end),
                            creatingUser=selection.user_guid)
                if selection.description:
                    _sub(span, ns, "Description").text = selection.description
                for coding in selection.codings:
                    coding_element = _sub(span, ns, "Coding", guid=coding.guid, creatingUser=coding.user_guid)
                    _sub(coding_element, ns, "CodeRef", targetGUID=coding.code_guid)
                    for guid in coding.note_guids:
                        _sub(coding_element, ns, "NoteRef", targetGUID=guid)
                for guid in selection.note_guids:
                    _sub(span, ns, "NoteRef", targetGUID=guid)
            for guid in source.note_guids:
                _sub(element, ns, "NoteRef", targetGUID=guid)
    if project.notes:
        notes = _sub(root, ns, "Notes")
        for note in project.notes:
            element = _sub(notes, ns, "Note", guid=note.guid, name=note.name, creatingUser=note.user_guid)
            _sub(element, ns, "PlainTextContent").text = note.text
    if project.description:
        _sub(root, ns, "Description").text = project.description
    for guid in project.project_note_guids:
        _sub(root, ns, "NoteRef", targetGUID=guid)
    return _serialise(root)


def stable_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip whose bytes depend only on the entries: sorted names, fixed dates and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def write_project(project: RefiProject, progress: Callable[[Iterable], Iterable] | None = None) -> bytes:
    """The .qdpx bytes: project.qde plus sources/<guid>.txt (UTF-8 without BOM, LF line endings)."""
    entries = [("project.qde", project_xml(project))]
    for source in (progress or iter)(project.sources):
        entries.append((f"sources/{source.guid}.txt", (source.text or "").encode("utf-8")))
    return stable_zip(entries)
