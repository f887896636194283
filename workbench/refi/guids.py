"""Deterministic GUIDs for exports, and the one way GUIDs from other tools are compared."""
from __future__ import annotations

import uuid

# A fixed namespace: the same content always gets the same GUID, in any project and on any machine,
# so exports are reproducible and diffable, and a round trip keeps every GUID.
NAMESPACE = uuid.UUID("6f1b8f0e-2d4a-5c8e-9b7a-3e2f1d0c4b5a")


def stable_guid(kind: str, *key: object) -> str:
    """A GUID for (kind, key...): e.g. stable_guid("code", "Trust/Between sectors")."""
    text = "\x1f".join([kind, *(str(part) for part in key)])
    return str(uuid.uuid5(NAMESPACE, text))


def normal_guid(value: str | None) -> str:
    """GUIDs arrive in upper or lower case, sometimes in braces: compare them in one form."""
    return (value or "").strip().strip("{}").lower()
