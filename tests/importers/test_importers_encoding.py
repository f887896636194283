"""Text encodings of .txt/.vtt/.srt uploads: BOMs, UTF-16, cp1252 and binary junk."""

import codecs

import pytest

from workbench.importers import UnreadableFile, parse_transcript

TRANSCRIPT = "Interviewer: How was the \u201cnew\u201d clinic?\nP07: Caf\u00e9 \u2013 it\u2019s fine \u00a3"
SPANS = [
    ("Interviewer", "How was the \u201cnew\u201d clinic?"),
    ("P07", "Caf\u00e9 \u2013 it\u2019s fine \u00a3"),
]


def spans(doc):
    return [(u.speaker, doc.text[u.start : u.end]) for u in doc.utterances]


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TRANSCRIPT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TRANSCRIPT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TRANSCRIPT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TRANSCRIPT.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + TRANSCRIPT.encode("utf-32-le"), "utf-32"),
        (TRANSCRIPT.encode("utf-16-le"), "utf-16"),
        (TRANSCRIPT.encode("utf-16-be"), "utf-16-be"),
        (TRANSCRIPT.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_decode_to_the_same_text(data, encoding):
    doc = parse_transcript("t.txt", data)
    assert doc.encoding == encoding
    assert doc.text == TRANSCRIPT
    assert not doc.text.startswith("\ufeff")
    assert spans(doc) == SPANS


def test_utf16_with_crlf_line_endings():
    data = codecs.BOM_UTF16_LE + "P07: one\r\n\r\nP08: two\r\n".encode("utf-16-le")
    doc = parse_transcript("t.txt", data)
    assert doc.text == "P07: one\nP08: two"


def test_cp1252_curly_quotes_are_not_read_as_latin1_controls():
    data = "P07: \u2018quoted\u2019 and \u2026 and \u00e9t\u00e9".encode("cp1252")
    doc = parse_transcript("t.txt", data)
    assert doc.encoding == "cp1252"
    assert doc.text == "P07: \u2018quoted\u2019 and \u2026 and \u00e9t\u00e9"


def test_cyrillic_legacy_encoding_is_not_forced_into_cp1252():
    text = "Интервьюер: Расскажите, пожалуйста, о вашей работе в поликлинике и о пациентах.\n" * 5
    doc = parse_transcript("t.txt", text.encode("cp1251"))
    assert doc.encoding != "cp1252"
    assert "Расскажите" in doc.text


def test_bom_only_file_has_no_text():
    with pytest.raises(UnreadableFile, match=r'"t.txt" contains no text'):
        parse_transcript("t.txt", codecs.BOM_UTF8 + b" \r\n\t\r\n")


@pytest.mark.parametrize(
    "data, seems",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Word .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".doc"),
        (b"GIF89a\x01\x00", "GIF"),
    ],
)
def test_renamed_binary_files_are_refused(data, seems):
    with pytest.raises(UnreadableFile) as caught:
        parse_transcript("notes.txt", data)
    message = str(caught.value)
    assert '"notes.txt" does not look like a text file' in message
    assert seems in message


def test_binary_junk_with_nul_bytes_is_not_text():
    junk = bytes([0, 1, 2, 3, 250, 0, 0, 7, 8, 0, 0, 0, 99, 0, 17, 3]) * 64
    with pytest.raises(UnreadableFile, match="does not look like a text file"):
        parse_transcript("data.srt", junk)


def test_control_characters_without_nuls_are_not_text():
    with pytest.raises(UnreadableFile, match="does not look like a text file"):
        parse_transcript("data.txt", bytes(range(1, 32)) * 20 + b"hello")


def test_undecodable_bytes_ask_for_utf8(monkeypatch):
    from workbench.importers import encoding

    # 0x81/0x8d/0x8f/0x90/0x9d are undefined in cp1252 and the whole is not UTF-8;
    # the charset-normalizer fallback is switched off so the outcome is certain.
    monkeypatch.setattr(encoding, "_guess_with_charset_normalizer", lambda data: None)
    data = b"P07: " + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xC3, 0x28]) * 40
    with pytest.raises(UnreadableFile) as caught:
        parse_transcript("odd.txt", data)
    assert str(caught.value).startswith('Could not work out the text encoding of "odd.txt"')
    assert "save it as UTF-8" in str(caught.value)


def test_greek_legacy_encoding_found_by_fallback():
    text = "Συνεντευκτής: Ελληνικά κείμενο για τη συνέντευξη με τον ασθενή και τη νοσηλεύτρια."
    doc = parse_transcript("t.txt", text.encode("cp1253"))
    assert doc.encoding == "cp1253"
    assert doc.text == text


def test_invalid_utf16_after_bom_is_undecodable():
    data = codecs.BOM_UTF16_LE + b"P\x00\x00\xd8"  # lone high surrogate
    with pytest.raises(UnreadableFile, match="text encoding"):
        parse_transcript("t.txt", data)
