"""`workbench agreement` and `workbench disagreements`."""
import openpyxl

from tests.agreement_service.conftest import build


def seed(app):
    with app.extensions["workbench.sessions"]() as session:
        build(session)
        session.commit()


def test_agreement_prints_the_table_and_writes_xlsx(cli, app, tmp_path):
    seed(app)
    out = tmp_path / "table.xlsx"
    result = cli(["agreement", "Agreement study", "--coders", "hannah,tom", "--unit", "utterance", "-o", str(out)])
    assert result.exit_code == 0, result.output
    line = next(l for l in result.output.splitlines() if l.startswith("Trust/Between sectors"))
    assert line.split()[-4:] == ["0.750", "0.500", "0.533", "0.514"]
    assert "—" in next(l for l in result.output.splitlines() if l.startswith("Trust "))
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[-1][0] == "(all codes pooled)"


def test_agreement_bad_input(cli, app):
    seed(app)
    result = cli(["agreement", "Agreement study", "--coders", "hannah"])
    assert result.exit_code != 0 and "at least two coders" in result.output
    assert "Unknown document" in cli(["agreement", "Agreement study", "--coders", "hannah,tom", "--documents", "P9"]).output


def test_disagreements_lists_units_with_spans(cli, app):
    seed(app)
    result = cli(["disagreements", "Agreement study", "--code", "Trust/Between sectors"])
    assert result.exit_code == 0, result.output
    assert "tom: applied — [" in result.output and "hannah: not applied" in result.output
    assert "1 unit(s) where the coders differ" in result.output
    assert "Unknown code" in cli(["disagreements", "Agreement study", "--code", "Nope"]).output
