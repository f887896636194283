"""The codebook: a tree of codes of any depth, edited while coding, read and written as YAML."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.importers.characters import control_refusal
from workbench.models import Code, Coding, Document, Project
from workbench.services import audit
from workbench.services.errors import Conflict, Invalid, NotFound
from workbench.services.history import undoable

SEPARATOR = "/"
MAX_NAME = 200  # the column's length
TEXT_FIELDS = ("definition", "inclusion", "exclusion", "example")
YAML_KEYS = {"name", "colour", "color", "children", *TEXT_FIELDS}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Used when a code arrives without a colour: a qualitative palette readable behind black text.
PALETTE = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd")


@dataclass(frozen=True)
class CodeNode:
    """A code with its place in the tree, for listings and exports."""

    code: Code
    path: str
    depth: int
    direct_count: int = 0
    total_count: int = 0
    documents: int = 0  # documents with codings of this code or its subcodes
    participants: int = 0  # distinct cases of those documents


def _clean_text(value, what: str) -> str:
    # Refused, not removed: a codebook is typed by people, so the one who typed it decides.
    text = str(value or "").strip()
    refusal = control_refusal(what, text)
    if refusal:
        raise Invalid(refusal)
    return text


def _clean_name(name: str) -> str:
    name = _clean_text(" ".join(str(name or "").split()), f"Code name {name!r}")
    if not name:
        raise Invalid("A code needs a name.")
    if SEPARATOR in name:
        raise Invalid(f"Code names cannot contain {SEPARATOR!r} (it separates levels in a code path): {name!r}.")
    if len(name) > MAX_NAME:
        raise Invalid(f"Code names are limited to {MAX_NAME} characters.")
    return name


def _clean_colour(colour: str | None, fallback_index: int) -> str:
    if not colour:
        return PALETTE[fallback_index % len(PALETTE)]
    if not COLOUR.match(str(colour)):
        raise Invalid(f"Colour {colour!r} is not of the form #rrggbb.")
    return str(colour).lower()


def get_code(session: Session, project_id: int, code_id: int) -> Code:
    code = session.get(Code, code_id)
    if code is None or code.project_id != project_id:
        raise NotFound(f"No code with id {code_id} in this project.")
    return code


def _siblings(session: Session, project_id: int, parent_id: int | None):
    parent_clause = Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id
    return select(Code).where(Code.project_id == project_id, parent_clause)


def check_unique(session: Session, project_id: int, parent_id: int | None, name: str, exclude: int | None = None):
    for sibling in session.scalars(_siblings(session, project_id, parent_id)):
        if sibling.name.casefold() == name.casefold() and sibling.id != exclude:
            raise Invalid(f"There is already a code {name!r} at this level of the codebook.")


def sibling_named(session: Session, project_id: int, parent: Code | None, name: str) -> Code | None:
    """The code called `name` (as create_code would clean it, any case) directly under `parent`."""
    name = _clean_name(name).casefold()
    siblings = session.scalars(_siblings(session, project_id, parent.id if parent else None))
    return next((c for c in siblings if c.name.casefold() == name), None)


def in_vivo_name(quote: str) -> str:
    """A code name made of a participant's own words: whitespace collapsed, the level separator
    replaced, cut at a word boundary to fit the name limit (never inside a character sequence)."""
    name = " ".join(quote.replace(SEPARATOR, "-").split()).strip(" \"'“”‘’«»")
    if len(name) <= MAX_NAME:
        return name
    cut = name[:MAX_NAME - 1]
    cut = cut[:cut.rindex(" ")] if " " in cut else cut
    while cut and unicodedata.combining(name[len(cut)]):  # never part a letter from its accent
        cut = cut[:-1]
    return cut.rstrip() + "…"


@undoable(lambda project, name, *a, **k: f"Created code ‘{' '.join(str(name).split())}’")
def create_code(session: Session, project: Project, name: str, parent: Code | None = None, **fields) -> Code:
    name = _clean_name(name)
    parent_id = parent.id if parent else None
    check_unique(session, project.id, parent_id, name)
    position = max((c.position + 1 for c in session.scalars(_siblings(session, project.id, parent_id))), default=0)
    count = session.scalar(select(func.count(Code.id)).where(Code.project_id == project.id))
    code = Code(
        project_id=project.id,
        parent_id=parent_id,
        name=name,
        position=position,
        colour=_clean_colour(fields.pop("colour", None), count),
        **{k: _clean_text(fields.pop(k), f"The {k} of {name!r}") for k in TEXT_FIELDS if k in fields},
    )
    if fields:
        raise Invalid(f"Unknown code field(s): {', '.join(sorted(fields))}.")
    session.add(code)
    session.flush()
    return code


def _describe_update(code: Code, expected_version=None, **fields) -> str:
    new_name = " ".join(str(fields.get("name") or "").split())
    if new_name and new_name != code.name:
        return f"Renamed ‘{code.name}’ to ‘{new_name}’"
    return f"Edited code ‘{code.name}’"


@undoable(_describe_update)
def update_code(session: Session, code: Code, expected_version: int | None = None, **fields) -> Code:
    """Edit a code. With `expected_version` (the version the editor loaded), a code changed by
    someone else since is refused rather than overwritten."""
    if expected_version is not None and int(expected_version) != code.version:
        raise Conflict(f"{code.name!r} was changed by someone else while you were editing: reload the codebook and make your change again.")
    if "name" in fields:
        name = _clean_name(fields.pop("name"))
        check_unique(session, code.project_id, code.parent_id, name, exclude=code.id)
        code.name = name
    if "colour" in fields:
        code.colour = _clean_colour(fields.pop("colour"), 0)
    for key in TEXT_FIELDS:
        if key in fields:
            setattr(code, key, _clean_text(fields.pop(key), f"The {key} of {code.name!r}"))
    if fields:
        raise Invalid(f"Unknown code field(s): {', '.join(sorted(fields))}.")
    session.flush()
    return code


def descendant_ids(session: Session, code: Code) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for cid, pid in session.execute(select(Code.id, Code.parent_id).where(Code.project_id == code.project_id)):
        children.setdefault(pid, []).append(cid)
    found, stack = set(), [code.id]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


@undoable(lambda code, *a, **k: f"Moved ‘{code.name}’")
def move_code(session: Session, code: Code, new_parent: Code | None, position: int | None = None) -> Code:
    """Re-parent a code (None = top level); its children and codings come with it."""
    if new_parent is not None:
        if new_parent.project_id != code.project_id:
            raise Invalid("A code can only move within its own project's codebook.")
        if new_parent.id == code.id or new_parent.id in descendant_ids(session, code):
            raise Invalid(f"Cannot move {code.name!r} under itself or one of its own subcodes.")
    parent_id = new_parent.id if new_parent else None
    check_unique(session, code.project_id, parent_id, code.name, exclude=code.id)
    siblings = [c for c in session.scalars(_siblings(session, code.project_id, parent_id).order_by(Code.position)) if c.id != code.id]
    position = len(siblings) if position is None else max(0, min(position, len(siblings)))
    siblings.insert(position, code)
    moved = code.parent_id != parent_id
    code.parent_id = parent_id
    for index, sibling in enumerate(siblings):
        sibling.position = index
    session.flush()
    current = audit.current_action(session)
    if current is not None:  # one entry, not one per renumbered sibling
        names = audit.Namer(session)
        where = (f"under ‘{names.code(parent_id)}’" if parent_id else "to the top level") if moved else f"to place {position + 1} among its siblings"
        current.describe("code move", f"{audit.actor_of(session)[1]} moved ‘{code.name}’ {where}", target_type="code",
                         target_id=str(code.id), code_id=code.id)
    return code


def codebook(session: Session, project_id: int, with_counts: bool = False, coder_id: int | None = None) -> list[CodeNode]:
    """The codebook in its order (depth first), with full paths and, on request, coding counts:
    codings of the code itself and with its subcodes, and the documents and participants (cases)
    those codings come from, subcodes included. `coder_id` counts one coder's codings only."""
    codes = list(session.scalars(select(Code).where(Code.project_id == project_id).order_by(Code.position, Code.id)))
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    counts: dict[int, int] = {}
    sources: dict[int, tuple[set, set]] = {}  # code -> (documents, cases) of its own codings
    if with_counts:
        query = (select(Coding.code_id, Coding.document_id, Document.case_id, func.count(Coding.id))
                 .join(Document, Document.id == Coding.document_id).where(Document.project_id == project_id))
        if coder_id is not None:
            query = query.where(Coding.coder_id == coder_id)
        for code_id, document_id, case_id, count in session.execute(query.group_by(Coding.code_id, Coding.document_id, Document.case_id)):
            counts[code_id] = counts.get(code_id, 0) + count
            documents, cases = sources.setdefault(code_id, (set(), set()))
            documents.add(document_id)
            cases.update({case_id} - {None})
    nodes: list[CodeNode] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> tuple[int, set, set]:
        here = [0, set(), set()]
        for code in children.get(parent_id, []):
            path = f"{prefix}{SEPARATOR}{code.name}" if prefix else code.name
            index = len(nodes)
            nodes.append(CodeNode(code, path, depth))
            total, documents, cases = walk(code.id, path, depth + 1)
            own_documents, own_cases = sources.get(code.id, (set(), set()))
            documents, cases, total = documents | own_documents, cases | own_cases, total + counts.get(code.id, 0)
            nodes[index] = CodeNode(code, path, depth, counts.get(code.id, 0), total, len(documents), len(cases))
            here = [here[0] + total, here[1] | documents, here[2] | cases]
        return here[0], here[1], here[2]

    walk(None, "", 0)
    return nodes


def find_code(session: Session, project_id: int, path_or_name: str) -> Code:
    """Resolve a full path ("Trust/Between sectors"), or a leaf name when it is unambiguous."""
    wanted = SEPARATOR.join(part.strip() for part in str(path_or_name).split(SEPARATOR)).casefold()
    nodes = codebook(session, project_id)
    exact = [n.code for n in nodes if n.path.casefold() == wanted]
    if exact:
        return exact[0]
    by_leaf = [n for n in nodes if n.code.name.casefold() == wanted]
    if len(by_leaf) == 1:
        return by_leaf[0].code
    if len(by_leaf) > 1:
        options = "; ".join(n.path for n in by_leaf)
        raise Invalid(f"Code name {path_or_name!r} is ambiguous: use the full path ({options}).")
    raise NotFound(f"Unknown code {path_or_name!r}: it is not in this project's codebook.")


@undoable(lambda project, data: "Imported a codebook")
def import_yaml(session: Session, project: Project, data: bytes | str) -> tuple[int, int]:
    """Merge a YAML codebook into the project: new codes are added, existing paths updated.

    Returns (created, updated). Nothing is written if any entry is invalid."""
    try:
        document = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise Invalid(f"The codebook is not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("codes"), list):
        raise Invalid("A codebook file needs a top-level 'codes:' list (see the README for the format).")
    counts = [0, 0]
    with session.begin_nested():
        _import_level(session, project, document["codes"], None, "", counts)
    return counts[0], counts[1]


def _import_level(session: Session, project: Project, entries: list, parent: Code | None, prefix: str, counts: list[int]):
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or "name" not in entry:
            raise Invalid(f"Every code under {prefix or 'the top level'} needs a 'name'.")
        unknown = set(entry) - YAML_KEYS
        path = f"{prefix}{SEPARATOR}{entry['name']}" if prefix else str(entry["name"])
        if unknown:
            raise Invalid(f"Code {path!r} has unknown field(s): {', '.join(sorted(unknown))}.")
        fields = {k: entry[k] for k in TEXT_FIELDS if k in entry}
        colour = entry.get("colour", entry.get("color"))
        name = _clean_name(entry["name"])
        if name.casefold() in seen:
            raise Invalid(f"The codebook lists {path!r} twice at the same level.")
        seen.add(name.casefold())
        existing = next(
            (c for c in session.scalars(_siblings(session, project.id, parent.id if parent else None)) if c.name.casefold() == name.casefold()),
            None,
        )
        if existing is None:
            code = create_code(session, project, name, parent, colour=colour, **fields)
            counts[0] += 1
        else:
            code = update_code(session, existing, **fields, **({"colour": colour} if colour else {}))
            counts[1] += 1
        children = entry.get("children") or []
        if not isinstance(children, list):
            raise Invalid(f"'children' of {path!r} must be a list.")
        _import_level(session, project, children, code, path, counts)


def export_yaml(session: Session, project: Project) -> str:
    """The codebook in the same YAML format that import_yaml reads."""
    nodes = codebook(session, project.id)
    by_parent: dict[int | None, list[Code]] = {}
    for node in nodes:
        by_parent.setdefault(node.code.parent_id, []).append(node.code)

    def entries(parent_id: int | None) -> list[dict]:
        out = []
        for code in by_parent.get(parent_id, []):
            entry = {"name": code.name, "colour": code.colour}
            entry.update({k: getattr(code, k) for k in TEXT_FIELDS if getattr(code, k)})
            if by_parent.get(code.id):
                entry["children"] = entries(code.id)
            out.append(entry)
        return out

    document = {"name": project.name, "description": project.description or "", "codes": entries(None)}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
