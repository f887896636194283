"""Applying codes to spans: validation, overlaps, removal and bulk codings files."""
import pytest
from sqlalchemy import func, select

from workbench.models import Coding
from workbench.services import codebook, coding, projects
from workbench.services.errors import Invalid, NotFound


def test_overlapping_and_nested_spans_are_allowed(session, small_project):
    project, document = small_project
    coder = projects.get_or_create_user(session, "hannah")
    trust = codebook.find_code(session, project.id, "Trust")
    between = codebook.find_code(session, project.id, "Trust/Between sectors")
    coding.apply_code(session, document, trust, coder, 60, 120)
    coding.apply_code(session, document, between, coder, 70, 90)    # nested
    coding.apply_code(session, document, between, coder, 100, 130)  # overlapping
    coding.apply_code(session, document, trust, coder, 60, 120)     # identical: not duplicated
    spans = [(c.start, c.end) for c in coding.list_codings(session, document.id)]
    assert spans == [(60, 120), (70, 90), (100, 130)]


@pytest.mark.parametrize("start, end, message", [(10, 10, "empty or reversed"), (20, 10, "empty or reversed"), (-1, 5, "outside"), (0, 10_000, "outside")])
def test_bad_spans_are_refused(session, small_project, start, end, message):
    project, document = small_project
    coder = projects.get_or_create_user(session, "hannah")
    with pytest.raises(Invalid, match=message):
        coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust"), coder, start, end)
    assert session.scalar(select(func.count(Coding.id))) == 0


def test_span_may_end_exactly_at_the_end_of_the_text(session, small_project):
    project, document = small_project
    coder = projects.get_or_create_user(session, "hannah")
    made = coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust"), coder, len(document.text) - 5, len(document.text))
    assert document.text[made.start:made.end] == "week."


def test_code_from_another_project_is_refused(session, small_project):
    _, document = small_project
    other = projects.create_project(session, "Other")
    foreign = codebook.create_code(session, other, "Foreign")
    with pytest.raises(Invalid, match="another project"):
        coding.apply_code(session, document, foreign, projects.get_or_create_user(session, "x"), 0, 5)


def test_list_filter_and_remove(session, small_project):
    project, document = small_project
    hannah, tom = (projects.get_or_create_user(session, n) for n in ("hannah", "tom"))
    trust = codebook.find_code(session, project.id, "Trust")
    kept = coding.apply_code(session, document, trust, hannah, 0, 5)
    gone = coding.apply_code(session, document, trust, tom, 3, 9)
    assert [c.id for c in coding.list_codings(session, document.id, coder_id=tom.id)] == [gone.id]
    coding.remove_coding(session, coding.get_coding(session, project.id, gone.id))
    assert [c.id for c in coding.list_codings(session, document.id)] == [kept.id]
    with pytest.raises(NotFound):
        coding.get_coding(session, project.id + 1000, kept.id)


def test_codings_file_by_quote_and_by_offsets(session, small_project):
    project, document = small_project
    data = (
        "document,coder,code,quote,start,end\n"
        "P01_gp.txt,hannah,Trust/Between sectors,I trusted them from the start.,,\n"
        "P01_gp,tom,Workload and capacity,,0,11\n"
    ).encode()
    assert coding.apply_codings_file(session, project, data) == 2
    made = {(c.coder.username, c.code.name): document.text[c.start:c.end] for c in coding.list_codings(session, document.id)}
    assert made == {("hannah", "Between sectors"): "I trusted them from the start.", ("tom", "Workload and capacity"): "Interviewer"}
    assert {c.origin for c in coding.list_codings(session, document.id)} == {"import"}


def test_codings_file_with_any_bad_row_applies_nothing(session, small_project):
    project, document = small_project
    data = (
        "document,coder,code,quote\n"
        "P01_gp.txt,hannah,Trust,I trusted them\n"
        "P01_gp.txt,hannah,Trust/Nonexistent,I trusted them\n"
        "P99.txt,hannah,Trust,I trusted them\n"
        "P01_gp.txt,hannah,Trust,words that are not there\n"
    ).encode()
    with pytest.raises(Invalid) as error:
        coding.apply_codings_file(session, project, data, "codings.csv")
    message = str(error.value)
    assert "nothing was applied" in message
    assert "line 3: Unknown code 'Trust/Nonexistent'" in message
    assert "line 4: Unknown document 'P99.txt'" in message
    assert "line 5: quote not found" in message
    assert coding.list_codings(session, document.id) == []


def test_codings_file_without_needed_columns(session, small_project):
    project, _ = small_project
    with pytest.raises(Invalid, match="needs columns"):
        coding.apply_codings_file(session, project, b"document,code\nx,y\n")


def test_concurrent_identical_codings_leave_one_row(engine):
    """Two sessions apply the same code to the same span; the unique constraint keeps one row and
    the second caller gets that row back instead of an error."""
    from sqlalchemy.orm import Session

    from tests.conftest import wipe
    from workbench.services import documents

    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers with a file lock; concurrent coding is a PostgreSQL deployment")
    with Session(engine) as setup:
        project = projects.create_project(setup, "Race")
        document, _ = documents.import_document(setup, project, "P1.txt", b"P1: one two three")
        code = codebook.create_code(setup, project, "Trust")
        projects.get_or_create_user(setup, "hannah")
        setup.commit()
        ids = (document.id, code.id)
    try:
        with Session(engine) as first, Session(engine) as second:
            from workbench.models import Code, Document, User

            def load(s):
                return s.get(Document, ids[0]), s.get(Code, ids[1]), s.scalars(select(User).where(User.username == "hannah")).one()

            made_first = coding.apply_code(first, *load(first), 4, 7)
            # `second` has not seen the first row yet: both pass the duplicate check.
            doc, code2, coder = load(second)
            first.commit()
            made_second = coding.apply_code(second, doc, code2, coder, 4, 7)
            second.commit()
            assert made_second.id == made_first.id
        with Session(engine) as check:
            assert check.scalar(select(func.count(Coding.id))) == 1
    finally:
        wipe(engine)


def test_a_code_deleted_after_the_request_read_it_is_a_conflict(engine):
    """The coding POST reads its code before its write phase (db.write_phase). If an owner deletes
    the code in between, the insert fails its foreign key: a 409 saying so, and nothing stored."""
    from sqlalchemy.orm import Session

    from tests.conftest import wipe
    from workbench.models import Code, Document, User
    from workbench.services import documents
    from workbench.services.errors import Conflict

    with Session(engine) as setup:
        project = projects.create_project(setup, "Race")
        document, _ = documents.import_document(setup, project, "P1.txt", b"P1: one two three")
        code = codebook.create_code(setup, project, "Trust")
        projects.get_or_create_user(setup, "hannah")
        setup.commit()
        ids = (document.id, code.id)
    try:
        with Session(engine, expire_on_commit=False) as request:  # as the app's sessions
            doc, trust = request.get(Document, ids[0]), request.get(Code, ids[1])
            coder = request.scalars(select(User).where(User.username == "hannah")).one()
            request.commit()  # the reads' transaction ends, as in write_phase
            with Session(engine) as owner:
                owner.delete(owner.get(Code, ids[1]))
                owner.commit()
            with pytest.raises(Conflict, match="deleted a moment ago"):
                coding.apply_code(request, doc, trust, coder, 4, 7)
            request.rollback()
        with Session(engine) as check:
            assert check.scalar(select(func.count(Coding.id))) == 0
    finally:
        wipe(engine)
