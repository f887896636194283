"""Projects for the fine-tuning tests, written for them: coded interview turns in a few documents."""
from __future__ import annotations

from workbench.services import codebook, coding, documents, projects

# Praise and complaints about the same four everyday topics. The codes' names say nothing of which is
# which, so the base model's nearest passages (topic first) and the bare names are weak evidence.
PRAISE = {
    "food": ["The canteen lunches were lovely and I looked forward to them.",
             "Honestly the soup they served was the best I have had in years.",
             "The cook always remembered what I liked, which was so kind."],
    "bus": ["The new bus route is brilliant, it drops me right at the door.",
            "The drivers are cheerful and always wait while I sit down.",
            "Buses come every ten minutes now, it is wonderful."],
    "housing": ["Our flat is warm and bright and the landlord fixes things fast.",
                "I love the garden at the back of our building.",
                "The new windows made the whole house feel cosy."],
    "work": ["My manager thanks us every week and means it.",
             "The team is friendly and I am glad to go in each morning.",
             "They gave me training and I feel proud of what I do now."],
}
COMPLAINTS = {
    "food": ["The canteen lunches were cold and tasted of nothing.",
             "The soup was watery and I left most of it.",
             "Nobody ever asks what we want to eat, it is always the same grey stew."],
    "bus": ["The bus never turns up on time and I miss my appointments.",
            "The drivers shout at you if you are slow getting on.",
            "They cut the evening buses so I am stuck at home."],
    "housing": ["The flat is damp and the landlord ignores every letter.",
                "There is mould in the bedroom and the heating keeps failing.",
                "The lift has been broken for months and I live on the sixth floor."],
    "work": ["My manager only talks to us when something has gone wrong.",
             "The shifts change at a day's notice and it wears me down.",
             "Nobody trained me and I feel useless most days."],
}


def sentiment_project(session):
    """Owner olivia, coder ana; codes 'Alpha' (praise) and 'Beta' (complaint) with no definitions;
    three documents, the n-th holding the n-th praise and complaint turn of each topic, all coded by
    ana. No turn is repeated, so a held-out document's turns have no twin among the training ones."""
    owner = projects.get_or_create_user(session, "olivia")
    ana = projects.get_or_create_user(session, "ana")
    project = projects.create_project(session, "Sentiment study", owner)
    projects.add_member(session, project, ana, "coder")
    codebook.import_yaml(session, project, "codes:\n  - name: Alpha\n  - name: Beta\n")
    alpha, beta = (codebook.find_code(session, project.id, n) for n in ("Alpha", "Beta"))
    made = []
    for d in range(3):
        lines = [(PRAISE[t][d], alpha) for t in sorted(PRAISE)] + [(COMPLAINTS[t][d], beta) for t in sorted(COMPLAINTS)]
        text = "\n".join(f"P{d + 1:02}: {line}" for line, _ in lines)
        document, _ = documents.import_document(session, project, f"P{d + 1:02}.txt", text.encode())
        for (line, code), turn in zip(lines, document.utterances):
            coding.apply_code(session, document, code, ana, turn.start, turn.end)
        made.append(document)
    session.flush()
    return {"project": project, "owner": owner, "ana": ana, "documents": made, "alpha": alpha, "beta": beta}


def plain_project(session):
    """Two documents whose turns repeat their codes' definitions nearly word for word: the base
    model already ranks every held-out passage right (precision@1 = 1), so no version can beat it."""
    owner = projects.get_or_create_user(session, "olivia")
    ana = projects.get_or_create_user(session, "ana")
    project = projects.create_project(session, "Plain study", owner)
    projects.add_member(session, project, ana, "coder")
    codebook.import_yaml(session, project, (
        "codes:\n"
        "  - name: Caseload\n    definition: Having far too many patients and never enough time.\n"
        "  - name: Funding\n    definition: Grants running out and money for the charity being cut.\n"))
    codes = {n: codebook.find_code(session, project.id, n) for n in ("Caseload", "Funding")}
    for name in ("P01.txt", "P02.txt"):
        text = ("P01: I have far too many patients and never enough time.\n"
                "P01: Our grant ran out and the money for the charity was cut.")
        document, _ = documents.import_document(session, project, name, text.encode())
        for turn, code in zip(document.utterances, ("Caseload", "Funding")):
            coding.apply_code(session, document, codes[code], ana, turn.start, turn.end)
    session.flush()
    return {"project": project, "owner": owner, "ana": ana, "codes": codes}


def stored_version(session, project, base_name: str, models_path, copy_model: bool = True):
    """Version 1 of the project's model, active and tuned from `base_name`, without training: its
    folder a copy of the packaged model (same weights, its own name), or none (`copy_model=False`,
    for tests that stand in for the loading)."""
    import shutil
    from pathlib import Path

    from workbench.config import default_embedding_model
    from workbench.models import ProjectModel
    from workbench.services import project_models
    from workbench.suggest.embedder import model_name, weights_sha256

    folder = Path(models_path) / project_models.folder_name(project.id, 1)
    if copy_model:
        shutil.copytree(default_embedding_model(), folder)
        name, digest = model_name(folder), weights_sha256(folder)
    else:
        digest = "0" * 64
        name = f"{folder.name}@{digest[:12]}"
    row = ProjectModel(project_id=project.id, version=1, path=folder.name, name=name, weights_sha256=digest,
                       base_model=base_name, seed=0, pairs=0, steps=0, seconds=0.0, training_passages=0,
                       heldout_documents=1, heldout_passages=1, heldout_base_p1=0.0, heldout_tuned_p1=1.0, active=True)
    session.add(row)
    session.flush()
    return row
