"""Alembic environment: workbench.models is the source of truth for autogenerate."""
from alembic import context
from sqlalchemy import create_engine

from workbench.config import Settings
from workbench.models import Base

config = context.config
url = config.attributes.get("database_url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection") or create_engine(url)
    if hasattr(connectable, "connect") and not hasattr(connectable, "begin_nested"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _in_models(obj, name, type_, reflected, compare_to) -> bool:
    """The full-text index (migration 0009) lives beside the models, not in them."""
    return not (name or "").startswith(("utterance_fts", "search_vector", "ix_utterance_search_vector"))


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
        compare_type=True,
        include_object=_in_models,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
