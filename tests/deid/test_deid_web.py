"""The de-identification routes on the demo project, on SQLite and PostgreSQL: the pseudonym map is
the owners' alone (page and CSV), and applying from the web queues a `deid-apply` job that a worker
run completes."""
import pytest
from sqlalchemy import select

from tests.conftest import signed_in_client
from workbench.models import DeidFinding, DeidReview, Document, Job
from workbench.services import deid, demo, projects
from workbench.suggest import FakeEmbedder
from workbench.worker.loop import drain
from workbench.worker.runner import Runtime


@pytest.fixture
def found(app):
    """The demo with identifiers found by its owner; the users' ids (demo owns it, hannah codes, nadia is no member)."""
    app.config["WORKBENCH_SETTINGS"].demo_sign_in = True  # the demo's users may sign in, as `workbench demo --serve`
    with app.extensions["workbench.sessions"]() as session:
        project, _ = demo.load_demo(session)
        owner = projects.get_or_create_user(session, demo.DEMO_USER)
        deid.find(session, project, owner)
        nadia = projects.get_or_create_user(session, "nadia")
        users = {u: projects.get_or_create_user(session, u).id for u in (demo.DEMO_USER, "hannah")} | {"nadia": nadia.id}
        session.commit()
        assert projects.role_of(session, project, projects.get_or_create_user(session, "hannah")) == "coder"
        return project.id, users


def test_the_map_is_for_owners_only(app, found):
    project_id, users = found
    owner, coder, outsider = (signed_in_client(app, users[u]) for u in (demo.DEMO_USER, "hannah", "nadia"))
    page = owner.get(f"/projects/{project_id}/deid")
    assert page.status_code == 200 and "Pseudonym map" in page.text and "[Town A]" in page.text
    csv = owner.get(f"/projects/{project_id}/deid/map.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    header, *rows = csv.text.removeprefix("\ufeff").splitlines()  # a BOM, for Excel, as every CSV here
    assert header == "original,type,role,pseudonym,listed"
    assert "Northfield,place,,[Town A]," in rows
    for path in ("", "/map.csv"):
        assert coder.get(f"/projects/{project_id}/deid{path}").status_code == 403
        assert outsider.get(f"/projects/{project_id}/deid{path}").status_code == 404
    # and a coder cannot change it either
    assert coder.post(f"/projects/{project_id}/deid/map", data={"term": "northfield", "pseudonym": "[X]"}).status_code == 403


def test_apply_from_the_web_queues_the_job_and_a_worker_completes_it(app, found):
    project_id, users = found
    app.extensions["workbench.embedder"] = FakeEmbedder()
    owner = signed_in_client(app, users[demo.DEMO_USER])
    assert owner.post(f"/projects/{project_id}/deid/apply").status_code == 400  # findings still pending
    with app.extensions["workbench.sessions"]() as session:
        assert session.scalars(select(Job).where(Job.kind == "deid-apply")).all() == []
        kinds = sorted(set(session.scalars(select(DeidFinding.type))))
    for kind in kinds:
        response = owner.post(f"/projects/{project_id}/deid/decide",
                              data={"type": kind, "decision": "rejected" if kind == "name" else "accepted", "pending": "1"})
        assert response.status_code == 302
    response = owner.post(f"/projects/{project_id}/deid/apply")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{project_id}#jobs")
    with app.extensions["workbench.sessions"]() as session:
        [job] = session.scalars(select(Job).where(Job.kind == "deid-apply")).all()
        assert (job.status, job.project_id, job.user_id) == ("queued", project_id, users[demo.DEMO_USER])
        assert session.scalar(select(DeidReview.status).where(DeidReview.project_id == project_id)) == "open"
    drain(Runtime.of_app(app, name="deid-web-test"))
    with app.extensions["workbench.sessions"]() as session:
        job = session.scalar(select(Job).where(Job.kind == "deid-apply"))
        assert job.status == "done", job.error
        review = session.scalar(select(DeidReview).where(DeidReview.project_id == project_id))
        assert review.status == "applied" and review.copy_project_id == job.result["copy_project_id"]
        texts = " ".join(session.scalars(select(Document.text).where(Document.project_id == review.copy_project_id)))
    assert "Northfield" not in texts and "[Town A]" in texts
    copy_page = owner.get(f"/projects/{review.copy_project_id}")
    assert f"De-identified copy of project #{project_id}" in copy_page.text
    # a second apply is refused: the review is applied (find again for a new one)
    assert owner.post(f"/projects/{project_id}/deid/apply").status_code == 400
