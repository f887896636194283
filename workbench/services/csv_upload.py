"""Reading a researcher's CSV upload (cases, codings) in whatever encoding their spreadsheet saved."""
from __future__ import annotations

import csv
import io

from workbench.importers import UnreadableFile
from workbench.importers.encoding import decode_text
from workbench.services.errors import Invalid


def csv_rows(filename: str, data: bytes) -> csv.DictReader:
    try:
        text, _encoding = decode_text(filename, data)
    except UnreadableFile as exc:
        raise Invalid(str(exc)) from None
    return csv.DictReader(io.StringIO(text))
