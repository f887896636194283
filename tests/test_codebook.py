"""Codebook operations: any depth, rename, move, merge, delete, YAML in and out."""
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from workbench.models import Code, Coding
from workbench.services import codebook, coding, projects, restructure
from workbench.services.errors import Invalid, NotFound

ROOT = Path(__file__).resolve().parent.parent


def paths(session, project):
    return [n.path for n in codebook.codebook(session, project.id)]


def test_yaml_import_keeps_order_depth_and_fields(session, small_project):
    project, _ = small_project
    assert paths(session, project) == [
        "Trust", "Trust/Between sectors", "Trust/Patient trust", "Time and resources", "Time and resources/Workload and capacity",
    ]
    trust = codebook.find_code(session, project.id, "Trust")
    assert trust.colour == "#80b1d3" and trust.definition.startswith("Confidence")


def test_hierarchy_of_any_depth(session, small_project):
    project, _ = small_project
    parent = codebook.find_code(session, project.id, "Trust/Between sectors")
    for depth in range(6):
        parent = codebook.create_code(session, project, f"Level {depth}", parent)
    deepest = max(codebook.codebook(session, project.id), key=lambda n: n.depth)
    assert deepest.depth == 7
    assert deepest.path == "Trust/Between sectors/" + "/".join(f"Level {i}" for i in range(6))


def test_sample_codebooks_load(session):
    project = projects.create_project(session, "Samples")
    created, _ = codebook.import_yaml(session, project, (ROOT / "codebooks" / "gp-vcs-collaboration.yaml").read_bytes())
    assert created == 23
    other = projects.create_project(session, "Framework")
    created, _ = codebook.import_yaml(session, other, (ROOT / "codebooks" / "social-prescribing-framework.yaml").read_bytes())
    assert created == 18
    for node in codebook.codebook(session, project.id):
        assert node.code.definition and node.code.inclusion and node.code.exclusion and node.code.example


def test_yaml_round_trip(session, small_project):
    project, _ = small_project
    exported = codebook.export_yaml(session, project)
    copy = projects.create_project(session, "Copy")
    codebook.import_yaml(session, copy, exported)
    assert codebook.export_yaml(session, copy).split("\n", 2)[2] == exported.split("\n", 2)[2]
    reimport = codebook.import_yaml(session, copy, exported)
    assert reimport == (0, 5)


GOOD_FIRST = "codes:\n  - name: Fresh code\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("codes: [", "not valid YAML"),
        ("- just a list", "top-level 'codes:'"),
        (GOOD_FIRST + "  - definition: no name", "needs a 'name'"),
        (GOOD_FIRST + "  - name: A/B", "cannot contain '/'"),
        (GOOD_FIRST + "  - name: A\n    colour: red", "#rrggbb"),
        (GOOD_FIRST + "  - name: A\n    definiton: typo", "unknown field"),
        (GOOD_FIRST + "  - name: A\n  - name: a", "lists 'a' twice"),
    ],
)
def test_bad_yaml_is_refused_and_nothing_is_written(session, small_project, text, message):
    """The first, valid code must not survive the error in a later one."""
    project, _ = small_project
    before = paths(session, project)
    with pytest.raises(Invalid, match=re.escape(message)):
        codebook.import_yaml(session, project, text)
    assert paths(session, project) == before


def test_rename_and_refuse_duplicate_sibling(session, small_project):
    project, _ = small_project
    code = codebook.find_code(session, project.id, "Trust/Patient trust")
    codebook.update_code(session, code, name="Trust in the practice", definition="new")
    assert "Trust/Trust in the practice" in paths(session, project)
    with pytest.raises(Invalid, match="already a code"):
        codebook.update_code(session, code, name="between SECTORS")


def test_move_and_refuse_cycles(session, small_project):
    project, _ = small_project
    trust = codebook.find_code(session, project.id, "Trust")
    workload = codebook.find_code(session, project.id, "Time and resources/Workload and capacity")
    codebook.move_code(session, workload, trust, position=0)
    assert paths(session, project)[:2] == ["Trust", "Trust/Workload and capacity"]
    child = codebook.find_code(session, project.id, "Trust/Between sectors")
    with pytest.raises(Invalid, match="under itself"):
        codebook.move_code(session, trust, child)
    codebook.move_code(session, child, None)
    assert "Between sectors" in paths(session, project)


def test_merge_moves_codings_and_does_not_duplicate(session, small_project):
    project, document = small_project
    coder = projects.get_or_create_user(session, "hannah")
    source = codebook.find_code(session, project.id, "Trust/Patient trust")
    target = codebook.find_code(session, project.id, "Trust/Between sectors")
    coding.apply_code(session, document, source, coder, 60, 80)
    coding.apply_code(session, document, source, coder, 90, 100)
    coding.apply_code(session, document, target, coder, 90, 100)
    restructure.merge_codes(session, source, target)
    assert "Trust/Patient trust" not in paths(session, project)
    spans = sorted((c.start, c.end) for c in session.scalars(select(Coding).where(Coding.code_id == target.id)))
    assert spans == [(60, 80), (90, 100)]


def test_merge_brings_subcodes(session, small_project):
    project, _ = small_project
    trust = codebook.find_code(session, project.id, "Trust")
    time = codebook.find_code(session, project.id, "Time and resources")
    restructure.merge_codes(session, time, trust)
    assert paths(session, project) == ["Trust", "Trust/Between sectors", "Trust/Patient trust", "Trust/Workload and capacity"]
    with pytest.raises(Invalid, match="into itself"):
        restructure.merge_codes(session, trust, codebook.find_code(session, project.id, "Trust/Between sectors"))


def test_delete_refuses_while_codings_exist_unless_forced(session, small_project):
    project, document = small_project
    coder = projects.get_or_create_user(session, "tom")
    trust = codebook.find_code(session, project.id, "Trust")
    coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust/Between sectors"), coder, 60, 80)
    with pytest.raises(Invalid, match="1 coding"):
        restructure.delete_code(session, trust)
    assert "Trust" in paths(session, project)
    assert restructure.delete_code(session, trust, force=True) == 1
    assert paths(session, project) == ["Time and resources", "Time and resources/Workload and capacity"]
    assert session.scalar(select(func.count(Coding.id))) == 0
    assert session.scalar(select(func.count(Code.id)).where(Code.project_id == project.id)) == 2


def test_find_code_by_leaf_and_unknown(session, small_project):
    project, _ = small_project
    assert codebook.find_code(session, project.id, "workload and capacity").name == "Workload and capacity"
    with pytest.raises(NotFound, match="Unknown code 'Trusst'"):
        codebook.find_code(session, project.id, "Trusst")
    codebook.create_code(session, project, "Between sectors", codebook.find_code(session, project.id, "Time and resources"))
    with pytest.raises(Invalid, match="ambiguous"):
        codebook.find_code(session, project.id, "Between sectors")


def test_counts_roll_up(session, small_project):
    project, document = small_project
    coder = projects.get_or_create_user(session, "tom")
    coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust/Between sectors"), coder, 60, 80)
    coding.apply_code(session, document, codebook.find_code(session, project.id, "Trust"), coder, 60, 90)
    counts = {n.path: (n.direct_count, n.total_count) for n in codebook.codebook(session, project.id, with_counts=True)}
    assert counts["Trust"] == (1, 2) and counts["Trust/Between sectors"] == (1, 1) and counts["Time and resources"] == (0, 0)


def test_export_yaml_is_the_documented_format(session, small_project):
    project, _ = small_project
    document = yaml.safe_load(codebook.export_yaml(session, project))
    assert document["codes"][0]["name"] == "Trust"
    assert [c["name"] for c in document["codes"][0]["children"]] == ["Between sectors", "Patient trust"]


def test_edit_based_on_an_old_version_is_refused(session, small_project):
    from workbench.services.errors import Conflict

    project, _ = small_project
    code = codebook.find_code(session, project.id, "Trust")
    seen = code.version
    codebook.update_code(session, code, expected_version=seen, definition="first editor")
    with pytest.raises(Conflict, match="reload"):
        codebook.update_code(session, code, expected_version=seen, definition="second editor")
    assert code.definition == "first editor"


def test_concurrent_writers_of_one_code_do_not_overwrite_each_other(engine, database_url):
    """Two sessions load the same code; the second commit fails with StaleDataError instead of
    silently replacing the first edit (SQLAlchemy's version_id_col)."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    from tests.conftest import wipe

    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers with a file lock; concurrent coding is a PostgreSQL deployment")
    with Session(engine) as setup:
        project = projects.create_project(setup, "Race")
        code_id = codebook.create_code(setup, project, "Trust").id
        setup.commit()
    try:
        with Session(engine) as first, Session(engine) as second:
            a, b = first.get(Code, code_id), second.get(Code, code_id)
            codebook.update_code(first, a, definition="first")
            first.commit()
            with pytest.raises(StaleDataError):
                codebook.update_code(second, b, definition="second")
                second.commit()
        with Session(engine) as check:
            assert check.get(Code, code_id).definition == "first"
    finally:
        wipe(engine)
