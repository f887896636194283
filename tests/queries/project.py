"""A hand-worked project for coding queries (issue 15): what every operator must return, worked out by hand.

Documents (one turn per line; t0, t1, ... count the turns of each document from 0):

    P01_gp (case P01: role GP, site North)
      t0 Interviewer: How do you work with the charity?
      t1 P01: We trust them and we share records every week.
      t2 Interviewer: What gets in the way?
      t3 P01: Time, mostly. And funding.
      t4 P01: Trust comes back when the systems work.
    P02_lw (case P02: role Link worker, site South)
      t0 Interviewer: Tell me about the referrals.
      t1 P02: The GPs trust us now.
      t2 Interviewer: And the systems?
      t3 P02: We cannot see their records.
      t4 P02: There is never time to chase them.
    P03_gp (case P03: role GP, site South)
      t0 P03: Funding decides everything here.
      t1 P03: Trust is built slowly.
    P04_gp (case P04: role GP, site North; nothing coded)
      t0 P04: We rarely meet.
    team_notes (no case; its one line has no speaker: "Note" is not read as one)
      t0 Note: Funding came up twice.

Codings (coder: code "quote"):

    P01_gp t1  ana: Trust "We trust them"; ben: Trust "trust them and we share";
               ana: Operational systems/Information sharing "we share records every week"
    P01_gp t3  ana: Time "Time, mostly"; ana: Funding "And funding"
    P01_gp t4  ana: Trust "Trust comes back"; ben: Operational systems "when the systems work"
    P02_lw t1  ana: Trust "The GPs trust us now"
    P02_lw t3  ana: Information sharing "We cannot see their records"
    P02_lw t4  ben: Time "There is never time to chase them"
    P03_gp t0  ana: Funding "Funding decides everything here"; ana: "Roles AND boundaries" "everything here"
    P03_gp t1  ben: Trust "Trust is built slowly"
    team_notes ana: Funding "Funding came up twice"

A code's passages are its codings with overlapping ones merged: Trust in P01 t1 is one passage,
ana's and ben's spans together, "We trust them and we share". Sets: "wave 1" = P01_gp, P02_lw;
"wave 2" = P02_lw, P03_gp, team_notes. The expected results are in the test modules' docstrings."""
from workbench.services import cases, codebook, coding, document_sets, documents, projects

CODEBOOK = """
codes:
  - name: Trust
  - name: Time
  - name: Funding
    children:
      - name: Barriers
  - name: Operational systems
    children:
      - name: Information sharing
      - name: Barriers
  - name: Roles AND boundaries
"""

TEXTS = {
    "P01_gp": ["Interviewer: How do you work with the charity?", "P01: We trust them and we share records every week.",
               "Interviewer: What gets in the way?", "P01: Time, mostly. And funding.", "P01: Trust comes back when the systems work."],
    "P02_lw": ["Interviewer: Tell me about the referrals.", "P02: The GPs trust us now.", "Interviewer: And the systems?",
               "P02: We cannot see their records.", "P02: There is never time to chase them."],
    "P03_gp": ["P03: Funding decides everything here.", "P03: Trust is built slowly."],
    "P04_gp": ["P04: We rarely meet."],
    "team_notes": ["Note: Funding came up twice."],
}
CASES = ("participant_id,role,site,document\nP01,GP,North,P01_gp.txt\nP02,Link worker,South,P02_lw.txt\n"
         "P03,GP,South,P03_gp.txt\nP04,GP,North,P04_gp.txt\n")
CODINGS = [
    ("P01_gp", "ana", "Trust", "We trust them"), ("P01_gp", "ben", "Trust", "trust them and we share"),
    ("P01_gp", "ana", "Operational systems/Information sharing", "we share records every week"),
    ("P01_gp", "ana", "Time", "Time, mostly"), ("P01_gp", "ana", "Funding", "And funding"),
    ("P01_gp", "ana", "Trust", "Trust comes back"), ("P01_gp", "ben", "Operational systems", "when the systems work"),
    ("P02_lw", "ana", "Trust", "The GPs trust us now"),
    ("P02_lw", "ana", "Operational systems/Information sharing", "We cannot see their records"),
    ("P02_lw", "ben", "Time", "There is never time to chase them"),
    ("P03_gp", "ana", "Funding", "Funding decides everything here"), ("P03_gp", "ana", "Roles AND boundaries", "everything here"),
    ("P03_gp", "ben", "Trust", "Trust is built slowly"),
    ("team_notes", "ana", "Funding", "Funding came up twice"),
]
SETS = {"wave 1": ["P01_gp", "P02_lw"], "wave 2": ["P02_lw", "P03_gp", "team_notes"]}


def turn_text(name: str, index: int) -> str:
    """What a turn says (its text without the speaker's label)."""
    return TEXTS[name][index].split(": ", 1)[1]


def build(session) -> dict:
    olivia = projects.get_or_create_user(session, "olivia")
    project = projects.create_project(session, "Query study", olivia)
    users = {"olivia": olivia}
    for name in ("ana", "ben"):
        users[name] = projects.get_or_create_user(session, name)
        projects.add_member(session, project, users[name], "coder")
    users["vic"] = projects.get_or_create_user(session, "vic")
    projects.add_member(session, project, users["vic"], "viewer")
    codebook.import_yaml(session, project, CODEBOOK)
    docs = {name: documents.import_document(session, project, f"{name}.txt", "\n".join(lines).encode())[0]
            for name, lines in TEXTS.items()}
    cases.import_cases_csv(session, project, CASES.encode())
    codes = {node.path: node.code for node in codebook.codebook(session, project.id)}
    for name, coder, code, quote in CODINGS:
        start = docs[name].text.index(quote)
        coding.apply_code(session, docs[name], codes[code], users[coder], start, start + len(quote))
    sets = {}
    for set_name, members in SETS.items():
        sets[set_name] = document_sets.create_set(session, project, set_name)
        document_sets.add_documents(session, sets[set_name], [docs[m].id for m in members])
    session.flush()
    return {"project": project, "users": users, "docs": docs, "codes": codes, "sets": sets}
