"""Every store test runs on both backends: SQLite (a file per test) and PostgreSQL (one private server for the
session, a fresh schema per test)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from .local_postgres import local_postgres


@pytest.fixture(scope="session")
def postgres_server():
    with local_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """An empty database of each backend, as a SQLAlchemy URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'keeper.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()
