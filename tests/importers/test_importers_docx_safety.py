"""Refusing .docx uploads that are encrypted, damaged, not Word, or zip bombs."""

import io
import zipfile

import docx
import pytest

from workbench.importers import UnreadableFile, parse_transcript
from workbench.importers import archive

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def real_docx(text: str = "P07: hello") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in members.items():
            package.writestr(name, content)
    return buffer.getvalue()


def refused(data: bytes, name: str = "t.docx") -> str:
    with pytest.raises(UnreadableFile) as caught:
        parse_transcript(name, data)
    assert f'"{name}"' in str(caught.value)
    return str(caught.value)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    return buffer.getvalue()


def test_real_docx_passes_the_checks():
    assert parse_transcript("ok.docx", real_docx()).utterances[0].speaker == "P07"


def test_encrypted_docx_says_password_protected():
    message = refused(OLE_MAGIC + b"\x00junk" * 200, "secret.docx")
    assert "password-protected" in message
    assert "File > Info > Protect Document" in message


def test_encrypted_docx_with_encryption_stream_names():
    data = OLE_MAGIC + bytes(200) + "EncryptionInfo".encode("utf-16-le") + bytes(50)
    assert "password-protected" in refused(data)


def test_old_doc_renamed_to_docx():
    data = OLE_MAGIC + bytes(200) + "WordDocument".encode("utf-16-le") + bytes(50)
    assert "older Word .doc" in refused(data)


def test_not_a_zip():
    message = refused(b"P07: this is really a text file")
    assert "not a valid Word document" in message


def test_truncated_docx_is_damaged():
    data = real_docx()
    assert "not a valid Word document" in refused(data[: len(data) // 2])


def test_zip_that_is_not_a_docx():
    message = refused(zip_of({"photo.jpg": b"\xff\xd8\xff" + bytes(100), "readme.txt": b"hi"}))
    assert "zip archive but has no Word document inside" in message


def test_zip_bomb_is_refused_before_parsing(zip_bomb):
    assert len(zip_bomb) < 2 * 1024 * 1024
    message = refused(zip_bomb, "bomb.docx")
    assert "was refused because it expands to far more data" in message


def test_total_uncompressed_limit(monkeypatch):
    # Several modest members can add up; the limit is lowered to keep the test fast.
    monkeypatch.setattr(archive, "MAX_TOTAL_UNCOMPRESSED", 1024 * 1024)
    data = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w/>",
            "word/media/a.bin": bytes(600 * 1024),
            "word/media/b.bin": bytes(600 * 1024),
        }
    )
    assert "over the 1 MB limit" in refused(data)


def test_high_ratio_only_matters_for_big_members():
    # A small, very compressible member is normal for Word XML.
    data = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w/>",
            "word/padding.xml": b" " * (2 * 1024 * 1024),
        }
    )
    with pytest.raises(UnreadableFile) as caught:
        parse_transcript("t.docx", data)
    assert "refused" not in str(caught.value)


@pytest.mark.parametrize("evil", ["../evil", "word/../../evil.xml", "/etc/passwd", "C:/evil", "..\\evil"])
def test_unsafe_member_paths(evil):
    data = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", evil: b"x"})
    assert "unsafe path" in refused(data)


def test_xml_entities_are_refused():
    original = zipfile.ZipFile(io.BytesIO(real_docx()))
    members = {info.filename: original.read(info) for info in original.infolist()}
    members["word/document.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>' + members["word/document.xml"]
    )
    assert "declares XML entities" in refused(zip_of(members))


def test_zip_with_word_names_but_garbage_xml():
    data = zip_of({"[Content_Types].xml": b"not xml", "word/document.xml": b"<w/>"})
    assert "could not be read as a Word document" in refused(data)
