"""Plain records of a REFI-QDA project, shared by the reader and the writer."""
from __future__ import annotations

from dataclasses import dataclass, field

ORIGIN = "workbench"  # the origin attribute of the files we write


@dataclass
class RefiUser:
    guid: str
    name: str  # a user name in workbench (written as the REFI `id`, and as `name` too)
    display_name: str = ""


@dataclass
class RefiCode:
    guid: str
    name: str
    colour: str = ""
    description: str = ""
    children: list[RefiCode] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # GUIDs of same-named codes merged into this one


@dataclass
class RefiCoding:
    guid: str
    code_guid: str
    user_guid: str = ""
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    """A span of a text source: [start, end) in code points of `RefiSource.text` once read."""

    guid: str
    start: int
    end: int
    user_guid: str = ""
    name: str = ""
    description: str = ""
    codings: list[RefiCoding] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    guid: str
    name: str
    text: str | None  # None when the qdpx did not carry the text (a warning says so)
    selections: list[RefiSelection] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiCase:
    guid: str
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    source_guids: list[str] = field(default_factory=list)


@dataclass
class RefiNote:
    guid: str
    name: str
    text: str
    user_guid: str = ""


@dataclass
class RefiProject:
    name: str
    users: list[RefiUser] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    project_note_guids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    description: str = ""  # the project's <Description>: what the file holds (scope, date, codebook)

    def all_codes(self):
        """Depth-first (code, parent) pairs, in codebook order."""
        stack = [(c, None) for c in reversed(self.codes)]
        while stack:
            code, parent = stack.pop()
            yield code, parent
            stack.extend((child, code) for child in reversed(code.children))
