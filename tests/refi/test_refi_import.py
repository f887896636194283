"""Importing REFI-QDA files made by other tools (ATLAS.ti, the spec, NVivo-style positions)."""
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workbench.models import Code, Coding, Document, Memo, ProjectMember
from workbench.services import codebook, projects, refi
from workbench.services.errors import Invalid

DATA = Path(__file__).parent / "data"


@pytest.fixture
def target(session):
    owner = projects.get_or_create_user(session, "owner")
    return projects.create_project(session, "Imported", owner), owner


def paths(session, project):
    return [n.path for n in codebook.codebook(session, project.id)]


def count(session, model, project):
    if model is Coding:
        return session.scalar(select(func.count(Coding.id)).join(Document).where(Document.project_id == project.id))
    return session.scalar(select(func.count(model.id)).where(model.project_id == project.id))


def test_atlas_test_project(session, target):
    project, owner = target
    summary = refi.import_project(session, project, (DATA / "TestProject.qdpx").read_bytes(), owner)
    assert (summary.sources, summary.codings, summary.cases, summary.notes, summary.users) == (0, 0, 0, 2, 3)
    assert summary.codes == 14 and "Coke/diet Coke" in paths(session, project) and "Coke/full-fat Coke" in paths(session, project)
    coke = codebook.find_code(session, project.id, "Coke")
    assert coke.definition == "the breakfast of champions" and coke.colour == "#966450"
    assert codebook.find_code(session, project.id, "diet Coke").definition == "non sucré"
    text = "\n".join(summary.warnings)
    assert "'Mabel.txt': its text" in text and "3 coding(s) were skipped" in text
    assert "Skipped 2 PDF, 1 audio, 1 picture, 2 video source(s)" in text
    assert "Skipped <Sets>" in text and "Skipped <Links>" in text and "Skipped <Graphs>" in text
    members = session.scalar(select(func.count()).select_from(ProjectMember).where(ProjectMember.project_id == project.id))
    assert members == 4  # the owner and the file's three users, as coders
    assert count(session, Memo, project) == 2


def test_atlas_blank_and_target_projects(session, target):
    project, owner = target
    blank = refi.import_project(session, project, (DATA / "blank-atlas-project.qdpx").read_bytes(), owner)
    assert (blank.codes, blank.sources, blank.users, blank.warnings) == (0, 0, 2, [])
    nested = refi.import_project(session, project, (DATA / "target-atlas-project.qdpx").read_bytes(), owner)
    assert nested.codes == 3
    assert paths(session, project) == ["Commits", "Commits/2022-05-10T02:05:59Z 19e4dce", "Commits/2022-02-11T10:39:25Z cdbfd92"]


def test_spec_and_requal_codebooks(session, target):
    project, _ = target
    spec = refi.import_codebook(session, project, (DATA / "spec-annexA1-codebook.qdc").read_bytes())
    assert spec.codes == 6 and len(spec.warnings) == 2  # Topics and Values are "not codable"
    assert codebook.find_code(session, project.id, "Economy").colour == "#ffff00"
    requal = refi.import_codebook(session, project, (DATA / "requal-atlasti-23.4.0-valid.qdc").read_bytes())
    assert requal.codes == 1 and codebook.find_code(session, project.id, "code1").definition == "description"
    assert requal.warnings == ["Skipped 1 code set(s) (code group 1): workbench has no code sets."]
    before = paths(session, project)
    with pytest.raises(Invalid, match="not complete, well-formed XML"):
        refi.import_codebook(session, project, (DATA / "requal-atlasti-23.4.0-truncated.qdc").read_bytes())
    assert paths(session, project) == before


def nvivo_qdpx(text: str, quotes: list[str]) -> bytes:
    """A project as NVivo writes one: UTF-16 positions, CRLF, a BOM, braces and lower-case GUIDs,
    Sources/ in capitals, Project.qde, one selection per (span, code) repeated for a second code."""
    raw = "\ufeff" + text.replace("\n", "\r\n")
    body = raw[1:]

    def utf16(i):
        return len(body[:i].encode("utf-16-le")) // 2

    selections = []
    for n, quote in enumerate(quotes):
        start = body.index(quote)
        for code in ("{0A0A0A0A-0000-4000-8000-000000000001}", "{0a0a0a0a-0000-4000-8000-000000000002}"):
            selections.append(
                f'<PlainTextSelection guid="{{00000000-0000-4000-8000-0000000000{n}{code[-2:]}}}" startPosition="{utf16(start)}" '
                f'endPosition="{utf16(start + len(quote))}" creatingUser="{{5B5B5B5B-0000-4000-8000-000000000001}}">'
                f'<Coding guid="00000000-0000-4000-9000-0000000000{n}{code[-2:]}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="NVivo study" basePath="C:\\Users\\someone">'
           '<Users><User guid="5b5b5b5b-0000-4000-8000-000000000001" name="Ana Researcher"/></Users>'
           '<CodeBook><Codes><Code guid="0A0A0A0A-0000-4000-8000-000000000001" name="Joy" isCodable="true" color="#ABC"/>'
           '<Code guid="0a0a0a0a-0000-4000-8000-000000000002" name="Emoji" isCodable="true"/></Codes></CodeBook>'
           '<Sources><TextSource guid="{7C7C7C7C-0000-4000-8000-000000000001}" name="Interview 1" '
           'plainTextPath="internal://7C7C7C7C-0000-4000-8000-000000000001.txt" richTextPath="internal://x.docx">'
           + "".join(selections) + '</TextSource></Sources><Unknown/></Project>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Project.qde", qde.encode("utf-8"))
        archive.writestr("Sources/7c7c7c7c-0000-4000-8000-000000000001.TXT", raw.encode("utf-16"))
    return buffer.getvalue()


def test_nvivo_style_utf16_positions(session, target):
    project, owner = target
    text = "Interviewer: How was it?\nP01: 🙂🙂 Really good, 👍 I felt happy.\nP01: Then 🎉 the party."
    quotes = ["Really good", "I felt happy", "the party"]
    summary = refi.import_project(session, project, nvivo_qdpx(text, quotes), owner)
    assert (summary.sources, summary.codes, summary.codings) == (1, 2, 6)
    assert any("UTF-16 code units counting CRLF as two" in w for w in summary.warnings)
    assert any("<Unknown>" in w for w in summary.warnings)
    document = session.scalar(select(Document).where(Document.project_id == project.id))
    assert document.text == text and document.name == "Interview 1"
    codings = session.scalars(select(Coding).where(Coding.document_id == document.id).order_by(Coding.start, Coding.code_id)).all()
    assert [document.text[c.start:c.end] for c in codings] == [q for q in quotes for _ in range(2)]
    assert {(c.coder.username, c.coder.display_name) for c in codings} == {("Ana Researcher (REFI import)", "Ana Researcher")}
    assert codebook.find_code(session, project.id, "Joy").colour == "#aabbcc"
    assert len(document.utterances) == 3 and document.utterances[1].speaker == "P01"


def test_different_text_under_a_used_name_changes_nothing(session, target):
    project, owner = target
    refi.import_project(session, project, nvivo_qdpx("P01: one two three", ["two"]), owner)
    before = count(session, Coding, project)
    with pytest.raises(Invalid, match="different document called 'Interview 1'"):
        refi.import_project(session, project, nvivo_qdpx("P01: four five six", ["five"]), owner)
    assert count(session, Coding, project) == before and count(session, Code, project) == 2
