"""A hand-worked project for coder scope and deduplicated quotes (issue 14).

Two real coders (ana, ben), the owner's four trial codings (olivia) and the consensus layer, on three
one-speaker transcripts with a flat codebook (Trust, Time). Every turn is one utterance, so the unit
of agreement is one line. Turns are named A0..A4 (P01_gp), B0..B4 (P02_lw), C0 (P03_vcs).

    turn  text                                          Trust                     Time
    A0    We trust the charity with our patients.       ana ben* consensus         olivia ("We trust the charity")
    A1    Time is always short in winter.               olivia ("…short in w")     ana ben* consensus
    A2    The link worker earned our trust slowly.      ana ben consensus          -
    A3    Nobody has time for meetings.                 -                          ana consensus
    A4    We share records with them now.               olivia ("We share records")-
    B0    Trust takes years to build.                   ana ben(“Trust takes years”) consensus      consensus
    B1    Our time goes on paperwork.                   -                          ana ben consensus
    B2    The GPs trust us more since the pilot.        ana consensus              -
    B3    Funding is the real problem.                  -                          ben
    B4    I have no time to chase referrals.            -                          ana ben consensus, olivia ("I have no time")
    C0    We trust the surgery now.                     ana ben                    -

    * ben's span includes the full stop: one character longer than ana's (38 vs 39 characters,
      overlap 38/39 = 0.97 ≥ 0.8: one passage). ben's "Trust takes years" against ana's "Trust takes
      years to build": 17/26 = 0.65 < 0.8, two passages. olivia's "I have no time" against the others'
      whole turn: 14/33 = 0.42, two passages.
Every other span is the turn's text without its full stop."""
from workbench.models import CONSENSUS_CODER
from workbench.services import cases, codebook, coding, consensus, documents, projects

CODEBOOK = """
codes:
  - name: Trust
    definition: Confidence between people and organisations.
  - name: Time
    definition: Time pressures and workload.
"""

TEXTS = {
    "P01_gp": ["We trust the charity with our patients.", "Time is always short in winter.",
               "The link worker earned our trust slowly.", "Nobody has time for meetings.", "We share records with them now."],
    "P02_lw": ["Trust takes years to build.", "Our time goes on paperwork.", "The GPs trust us more since the pilot.",
               "Funding is the real problem.", "I have no time to chase referrals."],
    "P03_vcs": ["We trust the surgery now."],
}
PARTICIPANT = {"P01_gp": "P01", "P02_lw": "P02", "P03_vcs": "P03"}
TURN = {"A": "P01_gp", "B": "P02_lw", "C": "P03_vcs"}

# (turn, coder, code, quote or None for the turn without its full stop, "+." for the turn with it)
CODINGS = [
    ("A0", "ana", "Trust", None), ("A0", "ben", "Trust", "+."), ("A0", CONSENSUS_CODER, "Trust", None),
    ("A0", "olivia", "Time", "We trust the charity"),
    ("A1", "ana", "Time", None), ("A1", "ben", "Time", "+."), ("A1", CONSENSUS_CODER, "Time", None),
    ("A1", "olivia", "Trust", "Time is always short in w"),
    ("A2", "ana", "Trust", None), ("A2", "ben", "Trust", None), ("A2", CONSENSUS_CODER, "Trust", None),
    ("A3", "ana", "Time", None), ("A3", CONSENSUS_CODER, "Time", None),
    ("A4", "olivia", "Trust", "We share records"),
    ("B0", "ana", "Trust", None), ("B0", "ben", "Trust", "Trust takes years"), ("B0", CONSENSUS_CODER, "Trust", None),
    ("B0", CONSENSUS_CODER, "Time", None),
    ("B1", "ana", "Time", None), ("B1", "ben", "Time", None), ("B1", CONSENSUS_CODER, "Time", None),
    ("B2", "ana", "Trust", None), ("B2", CONSENSUS_CODER, "Trust", None),
    ("B3", "ben", "Time", None),
    ("B4", "ana", "Time", None), ("B4", "ben", "Time", None), ("B4", CONSENSUS_CODER, "Time", None),
    ("B4", "olivia", "Time", "I have no time"),
    ("C0", "ana", "Trust", None), ("C0", "ben", "Trust", None),
]


def transcript(name: str) -> str:
    return "\n".join(f"{PARTICIPANT[name]}: {line}" for line in TEXTS[name])


def span(name: str, index: int, quote: str | None) -> tuple[int, int]:
    text = transcript(name)
    line = TEXTS[name][index]
    turn_start = text.index(line)
    if quote is None:
        return turn_start, turn_start + len(line) - 1
    if quote == "+.":
        return turn_start, turn_start + len(line)
    start = text.index(quote, turn_start)
    return start, start + len(quote)


def build(session) -> dict:
    olivia = projects.get_or_create_user(session, "olivia")
    project = projects.create_project(session, "Scope study", olivia)
    users = {"olivia": olivia}
    for name in ("ana", "ben"):
        users[name] = projects.get_or_create_user(session, name)
        projects.add_member(session, project, users[name], "coder")
    users[CONSENSUS_CODER] = consensus.consensus_coder(session)
    codebook.import_yaml(session, project, CODEBOOK)
    docs = {name: documents.import_document(session, project, f"{name}.txt", transcript(name).encode())[0] for name in TEXTS}
    cases.import_cases_csv(session, project, ("participant_id,role,site,document\nP01,GP,North,P01_gp.txt\n"
                                              "P02,Link worker,,P02_lw.txt\nP03,VCS,South,P03_vcs.txt\n").encode())
    codes = {name: codebook.find_code(session, project.id, name) for name in ("Trust", "Time")}
    made = {}
    for turn, coder, code, quote in CODINGS:
        name = TURN[turn[0]]
        start, end = span(name, int(turn[1:]), quote)
        made[(turn, coder, code)] = coding.apply_code(session, docs[name], codes[code], users[coder], start, end)
    session.flush()
    return {"project": project, "users": users, "docs": docs, "codes": codes, "made": made}
