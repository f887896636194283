"""Charts and heatmaps (and the export page's quotes preview) drawn once and kept in the database until what they show changes.

Drawing a heatmap or a bar chart takes matplotlib ~0.3–0.5 s; the export and agreement pages show
them on every load. A drawn chart is stored in `chart_cache`, shared by every server process, under
- the key: the chart kind, its parameters, the analysis scope (`scope.current`, whatever it holds:
  document sets today, coders too once they are part of it) and the coders the viewer may see
  (blind coding), hashed; and
- the version: what the chart is drawn from, read in one cheap query per table — the codings' count,
  highest id and sums of code, coder and span (so a merge or a moved span counts, not only adds and
  removals), the codebook's count, highest id and summed `code.version` (renames, moves), and the
  project's audit log (count and latest time: case attributes, set memberships and anything else
  audited). Every count and sum is taken through the session, so scope and blind coding apply.
A row whose version differs is drawn again and replaced. The write is best-effort
(`db.best_effort_write`): a read-only request that finds SQLite's write lock taken, or another process
storing the same chart at the same moment, answers with the chart it drew and stores nothing."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.db import best_effort_write
from workbench.models import AuditEntry, ChartCache, Code, Coding, Document, Project, now
from workbench.services import scope, visibility


def _canonical(value):
    """JSON-able and order-free: sets sorted, dataclasses (a Scope) as their fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(_canonical(value), sort_keys=True, default=str).encode()).hexdigest()


def chart_key(session: Session, project: Project, kind: str, parameters: dict) -> str:
    viewer = session.info.get(visibility.VISIBLE_CODERS)
    return _digest({"kind": kind, "parameters": parameters, "scope": scope.current(session, project.id),
                    "visible_coders": viewer, "project_created": str(project.created_at)})


def codings_version(session: Session, project_id: int) -> str:
    """What every chart of the project is drawn from, as one digest (three aggregate queries)."""
    codings = session.execute(
        select(func.count(Coding.id), func.max(Coding.id), func.sum(Coding.code_id), func.sum(Coding.coder_id),
               func.sum(Coding.start), func.sum(Coding.end))
        .join(Document, Document.id == Coding.document_id).where(Document.project_id == project_id)
    ).one()
    codes = session.execute(
        select(func.count(Code.id), func.max(Code.id), func.sum(Code.version), func.sum(Code.parent_id), func.sum(Code.position))
        .where(Code.project_id == project_id)
    ).one()
    audit = session.execute(
        select(func.count(AuditEntry.id), func.max(AuditEntry.at)).where(AuditEntry.project_id == project_id)
    ).one()
    return _digest([[int(v or 0) for v in codings], [int(v or 0) for v in codes], [audit[0], str(audit[1])]])


def cached_chart(session: Session, project: Project, kind: str, parameters: dict, draw: Callable[[], bytes]) -> bytes:
    """The chart `draw()` makes for these parameters, from the cache when nothing it shows has changed."""
    key = chart_key(session, project, kind, parameters)
    version = codings_version(session, project.id)
    row = session.get(ChartCache, (project.id, kind, key))
    if row is not None and row.version == version:
        return row.content
    content = draw()
    try:
        with best_effort_write(session):
            if row is None:
                session.add(ChartCache(project_id=project.id, kind=kind, key=key, version=version, content=content, drawn_at=now()))
            else:
                row.version, row.content, row.drawn_at = version, content, now()
            session.flush()
    except IntegrityError:  # another process stored this chart a moment ago: keep theirs
        pass
    return content
