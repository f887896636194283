"""A hand-counted project for word frequencies and keywords in context.

    P01_gp.txt (case P01, role GP)              P02_lw.txt (case P02, role Link worker)
    Interviewer: Do you trust the charity?      Interviewer: Trust?
    P01: We trust the charity. Trust takes time.   P02: 🙂 Trust, trust and more trust.
    P01: Time is short, and the charity's staff don't rush.

Words said by participants (interviewers' turns left out), case-folded:
    P01 turn 2: we trust the charity trust takes time                       7
    P01 turn 3: time is short and the charity's staff don't rush            9
    P02 turn 2: trust trust and more trust (the emoji is not a word)        5   -> 21 words
English stop words among them (the stop-words package's list): we the is and don't more.
Counts: trust 5, time 2, and 2, the 2, then 1 each: we charity takes is short charity's staff don't rush more.

Codings of Trust: ana "We trust the charity" (P01 turn 2) and "more trust" (P02); ben "trust the charity"."""
from tests.sample_data import team
from workbench.services import cases, codebook, coding, documents

TEXTS = {
    "P01_gp": "Interviewer: Do you trust the charity?\nP01: We trust the charity. Trust takes time.\n"
              "P01: Time is short, and the charity's staff don't rush.",
    "P02_lw": "Interviewer: Trust?\nP02: 🙂 Trust, trust and more trust.",
}
CODED = [("ana", "P01_gp", "We trust the charity"), ("ana", "P02_lw", "more trust"), ("ben", "P01_gp", "trust the charity")]


def build(session) -> dict:
    project, users = team(session, "Words study")
    codebook.import_yaml(session, project, "codes:\n  - name: Trust\n  - name: Time\n")
    trust = codebook.find_code(session, project.id, "Trust")
    docs = {name: documents.import_document(session, project, f"{name}.txt", text.encode())[0] for name, text in TEXTS.items()}
    cases.import_cases_csv(session, project, b"participant_id,role,document\nP01,GP,P01_gp.txt\nP02,Link worker,P02_lw.txt\n")
    for coder, name, quote in CODED:
        at = TEXTS[name].index(quote, TEXTS[name].index("\n"))
        coding.apply_code(session, docs[name], trust, users[coder], at, at + len(quote))
    session.flush()
    return {"project": project, "users": users, "docs": docs, "trust": trust,
            "time": codebook.find_code(session, project.id, "Time")}
