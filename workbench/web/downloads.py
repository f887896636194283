"""Every file the app sends for download leaves through attachment(): one safe Content-Disposition.

File names carry project names, attribute names and units that people typed, so they may hold
quotes, semicolons, line breaks or any script. The name is cleaned of what no file system or
header should carry, and werkzeug writes it as RFC 6266 `filename*=UTF-8''...` with an ASCII
`filename=` fallback for old clients."""
from __future__ import annotations

import io
import re
import unicodedata

from flask import request, send_file

from workbench.services.exports import MIMETYPES

# Control characters, path separators and what Windows refuses in names, plus quotes and ';'
# that would end a header parameter in a client that ignores quoting.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*;]+')
_LONGEST_NAME = 150


def download_name(*parts: str, ext: str) -> str:
    """The parts joined by '-', each with unsafe characters turned into single spaces."""
    stem = "-".join(" ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFC", p)).split()) for p in parts if p)
    stem = stem.strip(" .-")[:_LONGEST_NAME].rstrip(" .-") or "download"
    return f"{stem}.{ext}"


def attachment(data: bytes, *parts: str, ext: str):
    """A response that downloads `data` as a file named from `parts` with extension `ext`."""
    return send_file(io.BytesIO(data), mimetype=MIMETYPES.get(ext, "application/octet-stream"),
                     as_attachment=True, download_name=download_name(*parts, ext=ext), max_age=0)


def wants_raw() -> bool:
    """`?raw=1` on a CSV download: cells exactly as stored, for data pipelines (see export/tables.py)."""
    return request.args.get("raw", "") in ("1", "true", "yes")
