"""A two-participant project with two coders, small enough to work every export out by hand."""
from workbench.models import Memo
from workbench.services import cases, codebook, coding, documents, projects

P02_TRANSCRIPT = (
    "Interviewer: What helps?\n"
    "P02: Knowing the GP by name helps a lot, honestly it does.\n"
    "Interviewer: Anything else?\n"
    "P02: Time. We never have enough time 🙂 for anything."
)

# (document, coder, code path, quote): hannah and tom, as in the hand-worked counts of the tests.
CODINGS = [
    ("P01_gp", "hannah", "Trust/Between sectors", "I trusted them from the start"),
    ("P01_gp", "hannah", "Time and resources/Workload and capacity", "every single week"),
    ("P02_lw", "hannah", "Trust/Between sectors", "Knowing the GP by name helps a lot"),
    ("P02_lw", "hannah", "Time and resources/Workload and capacity", "We never have enough time"),
    ("P01_gp", "tom", "Trust", "We met them at a PCN event"),
    ("P01_gp", "tom", "Trust/Between sectors", "I trusted them"),
    ("P02_lw", "tom", "Time and resources/Workload and capacity", "Time."),
]


def build(session, small_project):
    project, first = small_project
    second, _ = documents.import_document(session, project, "P02_lw.txt", P02_TRANSCRIPT.encode("utf-8"))
    cases.import_cases_csv(session, project, "participant_id,role,site,document\nP01,GP,North,P01_gp.txt\nP02,Link worker,South,P02_lw.txt\n".encode())
    docs = {"P01_gp": first, "P02_lw": second}
    made = {}
    for doc, coder, path, quote in CODINGS:
        document = docs[doc]
        start = document.text.index(quote)
        user = projects.get_or_create_user(session, coder)
        made[(doc, coder, quote)] = coding.apply_code(session, document, codebook.find_code(session, project.id, path), user, start, start + len(quote))
    hannah = projects.get_or_create_user(session, "hannah")
    trust = codebook.find_code(session, project.id, "Trust")
    session.add(Memo(project_id=project.id, author_id=hannah.id, code_id=trust.id, text="Check the definition with tom."))
    session.add(Memo(project_id=project.id, author_id=hannah.id, document_id=first.id,
                     coding_id=made[("P01_gp", "hannah", "I trusted them from the start")].id, text="Strong example."))
    session.add(Memo(project_id=project.id, author_id=hannah.id, text="Project memo: saturation reached?"))
    session.flush()
    return project, docs, made
