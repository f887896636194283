"""The one place a page or download reads which documents it analyses: `?set=<id>&set=<id>` (or a form's `set` fields)."""
from __future__ import annotations

from flask import g, request

from workbench.models import Project
from workbench.services import document_sets, scope
from workbench.web import db
from workbench.web.security import database_ids


def analysis_scope(project: Project) -> scope.Scope:
    """The chosen document sets, resolved and applied to this request's session (templates find the
    project's sets in `g.document_sets` for the filter). An unknown set is a 404, a non-number a 400."""
    ids = database_ids([v for v in request.values.getlist("set") if v], "Document sets")
    g.document_sets = document_sets.list_sets(db(), project.id)
    return scope.apply(db(), scope.resolve(db(), project.id, ids))
