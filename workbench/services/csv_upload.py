"""Reading a researcher's CSV upload (cases, codings) in whatever encoding their spreadsheet saved."""
from __future__ import annotations

import csv
import io

from workbench.importers import UnreadableFile
from workbench.importers.characters import control_refusal
from workbench.importers.encoding import decode_text
from workbench.services.errors import Invalid


def csv_rows(filename: str, data: bytes) -> csv.DictReader:
    """Rows of a CSV upload. A control character is refused rather than removed: in a participant
    id or a quote to match it changes what the row means, so the researcher decides."""
    try:
        text, _encoding = decode_text(filename, data)
    except UnreadableFile as exc:
        raise Invalid(str(exc)) from None
    refusal = control_refusal(f'"{filename}"', text)
    if refusal:
        raise Invalid(refusal)
    return csv.DictReader(io.StringIO(text))
