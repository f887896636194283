"""The REFI package is pure: it imports neither Flask nor SQLAlchemy."""
import subprocess
import sys


def test_refi_package_is_pure():
    code = "import sys, workbench.refi, workbench.refi.schema; print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
