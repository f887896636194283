"""Importing transcripts into a project: all or nothing, idempotent, linked to cases."""
import io
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

from workbench.models import Document, Utterance
from workbench.services import cases, documents, projects
from workbench.services.errors import Invalid

SAMPLES = Path(__file__).resolve().parent.parent / "transcripts_sample"


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def word_file(paragraphs):
    document = docx.Document()
    for speaker, said in paragraphs:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker}:").bold = True
        paragraph.add_run(f" {said}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_import_stores_turns_with_code_point_offsets(session):
    project = projects.create_project(session, "Word")
    data = word_file([("Interviewer", "Tell me about the café 🙂 group."), ("GP2", "It's where we send people.")])
    document, created = documents.import_document(session, project, "GP2_interview.docx", data)
    assert created and document.name == "GP2_interview" and document.encoding is None
    turns = [(u.speaker, document.text[u.start:u.end]) for u in document.utterances]
    assert turns == [("Interviewer", "Tell me about the café 🙂 group."), ("GP2", "It's where we send people.")]


def test_reimporting_the_same_file_changes_nothing(session):
    project = projects.create_project(session, "Twice")
    data = b"Interviewer: Hello.\nP01: Hi."
    first, created = documents.import_document(session, project, "P01.txt", data)
    again, created_again = documents.import_document(session, project, "P01.txt", data)
    assert created and not created_again and first.id == again.id
    with pytest.raises(Invalid, match="different document called 'P01'"):
        documents.import_document(session, project, "P01.txt", b"Interviewer: Changed.")


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("notes.pdf", b"%PDF-1.4", "supported"),
        ("empty.txt", b"", "empty"),
        ("broken.docx", b"PK\x03\x04 this is not really a zip", "docx"),
        ("locked.docx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 512, "password"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "text"),
    ],
)
def test_bad_files_give_a_clear_error_and_leave_nothing(session, filename, data, message):
    project = projects.create_project(session, "Bad input")
    before = (count(session, Document), count(session, Utterance))
    with pytest.raises(Invalid, match=f"(?i){message}"):
        documents.import_document(session, project, filename, data)
    assert (count(session, Document), count(session, Utterance)) == before


def test_file_over_the_size_limit(session):
    project = projects.create_project(session, "Big")
    with pytest.raises(Invalid, match="MB"):
        documents.import_document(session, project, "big.txt", b"P01: words " * 200_000, max_bytes=1024 * 1024)
    assert count(session, Document) == 0


def test_cases_link_documents_by_column_and_by_file_name(session):
    project = projects.create_project(session, "Cases")
    documents.import_document(session, project, "interview_one.txt", b"P01: one")
    cases.import_cases_csv(session, project, "participant_id,role,site,document\nP01,GP,Northfield,interview_one.txt\nP02,Link worker,Eastbrook,\n".encode())
    second, _ = documents.import_document(session, project, "P02_link_worker.txt", b"P02: two")
    one = documents.find_document(session, project.id, "interview_one")
    assert one.case.participant_id == "P01" and one.case.attribute_map() == {"role": "GP", "site": "Northfield"}
    assert second.case.participant_id == "P02"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"role,site\nGP,x\n", "participant_id"),
        (b"participant_id,role\nP01,GP\nP01,Patient\n", "listed twice: P01"),
        (b"participant_id,role\n,GP\n", "line 2"),
    ],
)
def test_bad_cases_csv(session, data, message):
    project = projects.create_project(session, "Bad cases")
    with pytest.raises(Invalid, match=message):
        cases.import_cases_csv(session, project, data)
    assert cases.list_cases(session, project.id) == []


def test_cases_csv_in_cp1252(session):
    project = projects.create_project(session, "Encodings")
    cases.import_cases_csv(session, project, "participant_id,organisation\nP01,Café Zoë\n".encode("cp1252"))
    assert cases.list_cases(session, project.id)[0].attribute_map() == {"organisation": "Café Zoë"}


@pytest.mark.parametrize("path", sorted(p.name for p in SAMPLES.iterdir() if p.suffix in {".txt", ".docx", ".vtt", ".srt"}))
def test_every_sample_transcript_imports_with_speakers(session, path):
    project = projects.create_project(session, "Samples")
    document, _ = documents.import_document(session, project, path, (SAMPLES / path).read_bytes())
    speakers = {u.speaker for u in document.utterances}
    assert len(document.text.split()) > 1200
    assert len(speakers - {None}) == 2, speakers
    assert len(document.utterances) > 20
