"""The command line: the demo, imports, codebook, codings and exports through `workbench ...`."""
import csv
import io

import openpyxl
from sqlalchemy import func, select

from workbench.models import Coding, Document, User
from workbench.services.demo import DEMO_PROJECT


def test_demo_loads_everything_once(cli, app, tmp_path):
    result = cli(["demo"])
    assert result.exit_code == 0, result.output
    assert "Loaded demo project" in result.output
    with app.extensions["workbench.sessions"]() as session:
        assert session.scalar(select(func.count(Document.id))) == 9
        per_coder = dict(session.execute(select(User.username, func.count(Coding.id)).join(Coding, Coding.coder_id == User.id).group_by(User.username)).all())
        linked = session.scalar(select(func.count(Document.id)).where(Document.case_id.is_not(None)))
    assert set(per_coder) == {"hannah", "tom"} and min(per_coder.values()) > 150
    assert linked == 9
    assert "Found demo project" in cli(["demo"]).output

    out = tmp_path / "matrix.xlsx"
    result = cli(["export", "matrix", DEMO_PROJECT, "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header[8] == "Shared understanding" and "Trust/Between sectors" in header
    assert sheet.max_row > 500


def test_import_codebook_codings_and_export(cli, tmp_path):
    assert cli(["create-project", "Study", "--owner", "ana"]).exit_code == 0
    (tmp_path / "codebook.yaml").write_text("codes:\n  - name: Trust\n    children:\n      - name: Between sectors\n")
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "P01.txt").write_text("Interviewer: Why?\nP01: Because we trust them.\n")
    (folder / "P02.txt").write_bytes(b"")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    assert cli(["codebook", "import", "Study", str(tmp_path / "codebook.yaml")]).exit_code == 0
    result = cli(["import", "Study", str(folder)])
    assert result.exit_code == 1 and "1 file(s) were not imported" in result.output and "imported: P01.txt" in result.output
    (tmp_path / "codings.csv").write_text("document,coder,code,quote\nP01.txt,ana,Between sectors,we trust them\n")
    result = cli(["apply-codings", "Study", str(tmp_path / "codings.csv")])
    assert result.exit_code == 0 and "Applied 1 coding(s)" in result.output
    result = cli(["export", "matrix", "Study", "-o", str(tmp_path / "m.csv")])
    rows = list(csv.reader(io.StringIO((tmp_path / "m.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][-2:] == ["Trust", "Trust/Between sectors"]
    assert rows[2][2] == "P01" and rows[2][-2:] == ["0", "1"]
    exported = cli(["codebook", "export", "Study"]).output
    assert "Between sectors" in exported


def test_cli_errors_are_clear(cli, tmp_path):
    result = cli(["export", "matrix", "No such project", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "No project 'No such project'" in result.output
    bad = tmp_path / "codings.csv"
    bad.write_text("document,coder,code\n")
    cli(["create-project", "P"])
    result = cli(["apply-codings", "P", str(bad)])
    assert result.exit_code == 1 and "needs columns" in result.output


def test_demo_serve_really_serves(tmp_path):
    """The README's run command ends in `workbench demo --serve`: it must answer on the printed URL."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DATABASE_URL"} | {"WORKBENCH_INSTANCE": str(tmp_path)}
    workbench = Path(sys.executable).with_name("workbench")
    server = subprocess.Popen([str(workbench), "demo", "--serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    assert response.status == 200 and b"Sign in" in response.read()
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the demo server did not answer within 90 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/" in output and "demo-password" in output
