"""Documented limits per document (characters, turns/paragraphs), checked before expensive parsing,
and control characters removed with a warning (issue 11, item 7)."""
import codecs
import io
import zipfile

import docx
import pytest

from workbench.importers import Limits, UnreadableFile, parse_transcript
from workbench.importers.limits import DEFAULT_MAX_TURNS


def docx_with_body(body: bytes) -> bytes:
    """A real Word package whose document body is `body` (raw WordprocessingML)."""
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                head, _, rest = data.partition(b"<w:body>")
                data = head + b"<w:body>" + body + b"<w:sectPr/></w:body></w:document>"
            target.writestr(info.filename, data)
    return out.getvalue()


def test_a_small_docx_with_270k_empty_paragraphs_is_refused_before_python_docx_parses_it(monkeypatch):
    data = docx_with_body(b"<w:p/>" * 270_000)
    assert len(data) < 40_000  # a ~29 KB file: the size limit alone would let it through

    def never(*args, **kwargs):  # python-docx must not even start
        raise AssertionError("python-docx was asked to parse the document")

    monkeypatch.setattr(docx, "Document", never)
    with pytest.raises(UnreadableFile, match=r"270,000 paragraphs, over the limit of 50,000"):
        parse_transcript("bomb.docx", data)


def test_docx_characters_are_counted_from_the_xml_too():
    run = b"<w:p><w:r><w:t>" + "é".encode() * 600 + b"</w:t></w:r></w:p>"
    with pytest.raises(UnreadableFile, match=r"6,000 characters, over the limit of 5,000"):
        parse_transcript("long.docx", docx_with_body(run * 10), limits=Limits(max_characters=5_000))
    assert len(parse_transcript("ok.docx", docx_with_body(run * 8), limits=Limits(max_characters=5_000)).text) == 4_807


def test_text_limits_on_characters_lines_and_captions():
    with pytest.raises(UnreadableFile, match=r"characters, over the limit of 1,000"):
        parse_transcript("long.txt", b"P01: " + b"word " * 300, limits=Limits(max_characters=1_000))
    with pytest.raises(UnreadableFile, match=r"101 lines, over the limit of 100"):
        parse_transcript("many.txt", b"P01: yes\n\n" * 101, limits=Limits(max_turns=100))
    assert len(parse_transcript("blank-lines.txt", b"P01: yes\n\n\n" * 50, limits=Limits(max_turns=100)).utterances) == 50
    cues = "".join(f"{i}\n00:00:{i % 60:02d}.000 --> 00:00:{i % 60:02d}.500\nSpeaker {i % 2}: hi\n\n" for i in range(11))
    with pytest.raises(UnreadableFile, match=r"11 captions, over the limit of 10"):
        parse_transcript("c.srt", cues.encode(), limits=Limits(max_turns=10))
    assert DEFAULT_MAX_TURNS == 50_000


def test_nul_and_controls_are_removed_with_a_warning_and_labels_still_found():
    body = "Interviewer: hi\x00 there\nP\x0001: yes\x07 ok, and \x85more " + "words " * 100
    for name, data in (("a.txt", body.encode()), ("a.vtt", ("WEBVTT\n\n00:01.000 --> 00:02.000\n" + body).encode()),
                       ("a.txt", codecs.BOM_UTF16_LE + body.encode("utf-16-le"))):
        parsed = parse_transcript(name, data)
        assert not any(ch in parsed.text for ch in "\x00\x07\x85"), name
        assert "4 control character(s) (such as NUL) were removed" in parsed.warnings[0], name
        assert "P01" in {u.speaker for u in parsed.utterances}, name
    document = docx.Document()
    document.add_paragraph("P\x7f01: hello\x85 there")
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = parse_transcript("a.docx", buffer.getvalue())
    assert parsed.text == "P01: hello there" and parsed.utterances[0].speaker == "P01"
    assert parsed.text[parsed.utterances[0].start:parsed.utterances[0].end] == "hello there"
    assert "2 control character(s)" in parsed.warnings[0]
