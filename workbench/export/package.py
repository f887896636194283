"""Reproducible Office packages (DOCX, XLSX): fixed dates inside and on every zip entry."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def stable_package(data: bytes) -> bytes:
    """Rewrite an Office zip with fixed entry dates, so the same content gives the same bytes.

    python-docx and openpyxl stamp every zip entry with the current time, and openpyxl's save also
    sets the document's "modified" property to now, whatever we set before."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(fixed, content)
    return buffer.getvalue()
