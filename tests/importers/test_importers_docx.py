"""Word .docx transcripts built with python-docx: bold names, plain labels, tables."""

import io

import docx
import pytest
from docx.enum.text import WD_BREAK

from workbench.importers import parse_transcript


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_bold_turn(document, name: str, words: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(name).bold = True
    paragraph.add_run(words)


def turns(doc):
    return [(u.speaker, doc.text[u.start : u.end], u.timestamp) for u in doc.utterances]


def test_bold_speaker_names_without_usual_pattern():
    document = docx.Document()
    document.add_heading("Interview with Dr Patel", level=1)
    document.add_paragraph("")
    add_bold_turn(document, "Interviewer", " So how long have you worked here?")
    add_bold_turn(document, "Dr Patel:", " About six years.")
    add_bold_turn(document, "Mrs de Souza", ": I was her patient.")
    document.add_paragraph("She was always kind.")
    doc = parse_transcript("patel.docx", save(document))
    assert doc.encoding is None
    assert doc.text == (
        "Interview with Dr Patel\nInterviewer So how long have you worked here?\n"
        "Dr Patel: About six years.\nMrs de Souza: I was her patient.\nShe was always kind."
    )
    assert turns(doc) == [
        (None, "Interview with Dr Patel", None),
        ("Interviewer", "So how long have you worked here?", None),
        ("Dr Patel", "About six years.", None),
        ("Mrs de Souza", "I was her patient.\nShe was always kind.", None),
    ]
    assert doc.warnings == ()


def test_bold_emphasis_in_speech_is_not_a_label():
    document = docx.Document()
    document.add_paragraph("P07: first")
    add_bold_turn(document, "never", " have I been so tired.")
    add_bold_turn(document, "Really?", " yes.")
    bold_line = document.add_paragraph()
    bold_line.add_run("Section Two Findings").bold = True
    doc = parse_transcript("x.docx", save(document))
    assert [u.speaker for u in doc.utterances] == ["P07"]
    assert doc.text.endswith("Section Two Findings")


def test_plain_labels_timestamps_and_soft_breaks():
    document = docx.Document()
    document.add_paragraph("[00:00:05] Interviewer: Welcome.")
    paragraph = document.add_paragraph("P07 [00:00:09]: Thanks.")
    paragraph.add_run().add_break(WD_BREAK.LINE)
    paragraph.add_run("Interviewer: (00:01:00) Next question.")
    document.add_paragraph("   ")
    document.add_paragraph("P07: \U0001F600 caf\u0065\u0301")
    doc = parse_transcript("t.docx", save(document))
    assert doc.text == (
        "[00:00:05] Interviewer: Welcome.\nP07 [00:00:09]: Thanks.\n"
        "Interviewer: (00:01:00) Next question.\nP07: \U0001F600 caf\u0065\u0301"
    )
    assert turns(doc) == [
        ("Interviewer", "Welcome.", 5.0),
        ("P07", "Thanks.", 9.0),
        ("Interviewer", "Next question.", 60.0),
        ("P07", "\U0001F600 caf\u0065\u0301", None),
    ]


def test_table_transcript_rows_become_utterances():
    document = docx.Document()
    document.add_paragraph("Focus group 2")
    table = document.add_table(rows=0, cols=2)
    for speaker, words in [
        ("Speaker", "Text"),
        ("Facilitator", "What matters most?"),
        ("GP 2:", "Continuity of care."),
        ("Sarah Jones", "Being listened to."),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = speaker, words
    cells = table.add_row().cells
    cells[0].text = "P07"
    cells[1].text = "First line."
    cells[1].add_paragraph("Second line.")
    doc = parse_transcript("fg.docx", save(document))
    assert doc.text == (
        "Focus group 2\nSpeaker\nText\nFacilitator: What matters most?\n"
        "GP 2: Continuity of care.\nSarah Jones: Being listened to.\n"
        "P07: First line.\nSecond line."
    )
    assert turns(doc)[-4:] == [
        ("Facilitator", "What matters most?", None),
        ("GP 2", "Continuity of care.", None),
        ("Sarah Jones", "Being listened to.", None),
        ("P07", "First line.\nSecond line.", None),
    ]
    assert all(u.speaker is None for u in doc.utterances[:3])


def test_three_column_table_with_times():
    document = docx.Document()
    table = document.add_table(rows=0, cols=3)
    for time, speaker, words in [("00:01:02", "Interviewer", "Hello."), ("[00:01:10]", "R1", "Hi.")]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = time, speaker, words
    doc = parse_transcript("t.docx", save(document))
    assert turns(doc) == [("Interviewer", "Hello.", 62.0), ("R1", "Hi.", 70.0)]


def test_non_transcript_table_is_kept_as_paragraphs():
    document = docx.Document()
    document.add_paragraph("Interviewer: hello")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Age"
    table.rows[0].cells[1].text = "45"
    doc = parse_transcript("t.docx", save(document))
    assert doc.text == "Interviewer: hello\nAge\n45"
    assert turns(doc) == [("Interviewer", "hello\nAge\n45", None)]


def test_docx_without_labels_warns():
    document = docx.Document()
    document.add_paragraph("just some notes")
    doc = parse_transcript("n.docx", save(document))
    assert turns(doc) == [(None, "just some notes", None)]
    assert doc.warnings


def test_empty_docx_has_no_text():
    with pytest.raises(Exception, match='"e.docx" contains no text'):
        parse_transcript("e.docx", save(docx.Document()))


def test_bold_name_then_soft_break():
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("Dr Patel").bold = True
    paragraph.add_run().add_break(WD_BREAK.LINE)
    paragraph.add_run("It depends on the day.")
    add_bold_turn(document, "P07\t", "Mine too.")
    doc = parse_transcript("t.docx", save(document))
    assert doc.text == "Dr Patel\nIt depends on the day.\nP07\tMine too."
    assert turns(doc) == [("Dr Patel", "It depends on the day.", None), ("P07", "Mine too.", None)]


def test_bold_style_inherited_from_character_style():
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("Mrs van der Berg", style="Strong")
    paragraph.add_run(" \u2013 we were short-staffed.")
    plain = document.add_paragraph("Mrs van der Berg \u2013 not bold, so not a label.")
    assert plain.runs[0].bold is None
    doc = parse_transcript("t.docx", save(document))
    assert turns(doc) == [
        ("Mrs van der Berg", "we were short-staffed.\nMrs van der Berg \u2013 not bold, so not a label.", None)
    ]
