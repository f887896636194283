"""REFI-QDA export: schema-valid, deterministic, complete; and export → import → export is identical."""
import io
import re
import zipfile
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from workbench.models import Case, Coding, Document, Memo
from workbench.refi.codes import local
from workbench.services import codebook, exports, projects, refi

DATA = Path(__file__).parent / "data"
NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}


def schema(name):
    return etree.XMLSchema(etree.parse(str(DATA / name)))


def unzip(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {info.filename: archive.read(info) for info in archive.infolist()}, archive.infolist()


def test_qdpx_is_valid_complete_and_reproducible(session, coded):
    project, docs, _ = coded
    data = exports.export(session, project, "refi", "qdpx")
    assert data == exports.export(session, project, "refi", "qdpx")
    files, infos = unzip(data)
    assert [i.filename for i in infos] == sorted(files) and all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    root = etree.fromstring(files["project.qde"])
    assert schema("Project-mrt2019.xsd").validate(root), schema("Project-mrt2019.xsd").error_log
    assert root.get("basePath") is None and root.get("name") == "Small study"
    assert [u.get("id") for u in root.iterfind("q:Users/q:User", NS)] == ["hannah", "tom"]
    top = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [c.get("name") for c in top] == ["Trust", "Time and resources"]
    assert [c.get("name") for c in top[0].findall("q:Code", NS)] == ["Between sectors", "Patient trust"]
    assert top[0].get("color") == "#80b1d3" and top[0].findtext("q:Description", namespaces=NS) == "Confidence between people and organisations."
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == ["P01_gp", "P02_lw"]
    for source, doc in zip(sources, (docs["P01_gp"], docs["P02_lw"])):
        text = files["sources/" + source.get("plainTextPath").split("://")[1]]
        assert text == doc.text.encode("utf-8") and not text.startswith(b"\xef\xbb\xbf") and b"\r" not in text
    guid_to_path = {}
    for code in root.iter("{urn:QDA-XML:project:1.0}Code"):
        guid_to_path[code.get("guid")] = code.get("name")
    users = {u.get("guid"): u.get("id") for u in root.iterfind("q:Users/q:User", NS)}
    found = set()
    for source in sources:
        text = docs[source.get("name")].text
        for span in source.findall("q:PlainTextSelection", NS):
            for c in span.findall("q:Coding", NS):
                quote = text[int(span.get("startPosition")):int(span.get("endPosition"))]
                found.add((source.get("name"), users[c.get("creatingUser")], guid_to_path[c.find("q:CodeRef", NS).get("targetGUID")], quote))
    assert ("P02_lw", "hannah", "Workload and capacity", "We never have enough time") in found
    assert ("P01_gp", "hannah", "Workload and capacity", "every single week") in found  # after the 🙂: code points
    assert len(found) == 7
    cases = root.findall("q:Cases/q:Case", NS)
    assert [c.get("name") for c in cases] == ["P01", "P02"]
    assert [v.get("name") for v in root.findall("q:Variables/q:Variable", NS)] == ["role", "site"]
    assert cases[1].findtext("q:VariableValue/q:TextValue", namespaces=NS) == "Link worker"
    notes = root.findall("q:Notes/q:Note", NS)
    assert sorted(n.findtext("q:PlainTextContent", namespaces=NS) for n in notes) == [
        "Check the definition with tom.", "Project memo: saturation reached?", "Strong example."]
    assert len(root.findall("q:NoteRef", NS)) == 1 and top[0].find("q:NoteRef", NS) is not None


def test_empty_project_has_no_empty_containers(session):
    project = projects.create_project(session, "Empty")
    files, _ = unzip(exports.export(session, project, "refi", "qdpx"))
    root = etree.fromstring(files["project.qde"])
    # No empty containers: the one element is the Description saying what the file holds.
    assert [local(e) for e in root] == ["Description"] and schema("Project-mrt2019.xsd").validate(root)
    about = root.findtext("q:Description", namespaces=NS).splitlines()
    assert about[:3] == ["Project: Empty", "Documents: all documents", "Counting: all coders"]
    assert about[3].startswith("Exported on: ") and about[4].startswith("Codebook: ")


def test_qdc_is_valid(session, coded):
    project, _, _ = coded
    data = exports.export(session, project, "codebook", "qdc")
    root = etree.fromstring(data)
    assert schema("Codebook.xsd").validate(root), schema("Codebook.xsd").error_log
    assert [c.get("name") for c in root.iter("{urn:QDA-XML:codebook:1.0}Code")] == [
        "Trust", "Between sectors", "Patient trust", "Time and resources", "Workload and capacity"]
    assert data == exports.export(session, project, "codebook", "qdc")


def test_round_trip_gives_identical_xml(session, coded):
    project, _, _ = coded
    trust = codebook.find_code(session, project.id, "Trust")
    codebook.update_code(session, trust, inclusion="Use when trust is named.", example="I trusted them")
    first = exports.export(session, project, "refi", "qdpx")
    copy = projects.create_project(session, "Copy")
    importer = projects.get_or_create_user(session, "importer")
    # Mapped explicitly to the same accounts: unmapped, they would be placeholders with other names.
    for name in ("hannah", "tom"):
        projects.add_member(session, copy, projects.get_or_create_user(session, name), "coder")
    mapping = {"hannah": "hannah", "tom": "tom"}
    summary = refi.import_project(session, copy, first, importer, user_map=mapping)
    assert (summary.sources, summary.codes, summary.codings, summary.cases, summary.notes) == (2, 5, 7, 2, 3)
    assert summary.warnings == []
    second = exports.export(session, copy, "refi", "qdpx")
    a, _ = unzip(first)
    b, _ = unzip(second)
    assert a.keys() == b.keys()
    # Only the project's name differs, and the Description naming what each file holds (its project,
    # and the codebook's fingerprint, which is the copy's own).
    about = re.compile(rb"<Description>Project: .*?</Description>", re.S)  # the project's own
    assert about.search(a["project.qde"]).group().startswith(b"<Description>Project: Small study\n")
    assert about.search(b["project.qde"]).group().startswith(b"<Description>Project: Copy\n")
    renamed = about.sub(b"", b["project.qde"].replace(b'name="Copy"', b'name="Small study"', 1))
    assert renamed == about.sub(b"", a["project.qde"])
    assert all(a[k] == b[k] for k in a if k != "project.qde")
    copied = codebook.find_code(session, copy.id, "Trust")
    assert (copied.inclusion, copied.example) == ("Use when trust is named.", "I trusted them")
    # Importing the same file again adds nothing (same texts, same codings).
    again = refi.import_project(session, copy, first, importer, user_map=mapping)
    assert (again.sources, again.notes) == (0, 0) and session.scalar(select(Coding.id).join(Document).where(Document.project_id == copy.id).limit(1))
    assert len(session.scalars(select(Coding).join(Document).where(Document.project_id == copy.id)).all()) == 7
    case = session.scalar(select(Case).where(Case.project_id == copy.id, Case.participant_id == "P02"))
    assert case.attribute_map() == {"role": "Link worker", "site": "South"}
    assert session.scalar(select(Memo).where(Memo.project_id == copy.id, Memo.text == "Strong example.")).coding_id is not None
