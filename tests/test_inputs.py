"""Every path in, on SQLite and PostgreSQL (which refuses NUL in text): control characters are
removed with a warning or refused with a message, and REFI sources obey the per-document limits."""
import pytest
from sqlalchemy import select

from workbench import refi
from workbench.importers import Limits
from workbench.models import Coding, Document
from workbench.refi.guids import stable_guid
from workbench.services import cases, codebook, coding, documents, projects
from workbench.services import refi as refi_service
from workbench.services.errors import Invalid

WORDS = " and then we talked about the surgery" * 20


@pytest.fixture
def study(session):
    owner = projects.get_or_create_user(session, "owner")
    project = projects.create_project(session, "Inputs", owner)
    codebook.create_code(session, project, "Trust")
    return project, owner


def test_nul_in_a_txt_is_removed_with_a_warning_and_stored(session, study):
    project, _ = study
    imported = documents.import_transcript(session, project, "P01.txt", f"Interviewer: Hi\x00\nP\x0001: yes{WORDS}".encode())
    session.flush()
    stored = session.scalar(select(Document.text).where(Document.id == imported.document.id))
    assert "\x00" not in stored and stored.startswith("Interviewer: Hi\nP01: yes")
    assert any("2 control character(s)" in w for w in imported.warnings)


def test_web_upload_shows_the_warning(app, client):
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "owner")
        projects.set_password(owner, "password123")
        project_id = projects.create_project(session, "Inputs", owner).id
        session.commit()
    client.post("/login", data={"username": "owner", "password": "password123"})
    page = client.post(f"/projects/{project_id}/documents", follow_redirects=True,
                       data={"files": (__import__("io").BytesIO(f"P01: a\x00b{WORDS}".encode()), "P01.txt")})
    assert page.status_code == 200 and "1 control character(s) (such as NUL) were removed" in page.get_data(as_text=True)


def test_csv_uploads_with_control_characters_are_refused_naming_the_line(session, study):
    project, _ = study
    documents.import_document(session, project, "P01.txt", f"P01: yes{WORDS}".encode())
    more = b"".join(b"P%02d,Practice manager at the surgery\n" % i for i in range(10, 20))  # a few, not mostly, controls
    with pytest.raises(Invalid, match=r'"cases.csv" line 3 contains an invisible control character \(U\+0000\)'):
        cases.import_cases_csv(session, project, b"participant_id,role\nP01,GP\nP02,L\x00W\n" + more, "cases.csv")
    with pytest.raises(Invalid, match=r"line 2 contains an invisible control character \(U\+0007\)"):
        coding.apply_codings_file(session, project, b"document,coder,code,quote\nP01,hannah,Trust,ye\x07s\n" + b"P01,hannah,Trust,yes\n" * 5,
                                  "codings.csv")
    assert not cases.list_cases(session, project.id)


def test_codebook_yaml_text_fields_with_control_characters_are_refused(session, study):
    project, _ = study
    with pytest.raises(Invalid, match=r"The definition of 'Care' contains an invisible control character \(U\+0000\)"):
        codebook.import_yaml(session, project, b'codes:\n  - name: Care\n    definition: "a\\0b"\n')
    with pytest.raises(Invalid, match=r"Code name .* contains an invisible control character \(U\+0001\)"):
        codebook.import_yaml(session, project, b'codes:\n  - name: "Ca\\x01re"\n')
    assert [n.code.name for n in codebook.codebook(session, project.id)] == ["Trust"]


def _qdpx(text: str, quote: str) -> bytes:
    code = refi.RefiCode(stable_guid("code", "Trust"), "Trust")
    user = refi.RefiUser(stable_guid("user", "ana"), "ana", "Ana")
    start = text.index(quote)
    selection = refi.RefiSelection(stable_guid("selection", 1), start, start + len(quote), user.guid,
                                   codings=[refi.RefiCoding(stable_guid("coding", 1), code.guid, user.guid)])
    source = refi.RefiSource(stable_guid("source", "S"), "Interview", text, selections=[selection])
    return refi.write_project(refi.RefiProject("P", users=[user], codes=[code], sources=[source]))


def test_refi_source_with_nul_is_cleaned_and_its_codings_still_land(session, study):
    project, owner = study
    text = f"Interviewer: Why?\x00\x00\nP01: Because we \x00trust them.{WORDS}"
    summary = refi_service.import_project(session, project, _qdpx(text, "trust them"), owner)
    assert any("3 control character(s)" in w and "'Interview'" in w for w in summary.warnings)
    document = session.scalar(select(Document).where(Document.project_id == project.id))
    assert "\x00" not in document.text
    stored = session.scalars(select(Coding).where(Coding.document_id == document.id)).one()
    assert document.text[stored.start:stored.end] == "trust them"


def test_refi_sources_obey_the_upload_and_document_limits(session, study):
    project, owner = study
    big = "P01: " + "x" * 3000
    with pytest.raises(Invalid, match=r"Source 'Interview' is .* over the .* limit for one document"):
        refi_service.import_project(session, project, _qdpx(big, "xxx"), owner, limits=Limits(max_bytes=2000))
    with pytest.raises(Invalid, match=r"3,005 characters, over the limit of 3,000"):
        refi_service.import_project(session, project, _qdpx(big, "xxx"), owner, limits=Limits(max_characters=3000))
    lines = "\n".join(f"P{i:02d}: yes" for i in range(30))
    with pytest.raises(Invalid, match=r"30 lines, over the limit of 20"):
        refi_service.import_project(session, project, _qdpx(lines, "yes"), owner, limits=Limits(max_turns=20))
    assert not session.scalars(select(Document).where(Document.project_id == project.id)).all()


def test_refi_note_from_its_own_text_file_with_nul_is_cleaned(session, study):
    import io
    import zipfile

    project, owner = study
    note = refi.RefiNote(stable_guid("note", 1), "Memo", "placeholder")
    data = refi.write_project(refi.RefiProject("P", notes=[note]))
    files = {i.filename: zipfile.ZipFile(io.BytesIO(data)).read(i) for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    files["project.qde"] = files["project.qde"].replace(b"<PlainTextContent>placeholder</PlainTextContent>", b"").replace(
        b'name="Memo"', b'name="Memo" plainTextPath="internal://memo.txt"')
    files["sources/memo.txt"] = b"Check \x00this with tom." + b" More words." * 20
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    summary = refi_service.import_project(session, project, buffer.getvalue(), owner)
    assert summary.notes == 1 and any("note 'Memo'" in w for w in summary.warnings)
    from workbench.models import Memo

    assert session.scalar(select(Memo.text).where(Memo.project_id == project.id)).startswith("Check this with tom.")
