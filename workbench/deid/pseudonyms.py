"""Pseudonyms from type templates, numbered in order of first appearance, one per term across a project.

"Dr Patel" -> "[GP 1]" when the person's role is known (a participant's case attribute `role`),
else "[Person 1]"; places "[Town A]", organisations "[Organisation A]"; structured identifiers
"[Email 1]", "[Phone 1]", ...; candidate names nobody typed yet "[Name 1]"."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

LETTERED = {"place": "Town", "organisation": "Organisation"}
NUMBERED = {"person": "Person", "name": "Name", "email": "Email", "phone": "Phone", "postcode": "Postcode",
            "nhs number": "NHS number", "date of birth": "Date of birth", "url": "URL"}


def letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (spreadsheet columns)."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


class Templates:
    """Hands out the next pseudonym per template; `taken` pseudonyms already in the map are skipped."""

    def __init__(self, taken: Iterable[str] = ()):
        self.taken = set(taken)
        self.counts: dict[str, int] = defaultdict(int)

    def next(self, kind: str, role: str | None = None) -> str:
        lettered = kind in LETTERED and not role
        label = (role.strip() if role and role.strip() else None) or LETTERED.get(kind) or NUMBERED.get(kind, "Name")
        while True:
            self.counts[label] += 1
            n = self.counts[label]
            pseudonym = f"[{label} {letters(n) if lettered else n}]"
            if pseudonym not in self.taken:
                self.taken.add(pseudonym)
                return pseudonym
