"""Schema migrations (Alembic, `keeper/store/alembic/versions/`), applied at open on SQLite and PostgreSQL alike: a
store written by an older keeper is upgraded in place, one written by a newer keeper is refused rather than misread.

Stores written before Alembic carry their version in a `schema_version` table: they are stamped with the matching
revision, then upgraded like any other.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

SCRIPTS = Path(__file__).with_name("alembic")
# The hand-rolled versions of the first releases, and the revision each equals.
LEGACY_REVISIONS = {1: "0001", 2: "0002"}


class NewerStore(RuntimeError):
    """The store was written by a newer keeper: this one would misread it."""


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    return ScriptDirectory.from_config(_config(None)).get_current_head()


def current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, target: str = "head") -> str | None:
    """Brings the schema to `target`; returns the revision it was at (None: a new store)."""
    with engine.begin() as conn:
        config = _config(conn)
        was = current(conn)
        tables = inspect(conn).get_table_names()
        if was is None and "schema_version" in tables:
            legacy = conn.execute(text("SELECT version FROM schema_version")).scalar()
            if legacy not in LEGACY_REVISIONS:
                raise NewerStore(f"store schema v{legacy} is newer than this keeper: upgrade the keeper")
            command.stamp(config, LEGACY_REVISIONS[legacy])
            conn.execute(text("DROP TABLE schema_version"))
            was = LEGACY_REVISIONS[legacy]
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        if was is not None and was not in known:
            raise NewerStore(f"store schema revision {was} is newer than this keeper (head {head()}): upgrade the "
                             "keeper, or point it at another store")
        command.upgrade(config, target)
    return was
