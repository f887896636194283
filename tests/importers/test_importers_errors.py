"""Upload-level refusals: extensions, empty and oversized files."""

import pytest

from workbench.importers import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_EXTENSIONS,
    ParsedDocument,
    UnreadableFile,
    parse_transcript,
)


def test_public_constants():
    assert SUPPORTED_EXTENSIONS == (".txt", ".docx", ".vtt", ".srt")
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024
    assert issubclass(UnreadableFile, ValueError)


@pytest.mark.parametrize("name", ["notes.pdf", "notes.doc", "notes", "archive.tar.gz", ".txt"])
def test_unsupported_extension_lists_supported_ones(name):
    with pytest.raises(UnreadableFile) as caught:
        parse_transcript(name, b"P07: hello")
    message = str(caught.value)
    assert f'"{name}"' in message
    assert ".txt, .docx, .vtt, .srt" in message


def test_doc_gets_save_as_advice():
    with pytest.raises(UnreadableFile, match=r"Save As .*\.docx"):
        parse_transcript("old.doc", b"x")


def test_extension_is_case_insensitive_and_path_is_dropped():
    doc = parse_transcript("C:\\Users\\me\\Interview.TXT", b"P07: hi")
    assert isinstance(doc, ParsedDocument)
    with pytest.raises(UnreadableFile, match=r'^"Interview.TXT" is empty'):
        parse_transcript("C:\\Users\\me\\Interview.TXT", b"")


@pytest.mark.parametrize("name", ["a.txt", "a.docx", "a.vtt", "a.srt"])
def test_empty_file(name):
    with pytest.raises(UnreadableFile, match=rf'"{name}" is empty'):
        parse_transcript(name, b"")


@pytest.mark.parametrize("name", ["a.txt", "a.srt"])
def test_whitespace_only_file_has_no_text(name):
    with pytest.raises(UnreadableFile, match=r"contains no"):
        parse_transcript(name, b"  \r\n\r\n\t ")


def test_oversized_file_states_size_and_limit():
    data = b"P07: hello\n" * (3 * 1024 * 1024 // 11 + 1)
    with pytest.raises(UnreadableFile) as caught:
        parse_transcript("big.txt", data, max_bytes=2 * 1024 * 1024)
    message = str(caught.value)
    assert '"big.txt" is 3.0 MB, over the 2 MB limit' in message


def test_default_limit_applies():
    data = b"a" * (DEFAULT_MAX_BYTES + 1)
    with pytest.raises(UnreadableFile, match="over the 20 MB limit"):
        parse_transcript("big.docx", data)


def test_file_at_the_limit_is_accepted():
    data = b"P07: hello"
    assert parse_transcript("ok.txt", data, max_bytes=len(data)).text == "P07: hello"


def test_bytearray_and_memoryview_accepted():
    assert parse_transcript("a.txt", bytearray(b"P07: hi")).text == "P07: hi"
    assert parse_transcript("a.txt", memoryview(b"P07: hi")).text == "P07: hi"


def test_str_data_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_transcript("a.txt", "P07: hi")  # type: ignore[arg-type]
