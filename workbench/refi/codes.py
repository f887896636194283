"""Reading REFI-QDA code trees: nesting, ATLAS.ti's `Parent::Child` names, same-named siblings."""
from __future__ import annotations

from lxml import etree

from .guids import normal_guid, stable_guid
from .model import RefiCode

HIERARCHY_MARK = "::"  # ATLAS.ti writes code groups into names: "Coke::diet Coke"


def local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element, name: str) -> list:
    return [child for child in element if local(child) == name]


def child(element, name: str):
    found = children(element, name)
    return found[0] if found else None


def text_of(element, name: str) -> str:
    found = child(element, name)
    return (found.text or "") if found is not None else ""


def colour(value: str | None) -> str:
    value = (value or "").strip().lower()
    if len(value) == 4 and value.startswith("#"):
        value = "#" + "".join(c * 2 for c in value[1:])
    return value if len(value) == 7 and value.startswith("#") else ""


def read_codes(codes_element, warnings: list[str]) -> list[RefiCode]:
    """The nested codes under a <Codes> element, with `::` names unfolded and duplicates merged."""
    if codes_element is None:
        return []
    return _level([_code(e, warnings) for e in children(codes_element, "Code")], "", warnings)


def _code(element, warnings: list[str]) -> RefiCode:
    code = RefiCode(
        guid=normal_guid(element.get("guid")),
        name=(element.get("name") or "").strip() or "Unnamed code",
        colour=colour(element.get("color")),
        description=text_of(element, "Description").strip(),
        children=[_code(e, warnings) for e in children(element, "Code")],
        note_guids=[normal_guid(e.get("targetGUID")) for e in children(element, "NoteRef")],
    )
    if element.get("isCodable", "true").strip().lower() in ("false", "0"):
        warnings.append(f"Code {code.name!r} is marked not codable in the file; workbench codes are always codable.")
    return code


def _level(codes: list[RefiCode], prefix: str, warnings: list[str]) -> list[RefiCode]:
    out: list[RefiCode] = []
    by_name: dict[str, RefiCode] = {}

    def place(code: RefiCode, parts: list[str], at: list[RefiCode], index: dict[str, RefiCode], path: str):
        head = parts[0].strip()
        full = f"{path}/{head}" if path else head
        if len(parts) > 1:
            group = index.get(head.casefold())
            if group is None:
                group = RefiCode(guid=stable_guid("code-group", full.casefold()), name=head)
                index[head.casefold()] = group
                at.append(group)
            sub_index = {c.name.casefold(): c for c in group.children}
            place(code, parts[1:], group.children, sub_index, full)
            return
        code.name = head
        existing = index.get(head.casefold())
        if existing is None:
            index[head.casefold()] = code
            at.append(code)
            return
        if existing.guid == stable_guid("code-group", full.casefold()) and not existing.aliases:
            # A group made up from `Parent::Child` names meets the real `Parent` code: it takes its place.
            existing.aliases.append(existing.guid)
            existing.guid = code.guid
        else:
            warnings.append(f"Two codes are called {full!r} at the same level; they were merged into one.")
            existing.aliases.append(code.guid)
        existing.aliases.extend(code.aliases)
        existing.colour = existing.colour or code.colour
        existing.description = existing.description or code.description
        existing.note_guids.extend(code.note_guids)
        existing.children.extend(code.children)

    for code in codes:
        place(code, code.name.split(HIERARCHY_MARK), out, by_name, prefix)
    for code in out:
        path = f"{prefix}/{code.name}" if prefix else code.name
        code.children = _level(code.children, path, warnings)
    return out
