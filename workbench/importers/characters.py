"""Control characters out of imported text: PostgreSQL refuses NUL, and none of them is ever meant.

Every importer (transcripts, REFI sources, codings, case attributes, codebook fields) passes its
text through remove_controls(), so the same characters leave every path in, and the researcher is
told what was removed. Tab, newline and CR stay: they are layout."""
from __future__ import annotations

import re

# C0 controls other than tab, newline and CR; DEL; C1 controls (U+0080-U+009F).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def remove_controls(text: str) -> tuple[str, int]:
    """The text without control characters, and how many were removed."""
    cleaned, count = CONTROL.subn("", text)
    return cleaned, count


def control_refusal(where: str, text: str) -> str | None:
    """For imports that refuse instead (their fields are identifiers or quotes to match): the
    message naming the first control character in `text`, or None when there is none."""
    found = CONTROL.search(text)
    if found is None:
        return None
    line = f" line {text.count(chr(10), 0, found.start()) + 1}" if "\n" in text else ""
    return (f"{where}{line} contains an invisible control character (U+{ord(found.group()):04X}): "
            "remove it and try again. Nothing was imported.")


def removed_warning(where: str, count: int) -> str:
    """The message shown to the researcher after an import that removed characters."""
    return (f"{count:,} control character(s) (such as NUL) were removed from {where}; they are invisible "
            "and cannot be stored. Check the source if it was exported by an unusual tool.")
