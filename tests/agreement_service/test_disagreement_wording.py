"""Disagreements read as a reviewer says them: where ("Turn 4 · P01 (GP)"), whose coding was accepted, how far along."""
from sqlalchemy import select

from workbench.models import AuditEntry
from workbench.services import cases, consensus


def _units(session, study, code="workload"):
    return consensus.disagreements(session, study["project"], study[code])


def test_units_are_named_by_turn_speaker_and_role(session, study):
    cases.import_cases_csv(session, study["project"], b"participant_id,role,document\nP01,GP,P01_gp.txt\n")
    (stretched,) = _units(session, study)  # hannah coded "stretched" in turn 4, tom did not
    assert stretched.place == "Turn 4 · P01 (GP)"
    assert stretched.text == "Honestly we are stretched 🙂 every single week."
    (question,) = _units(session, study, "between")  # tom coded the interviewer's question, turn 1
    assert question.place == "Turn 1 · Interviewer"  # an interviewer is not the participant: no role


def test_decisions_say_whose_coding_and_the_progress_counts_them(session, study):
    project, reviewer = study["project"], study["users"]["hannah"]
    review = _units(session, study, "between")
    assert (review.decided, review.progress()) == (0, "0 of 1 decided")
    unit = review[0]
    wording = {}
    for decision, chosen in (("coder", "tom"), ("both", None), ("neither", None)):
        consensus.adjudicate(session, project, reviewer, study["between"].id, unit.document.id, unit.start, unit.end,
                             decision, f"deciding {decision}", chosen)
        again = _units(session, study, "between")
        wording[decision] = (again[0].decided, again[0].reviewer, again.progress())
    assert wording == {
        "coder": ("accepted tom’s coding", "hannah", "1 of 1 decided"),
        "both": ("accepted both (hannah and tom)", "hannah", "1 of 1 decided"),
        "neither": ("rejected tom’s coding", "hannah", "1 of 1 decided"),
    }
    history = consensus.history(session, project, study["between"].id)
    assert [h.decided for h in history] == ["rejected", "accepted both", "accepted tom’s coding"]
    sentences = list(session.scalars(select(AuditEntry.sentence).where(AuditEntry.action == "consensus decision").order_by(AuditEntry.id)))
    assert sentences[0] == "system decided on ‘Trust/Between sectors’ in P01_gp (turn 1): accepted tom’s coding — “deciding coder”"
    assert sentences[2].endswith(": rejected tom’s coding — “deciding neither”")
