"""`workbench ai-code` and `workbench ai-calibrate` on the command line."""
from __future__ import annotations

from sqlalchemy import select

from workbench.models import Coding, User


def _study(app, fake):
    from tests.suggest.conftest import build

    app.extensions["workbench.embedder"] = fake
    with app.extensions["workbench.sessions"]() as session:
        build(session)
        session.commit()


def test_ai_code_runs_here_with_wait_and_refuses_bad_input(app, cli, fake):
    _study(app, fake)
    result = cli(["ai-code", "Suggest study", "--document", "P01_interview", "--code", "Workload and capacity",
                  "--threshold", "1", "--wait"])
    assert result.exit_code == 0, result.output
    assert "Queued job" in result.output and "done: layer ai:fake-bow-64, documents 1, codings 1" in result.output
    with app.extensions["workbench.sessions"]() as session:
        made = session.scalars(select(Coding).join(User, User.id == Coding.coder_id).where(User.username == "ai:fake-bow-64")).all()
        assert len(made) == 1 and made[0].origin == "suggestion"
    bad = cli(["ai-code", "Suggest study", "--code-threshold", "Trust"])
    assert bad.exit_code != 0 and "CODE=SCORE" in bad.output
    unknown = cli(["ai-code", "Suggest study", "--code", "Trsut"])
    assert unknown.exit_code != 0 and "Trsut" in unknown.output
    # Only P02 is coded: calibration needs two coded documents, and says so.
    refused = cli(["ai-calibrate", "Suggest study", "--wait"])
    assert refused.exit_code != 0 and "at least two documents" in refused.output
