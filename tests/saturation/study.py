"""A hand-worked saturation study: nine one-turn interviews, codes A..O, two coders (ana, ben).

Imported in the order I1..I9 under names that sort differently (natural order P1 < P2 < P10):

    import  name  interview_date  ana's codes    ben's codes
    I1      P7    (none)          A B C D        -
    I2      P2    2024-03-08      A E F          -
    I3      P10   2024-03-07      B G H          -
    I4      P1    2024-03-06      C I J          -
    I5      P5    2024-03-05      A K L          -
    I6      P3    2024-03-04      B M            -
    I7      P8    2024-03-03      C K            O
    I8      P4    2024-03-02      D N            -
    I9      P9    2024-03-01      -              A

The dates run backwards from I2 to I9 and I1 has none, so "by interview_date" is I9, I8, ..., I2, then
I1 (without a value, last). The worked answers are in each test's docstring."""
from tests.sample_data import team
from workbench.services import cases, codebook, coding, documents

CODES = "ABCDEFGHIJKLMNO"
INTERVIEWS = [  # (name, date, ana's codes, ben's codes)
    ("P7", "", "ABCD", ""), ("P2", "2024-03-08", "AEF", ""), ("P10", "2024-03-07", "BGH", ""),
    ("P1", "2024-03-06", "CIJ", ""), ("P5", "2024-03-05", "AKL", ""), ("P3", "2024-03-04", "BM", ""),
    ("P8", "2024-03-03", "CK", "O"), ("P4", "2024-03-02", "DN", ""), ("P9", "2024-03-01", "", "A"),
]


def build(session) -> dict:
    project, users = team(session, "Saturation study")
    codebook.import_yaml(session, project, "codes:\n" + "".join(f"  - name: {c}\n" for c in CODES))
    codes = {c: codebook.find_code(session, project.id, c) for c in CODES}
    docs = {}
    rows = ["participant_id,interview_date,document"]
    for name, date, by_ana, by_ben in INTERVIEWS:
        text = f"{name}: we talked about many things that day."
        doc, _ = documents.import_document(session, project, f"{name}.txt", text.encode())
        docs[name] = doc
        rows.append(f"{name},{date},{name}.txt")
        start = text.index("we")
        for coder, letters in (("ana", by_ana), ("ben", by_ben)):
            for k, letter in enumerate(letters):
                coding.apply_code(session, doc, codes[letter], users[coder], start + k, start + k + 2)
    cases.import_cases_csv(session, project, "\n".join(rows).encode())
    session.flush()
    return {"project": project, "users": users, "docs": docs, "codes": codes}
