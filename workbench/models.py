"""The data model: SQLAlchemy 2.0 typed tables. Alembic (migrations/) owns the schema."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    JSON,
    Boolean,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("owner", "coder", "viewer")
ORIGINS = ("manual", "suggestion", "import")
DECISIONS = ("coder", "both", "neither")
JOB_STATUSES = ("queued", "running", "done", "failed")
# The consensus layer is the codings of this reserved user: it exports and compares like any coder.
CONSENSUS_CODER = "consensus"
# The AI coder's layer is the codings of the reserved user "ai:<model name>", one per model; like
# the consensus layer it has no password, is nobody's account and is left out of "everyone" defaults.
AI_CODER_PREFIX = "ai:"


def is_layer_account(username: str) -> bool:
    """The consensus layer or an AI coder's layer: a coding layer, never a person who signs in."""
    return username.casefold() == CONSENSUS_CODER or username.casefold().startswith(AI_CODER_PREFIX)
DEFAULT_INTERVIEWERS = "Interviewer\nInt\nI\nQ\nModerator\nFacilitator\nResearcher"


def now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time, aware: SQLite hands back naive datetimes (they were stored in UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment and moment.tzinfo is None else moment


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A researcher with an account; codings and memos are theirs."""

    __tablename__ = "user"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids never reused (see migration 0010)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # NULL for placeholder coders (from imports and the demo): they can never sign in or be claimed
    # by an invitation, only through an owner's claim link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # Raised to end every session of the account at once (sign-out, password change, removal).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The demo account's password is public: it signs in only on a loopback-only demo server.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class Project(Base):
    __tablename__ = "project"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids never reused (see migration 0010)
    id: Mapped[int] = mapped_column(primary_key=True)
    # Not unique across the server: a taken name must not reveal another team's project.
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # Blind coding: each coder sees only their own codings until an owner reveals.
    blind: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Whose turns are not coded (one speaker label per line): "suggest for this document" skips
    # them, as it skips lines without a speaker (a title line). Numbered variants match too.
    interviewer_speakers: Mapped[str] = mapped_column(Text, default=DEFAULT_INTERVIEWERS, server_default=DEFAULT_INTERVIEWERS)

    members: Mapped[list[ProjectMember]] = relationship(back_populates="project", cascade="all, delete-orphan")
    documents: Mapped[list[Document]] = relationship(back_populates="project", cascade="all, delete-orphan")
    cases: Mapped[list[Case]] = relationship(back_populates="project", cascade="all, delete-orphan")
    codes: Mapped[list[Code]] = relationship(back_populates="project", cascade="all, delete-orphan")


class ProjectMember(Base):
    """Who may do what in a project: owner, coder or viewer."""

    __tablename__ = "project_member"
    __table_args__ = (CheckConstraint("role IN ('owner', 'coder', 'viewer')", name="role"),)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))

    project: Mapped[Project] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")  # a team list names every member: no query per member


class Invitation(Base):
    """A single-use link an owner made: to join a project (`join`) or to claim a placeholder coder
    (`claim`). Only the sha256 of its token is stored."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint("kind IN ('join', 'claim')", name="kind"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="join")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    # For a claim link: the placeholder coder it turns into a real account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    project: Mapped[Project] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])


class RateLimitCounter(Base):
    """A window counter of the sign-in limiter (Flask-Limiter's storage when no Redis is set), so
    every server process sees the same counts."""

    __tablename__ = "rate_limit_counter"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float)  # unix time the window ends


class Case(Base):
    """A participant, with attributes such as role, site and interview wave."""

    __tablename__ = "case"
    __table_args__ = (UniqueConstraint("project_id", "participant_id"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[str] = mapped_column(String(100))

    project: Mapped[Project] = relationship(back_populates="cases")
    attributes: Mapped[list[CaseAttribute]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseAttribute.name"
    )

    def attribute_map(self) -> dict[str, str]:
        return {a.name: a.value for a in self.attributes}


class CaseAttribute(Base):
    __tablename__ = "case_attribute"
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="attributes")


class Document(Base):
    """A transcript: its full text is stored once; spans point into it by code point."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("project_id", "name"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    source_filename: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"), index=True)

    project: Mapped[Project] = relationship(back_populates="documents")
    case: Mapped[Case | None] = relationship()
    utterances: Mapped[list[Utterance]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Utterance.position"
    )


class DocumentSet(Base):
    """A named group of documents ("wave 1", "GPs"), used to scope analyses; a document can be in several."""

    __tablename__ = "document_set"
    __table_args__ = (UniqueConstraint("project_id", "name"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    members: Mapped[list[DocumentSetMember]] = relationship(back_populates="document_set", cascade="all, delete-orphan")


class DocumentSetMember(Base):
    """One document in one set."""

    __tablename__ = "document_set_member"
    set_id: Mapped[int] = mapped_column(ForeignKey("document_set.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True, index=True)

    document_set: Mapped[DocumentSet] = relationship(back_populates="members")
    document: Mapped[Document] = relationship()


class Utterance(Base):
    """A speaker turn: [start, end) in code points of the document text."""

    __tablename__ = "utterance"
    __table_args__ = (
        CheckConstraint('"start" >= 0 AND "end" > "start"', name="span"),
        Index("ix_utterance_document_position", "document_id", "position"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(100))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[float | None] = mapped_column(Float)

    document: Mapped[Document] = relationship(back_populates="utterances")


class Code(Base):
    """A node of the codebook; themes are codes with children."""

    __tablename__ = "code"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids never reused (see migration 0010)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")
    inclusion: Mapped[str] = mapped_column(Text, default="")
    exclusion: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#cccccc")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic locking: a codebook edit based on an old version is refused, not silently lost.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    project: Mapped[Project] = relationship(back_populates="codes")
    parent: Mapped[Code | None] = relationship(remote_side="Code.id", back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent", order_by="Code.position")

    __mapper_args__ = {"version_id_col": version}


class Coding(Base):
    """One code applied to one span of one document by one coder."""

    __tablename__ = "coding"
    __table_args__ = (
        CheckConstraint('"start" >= 0 AND "end" > "start"', name="span"),
        CheckConstraint("origin IN ('manual', 'suggestion', 'import')", name="origin"),
        Index("ix_coding_document_coder", "document_id", "coder_id"),
        # Two coders racing to apply the same code to the same span must not create two rows.
        UniqueConstraint("document_id", "code_id", "coder_id", "start", "end", name="uq_coding_span"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    document: Mapped[Document] = relationship()
    code: Mapped[Code] = relationship()
    coder: Mapped[User] = relationship()


class CodingProvenance(Base):
    """Where a coding that came from the model came from: the model, the ranking settings, the score
    and the evidence shown, and when. One row per such coding (plain codings have none)."""

    __tablename__ = "coding_provenance"
    coding_id: Mapped[int] = mapped_column(ForeignKey("coding.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # "suggestion" (accepted on screen), "ai coder", "ai accepted"
    model: Mapped[str] = mapped_column(String(200))  # the embedder's name (it names the cache too)
    model_sha256: Mapped[str] = mapped_column(String(64))  # sha256 of the model's weight file
    settings: Mapped[dict] = mapped_column(JSON)  # the ranking settings' values
    settings_sha256: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict] = mapped_column(JSON)  # definition match, neighbouring codings, classifier probability
    job_id: Mapped[int | None] = mapped_column(Integer)  # the AI coder run that made it (not a foreign key: jobs are pruned)
    suggested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class AiThreshold(Base):
    """A code's threshold for the AI coder, calibrated leave-one-document-out on the project's own
    codings for a wanted precision (services/ai_coder.calibrate); `threshold` None: none reached it."""

    __tablename__ = "ai_threshold"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    wanted_precision: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[float | None] = mapped_column(Float)
    support: Mapped[int] = mapped_column(Integer, default=0)  # true positives at or above the threshold
    examples: Mapped[int] = mapped_column(Integer, default=0)  # turns the code was applied to, in the coded documents
    documents: Mapped[int] = mapped_column(Integer, default=0)  # coded documents held out in turn
    calibrated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Memo(Base):
    """A researcher's note on a project, document, code or coding."""

    __tablename__ = "memo"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids never reused (see migration 0010)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"))
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("coding.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    # Set when the coding the memo was written on is removed: the memo stays on the document with
    # the passage it was about ([quote_start, quote_end) in code points), so no note is lost.
    quote: Mapped[str | None] = mapped_column(Text)
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)

    author: Mapped[User] = relationship()


class UndoStep(Base):
    """One undoable action of one coder, as data: the row operations that reverse it (`inverse`) and
    those that do it again (`redo`). See services/history.py (recording) and services/undo.py."""

    __tablename__ = "undo_step"
    __table_args__ = (Index("ix_undo_step_project_user", "project_id", "user_id", "id"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(300))  # shown on the button: "Undo: Coded ‘Trust’"
    # The role undoing it needs: an owner's codebook edit stays an owner's to undo.
    role: Mapped[str] = mapped_column(String(16), default="coder")
    inverse: Mapped[list] = mapped_column(JSON)
    redo: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Adjudication(Base):
    """A reviewer's decision on one disagreement: whose version becomes the consensus, and why."""

    __tablename__ = "adjudication"
    __table_args__ = (
        CheckConstraint("decision IN ('coder', 'both', 'neither')", name="decision"),
        CheckConstraint('"end" > "start"', name="span"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)  # the unit reviewed, in code points
    end: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))
    chosen_coder_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    rationale: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Embedding(Base):
    """A cached sentence embedding, keyed by model and the sha256 of the exact text."""

    __tablename__ = "embedding"
    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    dimensions: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ChartCache(Base):
    """A drawn chart or heatmap, kept until what it shows changes (services/chart_cache.py).

    One row per project, chart kind and `key` (sha256 of the chart's parameters, the analysis scope
    and the coders the viewer may see); `version` names the codings, codebook and audit log state it
    was drawn from, so a row whose version is not the current one is drawn again and replaced."""

    __tablename__ = "chart_cache"
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class SuggestionClassifier(Base):
    """The suggestion ranker's per-code classifiers, trained by a job on one set of coded passages.

    One row per project, evidence scope (0: every coder's codings; a user id: only theirs, for blind
    coding) and embedding model; `examples_digest` names the coded passages it learned from."""

    __tablename__ = "suggestion_classifier"
    __table_args__ = (UniqueConstraint("project_id", "scope", "model"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    scope: Mapped[int] = mapped_column(Integer, default=0)
    model: Mapped[str] = mapped_column(String(200))
    examples_digest: Mapped[str] = mapped_column(String(64))
    examples: Mapped[int] = mapped_column(Integer)
    weights: Mapped[bytes] = mapped_column(LargeBinary)  # .npz: code ids, coefficients, intercepts
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ProjectModel(Base):
    """One version of the embedding model fine-tuned on a project's codings (services/fine_tuning.py),
    with its held-out figures against the base model. `path` is its folder under the instance's
    models/ directory (None once discarded: a version that did not beat the base is not kept); at most
    one version per project is `active`, and suggestions use it."""

    __tablename__ = "project_model"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(200))  # the embedder's name: folder@first 12 digits of the sha256
    weights_sha256: Mapped[str] = mapped_column(String(64))
    base_model: Mapped[str] = mapped_column(String(200))  # the name of the model it was tuned from
    seed: Mapped[int] = mapped_column(Integer)
    pairs: Mapped[int] = mapped_column(Integer)
    steps: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)  # training time
    training_passages: Mapped[int] = mapped_column(Integer)
    heldout_documents: Mapped[int] = mapped_column(Integer)
    heldout_passages: Mapped[int] = mapped_column(Integer)
    heldout_base_p1: Mapped[float] = mapped_column(Float)  # precision@1 of the project's ranker on the base model
    heldout_tuned_p1: Mapped[float] = mapped_column(Float)  # ... and on this version
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    job_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class SuggestionRejection(Base):
    """A suggestion a coder turned down, so it is not offered again for that span."""

    __tablename__ = "suggestion_rejection"
    __table_args__ = (UniqueConstraint("document_id", "code_id", "coder_id", "start", "end"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class CodeShortcut(Base):
    """A code a coder pinned to a number key (1-9) of the coding screen, per project.

    A preference, not research data: it goes with the code or the member it belongs to."""

    __tablename__ = "code_shortcut"
    __table_args__ = (
        CheckConstraint("shortcut BETWEEN 1 AND 9", name="shortcut"),
        UniqueConstraint("user_id", "project_id", "shortcut", name="uq_code_shortcut_key"),
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    shortcut: Mapped[int] = mapped_column(Integer)


class ScopePreference(Base):
    """The coders a member last chose to count on this project's analysis pages (issue 14).

    A preference, not research data: not audited, and it goes with the member or the project."""

    __tablename__ = "scope_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    coder_ids: Mapped[list] = mapped_column(JSON, default=list)  # empty: every coder


class SavedQuery(Base):
    """A coding query saved by name (services/saved_queries.py): the expression and its options
    (within, attribute and speaker filters, the code ids its names meant), never its results."""

    __tablename__ = "saved_query"
    __table_args__ = (UniqueConstraint("project_id", "name"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    expression: Mapped[str] = mapped_column(Text)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, onupdate=now)

    created_by: Mapped[User | None] = relationship()


class Exemplar(Base):
    """A coded passage pinned by a researcher as an illustrative quote for its code."""

    __tablename__ = "exemplar"
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), primary_key=True)
    coding_id: Mapped[int] = mapped_column(ForeignKey("coding.id", ondelete="CASCADE"), primary_key=True)
    pinned_by: Mapped[int] = mapped_column(ForeignKey("user.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class AuditEntry(Base):
    """One change, append-only: who did what to which object, with the values before and after.

    project_id is a plain column, not a foreign key, so the history outlives what it describes."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_project_at", "project_id", "at"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    project_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(80))
    document_id: Mapped[int | None] = mapped_column(Integer, index=True)
    code_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    # What happened, in words, with the names as they were when it happened (names change later).
    sentence: Mapped[str | None] = mapped_column(Text)


class Job(Base):
    """Long work (embedding, REFI import, ...) as a row: the queue backends only carry its id.

    coalesce_key is set while a job is queued and may absorb more work ("embed:<project>"): being
    unique, it allows one such queued job at a time; claiming the job clears it."""

    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_job_status_run_after", "status", "run_after"),
        Index("ix_job_project_created", "project_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    coalesce_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    arguments: Mapped[dict] = mapped_column(JSON, default=dict)
    # An upload the job reads (a REFI file): the database is the one store every worker shares.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    result: Mapped[dict | None] = mapped_column(JSON)
    worker: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    run_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # retry backoff
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeidReview(Base):
    """A de-identification of a project (or of chosen documents): its findings are reviewed, then
    applied to make a de-identified copy (`copy_project_id`); the original is never changed."""

    __tablename__ = "deid_review"
    __table_args__ = (CheckConstraint("status IN ('open', 'applied')", name="status"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    document_ids: Mapped[list] = mapped_column(JSON, default=list)  # empty: the whole project
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    found_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    copy_project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"), index=True)


class DeidFinding(Base):
    """One identifier found in one field of one row ([start, end) in code points of that field), and
    the owner's decision on it. `replacement` overrides the term's pseudonym for this place only."""

    __tablename__ = "deid_finding"
    __table_args__ = (
        CheckConstraint("decision IN ('pending', 'accepted', 'rejected')", name="decision"),
        Index("ix_deid_finding_review_term", "review_id", "term"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("deid_review.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(40))  # document, memo, case, case attribute, code, project, document set
    target_id: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(40))  # text, name, value, participant_id, ...
    document_id: Mapped[int | None] = mapped_column(Integer)  # for the review screen's order and context
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    term: Mapped[str] = mapped_column(String(300))  # finders.term_key(text): the pseudonym map's key
    type: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    replacement: Mapped[str | None] = mapped_column(String(300))


class DeidPseudonym(Base):
    """The pseudonym map (owners only, never exported unless asked): a term, its type and pseudonym.
    `listed`: entered by an owner (the project's list of people, organisations and places)."""

    __tablename__ = "deid_pseudonym"
    __table_args__ = (UniqueConstraint("project_id", "term"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(String(300))
    original: Mapped[str] = mapped_column(String(300))  # as first written
    type: Mapped[str] = mapped_column(String(40))
    role: Mapped[str | None] = mapped_column(String(100))
    pseudonym: Mapped[str] = mapped_column(String(300))
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
