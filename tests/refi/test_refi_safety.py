"""Hostile or broken files are refused with a reason: zip bombs, path traversal, DTDs and entities."""
import io
import zipfile
from pathlib import Path

import pytest

from workbench.refi import RefiError, read_codebook, read_project

DATA = Path(__file__).parent / "data"
QDE = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'


def zipped(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused():
    with pytest.raises(RefiError, match="zip bomb"):
        read_project(zipped([("project.qde", QDE), ("sources/a.txt", b"0" * 50_000_000)]))


def test_path_traversal_is_refused():
    with pytest.raises(RefiError, match="outside the archive"):
        read_project(zipped([("project.qde", QDE), ("../../etc/evil.txt", b"x")]))
    with pytest.raises(RefiError, match="outside the archive"):
        read_project(zipped([("project.qde", QDE), ("/abs.txt", b"x")]))


def test_exactly_one_qde_case_insensitive():
    assert read_project(zipped([("Project.QDE", QDE)])).name == "x"
    with pytest.raises(RefiError, match="exactly one .qde"):
        read_project(zipped([("a.qde", QDE), ("b.qde", QDE)]))
    with pytest.raises(RefiError, match="exactly one .qde"):
        read_project(zipped([("sources/x.txt", b"x")]))


def test_not_a_zip_or_xml():
    with pytest.raises(RefiError):
        read_project(b"PK\x03\x04 not really")
    with pytest.raises(RefiError, match="well-formed"):
        read_project(b"hello")


def test_external_entities_and_dtds_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY s SYSTEM "file://{secret}">]>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&s;"/>').encode()
    with pytest.raises(RefiError, match="DTD"):
        read_project(xxe)
    laughs = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
              '<Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="&c;" isCodable="true"/></Codes></CodeBook>').encode()
    with pytest.raises(RefiError, match="DTD"):
        read_codebook(laughs)


def test_truncated_codebook_is_refused_clearly():
    with pytest.raises(RefiError, match="not complete, well-formed XML"):
        read_codebook((DATA / "requal-atlasti-23.4.0-truncated.qdc").read_bytes())


def test_project_and_codebook_are_not_confused():
    with pytest.raises(RefiError, match="codebook"):
        read_project((DATA / "spec-annexA1-codebook.qdc").read_bytes())
    with pytest.raises(RefiError, match="not a REFI-QDA codebook"):
        read_codebook(b"<Other/>")
