"""Reading .qdpx projects and .qdc codebooks written by NVivo, ATLAS.ti, MAXQDA and others.

Everything workbench can hold is read (users, nested codes, text sources with their coded
selections, cases and variables, notes); everything else is skipped and named in `warnings`."""
from __future__ import annotations

from collections import Counter

from workbench.importers.characters import remove_controls, removed_warning
from workbench.importers.model import megabytes

from .archive import QdpxArchive, RefiError, parse_xml
from .codes import child, children, local, read_codes, text_of
from .guids import normal_guid
from .model import ORIGIN, RefiCase, RefiCoding, RefiNote, RefiProject, RefiSelection, RefiSource, RefiUser
from .positions import normalise_text, resolve_positions, without_controls

MEDIA_SOURCES = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio", "VideoSource": "video"}
KNOWN = {"Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Description", "NoteRef"}


def _decode(data: bytes, what: str, warnings: list[str]) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"{what} is not UTF-8; it was read as Windows-1252.")
        return data.decode("cp1252", errors="replace")


def read_codebook(data: bytes) -> tuple[list, list[str]]:
    """The codes of a .qdc file (or of a bare project.qde) and the warnings about what was skipped."""
    root = parse_xml(data, "The codebook")
    warnings: list[str] = []
    if local(root) == "Project":
        return read_codes(child(child(root, "CodeBook") or root, "Codes"), warnings), warnings
    if local(root) != "CodeBook":
        raise RefiError(f"This is not a REFI-QDA codebook: its root element is <{local(root)}>, not <CodeBook>.")
    if not (root.nsmap.get(None) or "").startswith("urn:QDA-XML:codebook"):
        warnings.append(f"Unexpected namespace {root.nsmap.get(None)!r}; read as a REFI-QDA codebook anyway.")
    codes = read_codes(child(root, "Codes"), warnings)
    sets = children(child(root, "Sets") if child(root, "Sets") is not None else root, "Set")
    if sets:
        warnings.append(f"Skipped {len(sets)} code set(s) ({', '.join(s.get('name', '') for s in sets)}): workbench has no code sets.")
    return codes, warnings


def read_project(data: bytes, progress=None, max_source_bytes: int | None = None) -> RefiProject:
    """A .qdpx archive (or a bare .qde XML file) as a RefiProject with positions in code points.

    max_source_bytes is the upload limit, applied to each source: a document inside an archive
    may be no bigger than the same document uploaded on its own."""
    archive = QdpxArchive(data) if data[:2] == b"PK" else None
    root = parse_xml(archive.project_xml() if archive else data, "project.qde")
    if local(root) == "CodeBook":
        raise RefiError("This is a codebook (.qdc), not a project: import it as a codebook.")
    if local(root) != "Project":
        raise RefiError(f"This is not a REFI-QDA project: its root element is <{local(root)}>, not <Project>.")
    project = RefiProject(name=(root.get("name") or "Imported project").strip())
    warnings = project.warnings
    for element in root:
        if local(element) and local(element) not in KNOWN:
            warnings.append(f"Skipped <{local(element)}> ({len(element)} item(s)): workbench does not keep {local(element).lower()}.")
    for user in children(child(root, "Users") if child(root, "Users") is not None else [], "User"):
        name = (user.get("id") or user.get("name") or "").strip() or "imported"
        project.users.append(RefiUser(normal_guid(user.get("guid")), name, (user.get("name") or name).strip()))
    project.codes = read_codes(child(child(root, "CodeBook"), "Codes") if child(root, "CodeBook") is not None else None, warnings)
    variables = {normal_guid(v.get("guid")): v.get("name", "") for v in children(child(root, "Variables") if child(root, "Variables") is not None else [], "Variable")}
    for case in children(child(root, "Cases") if child(root, "Cases") is not None else [], "Case"):
        project.cases.append(_case(case, variables, warnings))
    sources = child(root, "Sources")
    skipped = Counter()
    for element in (progress or iter)(list(sources) if sources is not None else []):
        kind = local(element)
        if kind == "TextSource":
            source = _text_source(element, archive, warnings, max_source_bytes)
            if source is not None:
                project.sources.append(source)
        elif kind in MEDIA_SOURCES:
            skipped[MEDIA_SOURCES[kind]] += 1
    if skipped:
        listing = ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items()))
        warnings.append(f"Skipped {listing} source(s): workbench codes text transcripts only.")
    for note in children(child(root, "Notes") if child(root, "Notes") is not None else [], "Note"):
        text = text_of(note, "PlainTextContent")
        if not text and note.get("plainTextPath") and archive is not None:
            raw = archive.source(note.get("plainTextPath"))
            text = _decode(raw, f"Note {note.get('name')!r}", warnings) if raw is not None else ""
        text, removed = remove_controls(normalise_text(text).strip())  # a note's own .txt may hold NULs
        if removed:
            warnings.append(removed_warning(f"note {note.get('name', '')!r}", removed))
        project.notes.append(RefiNote(normal_guid(note.get("guid")), note.get("name", ""), text, normal_guid(note.get("creatingUser"))))
    project.project_note_guids = [normal_guid(e.get("targetGUID")) for e in children(root, "NoteRef")]
    # A workbench export describes itself there (scope, date, codebook): nothing of the project's lost.
    if text_of(root, "Description").strip() and root.get("origin") != ORIGIN:
        warnings.append("The project description was not imported.")
    return project


def _case(element, variables: dict[str, str], warnings: list[str]) -> RefiCase:
    case = RefiCase(normal_guid(element.get("guid")), (element.get("name") or "").strip())
    for value in children(element, "VariableValue"):
        ref = child(value, "VariableRef")
        name = variables.get(normal_guid(ref.get("targetGUID")) if ref is not None else "")
        typed = [v for v in value if local(v).endswith("Value")]
        if name and typed:
            case.variables[name] = (typed[0].text or "").strip()
    case.source_guids = [normal_guid(e.get("targetGUID")) for e in children(element, "SourceRef")]
    if children(element, "CodeRef") or children(element, "SelectionRef"):
        warnings.append(f"Case {case.name!r}: codes and selections attached to the case itself were skipped.")
    return case


def _too_big(name: str, size: int, limit: int | None) -> None:
    if limit is not None and size > limit:
        raise RefiError(f"Source {name!r} is {megabytes(size)}, over the {megabytes(limit)} limit for one document. "
                        "Split it in the tool that made the file, or ask an administrator to raise WORKBENCH_MAX_UPLOAD_MB. "
                        "Nothing was imported.")


def _text_source(element, archive: QdpxArchive | None, warnings: list[str], max_bytes: int | None) -> RefiSource | None:
    name = (element.get("name") or "").strip() or normal_guid(element.get("guid"))
    raw = None
    if child(element, "PlainTextContent") is not None:
        raw = text_of(element, "PlainTextContent")
        _too_big(name, len(raw.encode("utf-8")), max_bytes)
    elif element.get("plainTextPath", "").startswith("internal://") and archive is not None:
        size = archive.source_size(element.get("plainTextPath"))
        _too_big(name, size or 0, max_bytes)  # before reading it: the size is in the zip directory
        data = archive.source(element.get("plainTextPath"))
        raw = _decode(data, name, warnings) if data is not None else None
    selections = children(element, "PlainTextSelection")
    codings = sum(len(children(s, "Coding")) for s in selections) + len(children(element, "Coding"))
    if raw is None:
        warnings.append(f"Source {name!r}: its text ({element.get('plainTextPath') or 'no path'}) is not in the file; "
                        f"the source and its {codings} coding(s) were skipped.")
        return None
    positions = [(_int(s.get("startPosition")), _int(s.get("endPosition"))) for s in selections]
    spans, reading = resolve_positions(raw, positions, [s.get("name", "") for s in selections])
    text, spans, removed = without_controls(normalise_text(raw), spans)
    if removed:
        warnings.append(removed_warning(f"source {name!r}", removed))
    if selections and reading.describe() != "code points":
        warnings.append(f"Source {name!r}: positions were counted in {reading.describe()} (not code points as the spec says) and were converted.")
    source = RefiSource(normal_guid(element.get("guid")), name, text,
                        note_guids=[normal_guid(e.get("targetGUID")) for e in children(element, "NoteRef")])
    whole = children(element, "Coding")
    if whole and text:
        source.selections.append(RefiSelection(source.guid, 0, len(text), codings=[_coding(c, "") for c in whole]))
    for selection, span in zip(selections, spans):
        user = normal_guid(selection.get("creatingUser"))
        if span is None or span[0] >= span[1]:
            warnings.append(f"Source {name!r}: selection {selection.get('name', '')[:40]!r} at {selection.get('startPosition')}–"
                            f"{selection.get('endPosition')} does not fit the text and was skipped.")
            continue
        source.selections.append(RefiSelection(
            normal_guid(selection.get("guid")), span[0], span[1], user, selection.get("name", ""),
            text_of(selection, "Description").strip(),
            [_coding(c, user) for c in children(selection, "Coding")],
            [normal_guid(e.get("targetGUID")) for e in children(selection, "NoteRef")],
        ))
    return source


def _coding(element, fallback_user: str) -> RefiCoding:
    ref = child(element, "CodeRef")
    return RefiCoding(normal_guid(element.get("guid")), normal_guid(ref.get("targetGUID")) if ref is not None else "",
                      normal_guid(element.get("creatingUser")) or fallback_user,
                      [normal_guid(e.get("targetGUID")) for e in children(element, "NoteRef")])


def _int(value: str | None) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1
