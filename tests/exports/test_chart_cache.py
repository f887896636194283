"""Charts are drawn once and served from the shared cache until what they show changes."""
from sqlalchemy import func, select

from workbench.models import ChartCache
from workbench.services import cases, chart_cache, codebook, coding, document_sets, projects, scope


class Drawer:
    def __init__(self):
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return f"chart {self.calls}".encode()


def test_drawn_once_until_the_codings_change(session, coded):
    project, docs, made = coded
    draw = Drawer()
    first = chart_cache.cached_chart(session, project, "cooccurrence.svg", {}, draw)
    assert chart_cache.cached_chart(session, project, "cooccurrence.svg", {}, draw) == first == b"chart 1"
    assert draw.calls == 1
    # A new coding, a removed one, a merge-like move of a coding to another code: each draws again.
    hannah = projects.get_or_create_user(session, "hannah")
    trust = codebook.find_code(session, project.id, "Trust")
    added = coding.apply_code(session, docs["P02_lw"], trust, hannah, 0, 4)
    assert chart_cache.cached_chart(session, project, "cooccurrence.svg", {}, draw) == b"chart 2"
    added.code_id = codebook.find_code(session, project.id, "Trust/Patient trust").id
    session.flush()
    assert chart_cache.cached_chart(session, project, "cooccurrence.svg", {}, draw) == b"chart 3"
    coding.remove_coding(session, added)
    assert chart_cache.cached_chart(session, project, "cooccurrence.svg", {}, draw) == b"chart 4"
    assert chart_cache.cached_chart(session, project, "cooccurrence.svg", {}, draw) == b"chart 4"
    # A renamed code (its version), a changed case attribute (the audit log): drawn again.
    codebook.update_code(session, trust, name="Trust overall")
    assert chart_cache.cached_chart(session, project, "cooccurrence.svg", {}, draw) == b"chart 5"
    cases.import_cases_csv(session, project, b"participant_id,role\nP01,Practice manager\n")
    assert chart_cache.cached_chart(session, project, "cooccurrence.svg", {}, draw) == b"chart 6"
    assert draw.calls == 6
    # One row per chart: a new version replaces the old one.
    assert session.scalar(select(func.count()).select_from(ChartCache)) == 1


def test_parameters_scope_and_viewer_are_part_of_the_key(session, coded):
    project, docs, _ = coded
    wave = document_sets.create_set(session, project, "GPs")  # before drawing: a new membership is a change
    document_sets.add_documents(session, wave, [docs["P01_gp"].id])
    draw = Drawer()
    assert chart_cache.cached_chart(session, project, "frequency-by.svg", {"attribute": "role", "count": "codings"}, draw) == b"chart 1"
    assert chart_cache.cached_chart(session, project, "frequency-by.svg", {"attribute": "role", "count": "participants"}, draw) == b"chart 2"
    assert chart_cache.cached_chart(session, project, "frequency-by.png", {"attribute": "role", "count": "codings"}, draw) == b"chart 3"
    scope.apply(session, scope.resolve(session, project.id, [wave.id]))
    assert chart_cache.cached_chart(session, project, "frequency-by.svg", {"attribute": "role", "count": "codings"}, draw) == b"chart 4"
    session.info.pop(scope.APPLIED)
    assert chart_cache.cached_chart(session, project, "frequency-by.svg", {"attribute": "role", "count": "codings"}, draw) == b"chart 1"
    from workbench.services import visibility

    visibility.scope_to(session, {projects.get_or_create_user(session, "tom").id})  # blind: tom sees his own codings
    assert chart_cache.cached_chart(session, project, "frequency-by.svg", {"attribute": "role", "count": "codings"}, draw) == b"chart 5"
    assert draw.calls == 5


def test_pages_serve_charts_from_the_cache_shared_by_processes(app, client):
    from tests.exports.coded_project import build
    from tests.conftest import SMALL_CODEBOOK, SMALL_TRANSCRIPT
    from workbench.services import documents

    with app.extensions["workbench.sessions"]() as session:
        owner = projects.get_or_create_user(session, "owner")
        projects.set_password(owner, "password123")
        project = projects.create_project(session, "Small study", owner)
        codebook.import_yaml(session, project, SMALL_CODEBOOK)
        document, _ = documents.import_document(session, project, "P01_gp.txt", SMALL_TRANSCRIPT.encode())
        build(session, (project, document))
        session.commit()
        pid = project.id
    client.post("/login", data={"username": "owner", "password": "password123"})
    urls = [f"/projects/{pid}/export/cooccurrence.svg", f"/projects/{pid}/export/frequency-by/role.svg?count=participants",
            f"/projects/{pid}/agreement/heatmap.svg?coders=hannah&coders=tom"]
    first = [client.get(url) for url in urls]
    assert all(r.status_code == 200 and r.data.startswith(b"<?xml") for r in first)
    with app.extensions["workbench.sessions"]() as session:
        rows = {row.kind: row.content for row in session.scalars(select(ChartCache))}
        assert sorted(rows) == ["agreement-heatmap.svg", "cooccurrence.svg", "frequency-by.svg"]
        # What another process would find: the stored bytes are the ones served.
        assert rows["cooccurrence.svg"] == first[0].data
        # Plant a marker: served from the table, not drawn again.
        for row in session.scalars(select(ChartCache)):
            row.content = b"<?xml cached?>"
        session.commit()
    assert all(client.get(url).data == b"<?xml cached?>" for url in urls)
    assert client.get(f"/projects/{pid}/export/frequency-by/role.svg?count=people").status_code == 400
