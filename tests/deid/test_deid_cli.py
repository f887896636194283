"""`workbench deid ...` on the demo project."""
from workbench.services import demo


def test_find_decide_apply_check(app, cli):
    with app.extensions["workbench.sessions"]() as session:
        project, _ = demo.load_demo(session)
        session.commit()
        name = project.name
    found = cli(["deid", "find", name, "--as", "demo"])
    assert found.exit_code == 0, found.output
    assert found.output.startswith("0 of ") and "place" in found.output
    refused = cli(["deid", "apply", name, "--as", "demo"])
    assert refused.exit_code != 0 and "accept or reject the rest" in refused.output
    for decision, kind in (("accepted", "place"), ("accepted", "organisation"), ("accepted", "person"), ("rejected", "name")):
        assert cli(["deid", "decide", name, decision, "--type", kind, "--as", "demo"]).exit_code == 0
    assert cli(["deid", "decide", name, "accepted", "--as", "demo"]).exit_code != 0  # names no findings
    # what is left pending (other types) is rejected, so the apply may run
    for kind in ("email", "phone", "postcode", "nhs number", "date of birth", "url"):
        cli(["deid", "decide", name, "rejected", "--type", kind, "--as", "demo"])
    applied = cli(["deid", "apply", name, "--as", "demo"])
    assert applied.exit_code == 0, applied.output
    checked = cli(["deid", "check", name, "--as", "demo"])
    assert checked.exit_code == 0 and checked.output.startswith("No accepted identifier remains"), checked.output
    assert cli(["deid", "map", name, "--as", "hannah"]).exit_code != 0  # a coder never sees the map


def test_find_in_chosen_documents_and_retype_a_term(app, cli):
    """`--document` twice: the findings are of those two documents only; `deid type` makes the
    candidate "Kirsty" a link worker, whose first pseudonym is "[Link worker 1]"."""
    from sqlalchemy import select

    from workbench.models import DeidFinding, Document

    with app.extensions["workbench.sessions"]() as session:
        project, _ = demo.load_demo(session)
        session.commit()
        name = project.name
    found = cli(["deid", "find", name, "--document", "P04_practice_manager", "--document", "P05_patient", "--as", "demo"])
    assert found.exit_code == 0, found.output
    with app.extensions["workbench.sessions"]() as session:
        docs = set(session.scalars(select(Document.name).join(DeidFinding, DeidFinding.document_id == Document.id)))
    assert docs == {"P04_practice_manager", "P05_patient"}
    typed = cli(["deid", "type", name, "Kirsty", "person", "--role", "Link worker", "--as", "demo"])
    assert typed.exit_code == 0 and typed.output.strip().endswith("now a person, replaced by [Link worker 1]."), typed.output
    assert cli(["deid", "find", name, "--document", "Nowhere", "--as", "demo"]).exit_code != 0
