"""De-identification on 500 transcripts with 100k codings, SQLite and PostgreSQL: find, apply, check.

    .venv/bin/python bench/deid.py                          # both backends
    .venv/bin/python bench/deid.py --backends sqlite --documents 50

Builds the project straight into the tables (as bench/matrix_xlsx.py does): 500 interviews of 60
turns, every other one the interviewer's, each turn two to five sentences taken from the demo's
transcripts (transcripts_sample/*.txt: GPs, link workers, practice managers, patients) with
identifiers planted in a third of the participant's turns: a GP's or a worker's name ("Dr Okafor",
"Sian Hughes"), a town and its health centre, an e-mail address, a UK mobile number, a postcode, an
NHS number with a valid check digit. Every interview is a case with role, site and organisation
attributes, as the demo's cases.csv has; 200 codings per interview by two coders (100,000), random
spans of 20-400 characters, so many begin or end inside a planted name. Then times, in this process:
finding (the whole project), deciding (candidate names rejected, every other type accepted, in bulk),
applying (the copy, with every coding remapped), and the check of the copy (fields, labels and five
exports). Targets: finding <= 60 s, applying <= 30 s; the check has none but must be clean."""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.matrix_xlsx import build_codes, on_each_backend  # noqa: E402
from workbench.config import REPO_ROOT  # noqa: E402
from workbench.db import make_engine, session_factory, upgrade  # noqa: E402
from workbench.deid import finders  # noqa: E402
from workbench.models import Case, CaseAttribute, Coding, DeidFinding, Document, Project, Utterance  # noqa: E402
from workbench.services import deid, deid_copy, projects  # noqa: E402

TARGETS = {"find": 60.0, "apply": 30.0}
SURNAMES = ("Okafor", "Hughes", "Kowalski", "Brennan", "Achterberg", "Mistry", "Fairbairn", "Oyelaran", "Thornley", "Castellano",
            "Nakamura", "Ridgeway", "Pemberton", "Abernethy", "Szymanski", "Whitcombe", "Adeyinka", "Lindqvist", "Marchetti", "Dunmore")
FIRST_NAMES = ("Sian", "Tariq", "Niamh", "Bogdan", "Priya", "Eilidh", "Kwame", "Rhiannon", "Lorcan", "Yusra")
TOWNS = ("Ashbury", "Kelmscott", "Thornwick", "Hallowmere", "Brackenfield", "Oxleigh", "Wrenham", "Cobbleford", "Marlowby",
         "Fenstone", "Ravensmoor", "Dunholme")
ROLES = ("GP", "Link worker", "Practice manager", "Patient", "VCS")
PLANTS = (
    "I saw Dr {surname} about it at {town} Health Centre.",
    "{first} {surname} from the {town} surgery rang me the week after.",
    "You can e-mail me on {first_lower}.{surname_lower}@{town_lower}-pcn.nhs.net if you want the leaflet.",
    "My mobile's 07{mobile}, that's the best one.",
    "We're based at {postcode}, just off the high street in {town}.",
    "The referral form had my NHS number on it, {nhs}, and my date of birth.",
)


def sentences() -> list[str]:
    """The participants' and interviewers' sentences of the demo's plain-text transcripts."""
    found = []
    for path in sorted((REPO_ROOT / "transcripts_sample").glob("*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:  # one sample is Windows-1252, as such files are
            text = raw.decode("cp1252")
        for line in text.splitlines():
            said = re.sub(r"^[A-Za-z0-9 ]+:\s*", "", line.strip())
            found += [s.strip() for s in re.split(r"(?<=[.?!])\s+", said) if len(s.strip()) > 12]
    return found


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = "".join(str(rng.randrange(10)) for _ in range(9))
        check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10 and finders.nhs_number_valid(digits + str(check)):
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}{check}"


def planted(rng: random.Random, town: str) -> str:
    surname, first = rng.choice(SURNAMES), rng.choice(FIRST_NAMES)
    return rng.choice(PLANTS).format(
        surname=surname, first=first, town=town, first_lower=first.lower(), surname_lower=surname.lower(), town_lower=town.lower(),
        mobile=f"{rng.randrange(700, 799)} {rng.randrange(100000, 999999)}",
        postcode=f"{rng.choice('BLMS')}{rng.choice('ES')}{rng.randrange(1, 20)} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
        nhs=nhs_number(rng))


def build(Session, documents: int, turns: int, codings: int, rng: random.Random) -> int:
    said = sentences()
    with Session() as session:
        owner = projects.get_or_create_user(session, "bench")
        project = projects.create_project(session, f"deid-{time.time_ns()}", owner)
        coders = [projects.get_or_create_user(session, name).id for name in ("coder_a", "coder_b")]
        session.flush()
        code_ids = build_codes(session, project, 10)
        for d in range(documents):
            participant, town = f"P{d:03d}", rng.choice(TOWNS)
            role = rng.choice(ROLES)
            case = Case(project_id=project.id, participant_id=participant)
            case.attributes = [CaseAttribute(name="role", value=role), CaseAttribute(name="site", value=town)]
            if role != "Patient":
                case.attributes.append(CaseAttribute(name="organisation", value=f"{town} Health Centre"))
            session.add(case)
            session.flush()
            lines, spans, at = [], [], 0
            for u in range(turns):
                label = ("Interviewer" if u % 2 == 0 else participant) + ": "
                chosen = rng.sample(said, rng.randint(2, 5))
                if u % 2 and rng.random() < 1 / 3:
                    chosen.insert(rng.randrange(len(chosen) + 1), planted(rng, town))
                text = " ".join(chosen)
                spans.append((at + len(label), at + len(label) + len(text), label[:-2]))
                lines.append(label + text)
                at += len(label) + len(text) + 1
            body = "\n".join(lines)
            doc_id = session.execute(insert(Document).returning(Document.id), [dict(
                project_id=project.id, name=f"{participant}_{role.lower().replace(' ', '_')}", source_filename=f"{participant}.txt",
                text=body, sha256=uuid.uuid4().hex, encoding="utf-8", case_id=case.id)]).scalar_one()
            session.execute(insert(Utterance), [dict(document_id=doc_id, position=i, speaker=speaker, start=s, end=e)
                                                for i, (s, e, speaker) in enumerate(spans)])
            rows = {}
            while len(rows) < codings:
                start = rng.randrange(0, len(body) - 400)
                row = dict(document_id=doc_id, code_id=rng.choice(code_ids), coder_id=rng.choice(coders),
                           start=start, end=start + rng.randint(20, 400), origin="import")
                rows[(row["code_id"], row["coder_id"], row["start"], row["end"])] = row
            session.execute(insert(Coding), list(rows.values()))
        session.commit()
        return project.id


def line(label: str, seconds: float, note: str = "", target: float | None = None) -> str:
    verdict = ("met" if seconds <= target else "NOT met") + f" (target {target:.0f} s)" if target else "(no target)"
    return f"  {label:<30} {seconds:7.1f} s  {verdict}  {note}"


def bench(url: str, args) -> None:
    upgrade(url)
    engine = make_engine(url)
    Session = session_factory(engine)
    began = time.perf_counter()
    project_id = build(Session, args.documents, args.turns, args.codings, random.Random(args.seed))
    built = time.perf_counter() - began
    with Session() as session:
        project = session.get(Project, project_id)
        owner = projects.get_or_create_user(session, "bench")
        session.info["actor"] = (owner.id, owner.username)
        n_codings = session.scalar(select(func.count(Coding.id)).join(Document).where(Document.project_id == project_id))
        start = time.perf_counter()
        review = deid.find(session, project, owner)
        session.commit()
        find_s = time.perf_counter() - start
        progress = deid.progress(session, review)
        start = time.perf_counter()
        for kind in progress.by_type:
            deid.decide(session, project, owner, "rejected" if kind == "name" else "accepted", type_=kind)
        session.commit()
        decide_s = time.perf_counter() - start
        accepted = session.scalar(select(func.count()).select_from(DeidFinding).where(DeidFinding.review_id == review.id,
                                                                                      DeidFinding.decision == "accepted"))
        start = time.perf_counter()
        copy = deid_copy.apply_review(session, project, owner)
        session.commit()
        apply_s = time.perf_counter() - start
        copied = session.scalar(select(func.count(Coding.id)).join(Document).where(Document.project_id == copy.id))
        start = time.perf_counter()
        report = deid_copy.check(session, project, owner)
        session.commit()
        check_s = time.perf_counter() - start
    engine.dispose()
    print(f"\n{engine.dialect.name}: {args.documents} documents x {args.turns} turns, {n_codings:,} codings (built in {built:.0f} s)")
    print(line("find (whole project)", find_s, f"{progress.total:,} findings: " + ", ".join(f"{n:,} {k}" for k, n in progress.by_type.items()),
               TARGETS["find"]))
    print(line("decide (bulk, by type)", decide_s, f"{accepted:,} accepted"))
    print(line("apply (the copy)", apply_s, f"{copied:,} codings copied", TARGETS["apply"]))
    print(line("check (fields, labels, exports)", check_s, "clean" if report.clean else f"NOT clean: {report.words()[:300]}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--turns", type=int, default=60, help="turns per document (every other one the interviewer's)")
    parser.add_argument("--codings", type=int, default=200, help="codings per document")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    on_each_backend(bench, args, "bench_deid")


if __name__ == "__main__":
    main()
