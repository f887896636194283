"""The one place a page or download reads which documents it analyses: `?set=<id>&set=<id>` (or a form's `set` fields)."""
from __future__ import annotations

from flask import g, request

from workbench.models import Project
from workbench.services import document_sets, scope
from workbench.services.errors import Invalid
from workbench.web import db
from workbench.web.security import MAX_ID


def analysis_scope(project: Project) -> scope.Scope:
    """The chosen document sets, resolved and applied to this request's session (templates find the
    project's sets in `g.document_sets` for the filter). An unknown set is a 404, a non-number a 400."""
    ids = []
    for value in request.values.getlist("set"):
        if not value:
            continue
        if not value.isdigit() or int(value) > MAX_ID:
            raise Invalid(f"A document set is chosen by its id (a whole number), not {value!r}.")
        ids.append(int(value))
    g.document_sets = document_sets.list_sets(db(), project.id)
    return scope.apply(db(), scope.resolve(db(), project.id, ids))
