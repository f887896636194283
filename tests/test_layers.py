"""House rule 3: the pure packages import neither Flask nor SQLAlchemy."""
import subprocess
import sys

import pytest

PURE = ["workbench.importers", "workbench.deid", "workbench.agreement", "workbench.export", "workbench.refi", "workbench.suggest"]


@pytest.mark.parametrize("package", PURE)
def test_pure_package_imports_no_web_and_no_database(package):
    code = f"import sys, {package}; print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", f"{package} pulls in {out}"
