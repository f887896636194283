"""The users named in a REFI-QDA file become placeholder coders unless mapped (issue 11, item 8)."""
import pytest
from sqlalchemy import select

from workbench import refi
from workbench.models import CONSENSUS_CODER, Coding, Document, ProjectMember, User
from workbench.refi.guids import stable_guid
from workbench.services import consensus, projects
from workbench.services import refi as refi_service
from workbench.services.errors import Forbidden, Invalid
from workbench.services.refi_users import parse_user_map

TEXT = "Interviewer: Who do you trust?\nP01: The surgery, mostly."


def qdpx(*names: str) -> bytes:
    """A file in which each of `names` codes the whole answer with the one code."""
    code = refi.RefiCode(stable_guid("code", "Trust"), "Trust")
    users = [refi.RefiUser(stable_guid("user", n), n, n) for n in names]
    start = TEXT.index("The surgery")
    source = refi.RefiSource(stable_guid("source", "P01"), "P01", TEXT, selections=[
        refi.RefiSelection(stable_guid("selection", n), start, len(TEXT), u.guid,
                           codings=[refi.RefiCoding(stable_guid("coding", n), code.guid, u.guid)])
        for n, u in zip(names, users)])
    return refi.write_project(refi.RefiProject("From elsewhere", users=users, codes=[code], sources=[source]))


@pytest.fixture
def study(session):
    owner = projects.get_or_create_user(session, "owner")
    alice = projects.get_or_create_user(session, "alice", "Alice Real")
    projects.set_password(alice, "alice-password")
    project = projects.create_project(session, "Trust study", owner)
    consensus.consensus_coder(session)  # the real consensus layer exists already
    return project, owner, alice


def coders_of(session, project) -> dict[str, str]:
    rows = session.execute(select(User.username, User.display_name).join(Coding, Coding.coder_id == User.id)
                           .join(Document).where(Document.project_id == project.id)).all()
    return dict(rows)


def test_file_users_become_placeholder_coders_never_real_accounts_or_consensus(session, study):
    project, owner, alice = study
    summary = refi_service.import_project(session, project, qdpx("alice", CONSENSUS_CODER), owner)
    assert summary.codings == 2 and summary.users == 2
    assert coders_of(session, project) == {"alice (REFI import)": "alice", "consensus (REFI import)": CONSENSUS_CODER}
    for username in ("alice (REFI import)", "consensus (REFI import)"):
        placeholder = session.scalar(select(User).where(User.username == username))
        assert placeholder.password_hash is None
        assert session.get(ProjectMember, (project.id, placeholder.id)).role == "coder"
    assert session.get(ProjectMember, (project.id, alice.id)) is None  # the real alice gained nothing
    real_consensus = consensus.consensus_coder(session)
    assert not session.scalars(select(Coding).where(Coding.coder_id.in_([alice.id, real_consensus.id]))).all()
    # The same file again reuses the placeholders: no "alice (REFI import 2)", no doubled codings.
    again = refi_service.import_project(session, project, qdpx("alice", CONSENSUS_CODER), owner)
    assert again.users == 0 and len(coders_of(session, project)) == 2


def test_a_taken_placeholder_name_is_made_unique(session, study):
    project, owner, _ = study
    projects.get_or_create_user(session, "alice (REFI import)")  # someone else's, not a member here
    refi_service.import_project(session, project, qdpx("alice"), owner)
    assert list(coders_of(session, project)) == ["alice (REFI import 2)"]


def test_owner_maps_users_to_a_member_and_to_consensus(session, study):
    project, owner, alice = study
    projects.add_member(session, project, alice, "coder")
    mapping = parse_user_map(["alice=alice", "bob = consensus"])
    refi_service.import_project(session, project, qdpx("alice", "bob"), owner, user_map=mapping, mapped_by=owner)
    assert coders_of(session, project) == {"alice": "Alice Real", CONSENSUS_CODER: "Consensus"}


def test_mapping_is_refused_to_non_members_and_consensus_for_non_owners(session, study):
    project, owner, alice = study
    with pytest.raises(Invalid, match="only be mapped to a member of this project"):
        refi_service.import_project(session, project, qdpx("alice"), owner, user_map={"alice": "alice"}, mapped_by=owner)
    projects.add_member(session, project, alice, "coder")
    with pytest.raises(Forbidden, match="Only an owner"):
        refi_service.import_project(session, project, qdpx("bob"), alice, user_map={"bob": CONSENSUS_CODER}, mapped_by=alice)
    with pytest.raises(Invalid, match="no user 'carol'"):
        refi_service.import_project(session, project, qdpx("bob"), owner, user_map={"carol": "alice"}, mapped_by=owner)
    with pytest.raises(Invalid, match="NAME_IN_FILE=ACCOUNT"):
        parse_user_map("alice")
    assert coders_of(session, project) == {}


def test_cli_and_web_import_take_a_user_map(app, client, cli, tmp_path):
    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "owner")
        projects.set_password(owner, "password123")
        project = projects.create_project(session, "Trust study", owner)
        projects.add_member(session, project, projects.get_or_create_user(session, "alice"), "coder")
        session.commit()
        project_id = project.id
    path = tmp_path / "file.qdpx"
    path.write_bytes(qdpx("alice", "bob"))
    result = cli(["import-refi", str(path), "--project", "Trust study", "--map-user", "alice=alice"])
    assert result.exit_code == 0, result.output
    client.post("/login", data={"username": "owner", "password": "password123"})
    second = tmp_path / "second.qdpx"
    second.write_bytes(qdpx("carol", "dave").replace(b'name="P01"', b'name="P02"'))
    with open(second, "rb") as handle:
        page = client.post(f"/projects/{project_id}/import-refi", data={"file": (handle, "second.qdpx"), "map_users": "carol=consensus"},
                           follow_redirects=True)
    assert page.status_code == 200
    from workbench.worker.loop import drain
    from workbench.worker.runner import Runtime

    assert drain(Runtime.of_app(app)) == 1  # the web import is a job; the map travels with it
    with app.extensions["workbench.sessions"]() as session:
        project = session.get(type(project), project_id)
        assert set(coders_of(session, project)) == {"alice", "bob (REFI import)", CONSENSUS_CODER, "dave (REFI import)"}
