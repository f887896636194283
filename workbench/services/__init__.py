"""Services: the verbs of the workbench. They take a Session and plain values, enforce the
rules, and never commit: the caller (a web request or a CLI command) owns the transaction."""

# Importing the package switches the audit log on for every session.
from workbench.services import audit  # noqa: E402,F401
# And the full-text index for every new turn, whatever creates it.
from workbench.services import search  # noqa: E402,F401
