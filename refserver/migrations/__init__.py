"""The store's schema, made and moved by Alembic's migrations (versions/), the same on SQLite and PostgreSQL.

    flask --app refserver db upgrade               # the database to the newest revision
    flask --app refserver db current               # the revision it is at
    flask --app refserver db revision -m "…"       # a new revision from what the models changed (review it!)

create_app upgrades at start too, so a fresh database (the embedded server's, a test's, a first deployment's) needs
no step of its own; `db upgrade` is for a deployment that moves the schema before it starts the new code, with a
database role that may change tables (at the newest revision the app's start only reads where the database is, and
needs no such right). Every gunicorn worker runs create_app: a lock shared by all processes (PostgreSQL's advisory
lock, on SQLite a lock on a file beside the database) lets one move the schema while the others wait, then find it
moved.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask.cli import AppGroup
from sqlalchemy import Connection, Engine, inspect, text

from ..models import db

HERE = Path(__file__).resolve().parent
# this app's key among the database's advisory locks ("ibcert" and 1)
LOCK_KEY = 0x6962636572740001


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def _file_lock(engine: Engine):
    """An exclusive lock on <database>.lock, released when the file is closed (an in-memory database has no other
    process to wait for)."""
    path = engine.url.database
    if not path or path == ":memory:":
        return nullcontext()
    lock = open(f"{path}.lock", "a")
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


@contextmanager
def _moving(engine: Engine) -> Iterator[Connection]:
    """A connection, in a transaction, of the one process now moving the schema: the others wait here."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})  # ends with it
            yield connection
    elif engine.dialect.name == "sqlite":
        with _file_lock(engine), engine.begin() as connection:
            yield connection
    else:
        raise RuntimeError(f"IBCERT_DATABASE_URL: {engine.dialect.name} is not supported; give a sqlite:/// or a "
                           "postgresql+psycopg:// URL")


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (nothing to do if it is there)."""
    with _moving(engine) as connection:
        tables = inspect(connection)
        if not tables.has_table("alembic_version") and tables.has_table("contract"):
            raise RuntimeError(f"the database {engine.url.render_as_string()} was made before the refserver had "
                               "migrations: delete it (its schema is made anew at start) or give another "
                               "IBCERT_DATABASE_URL")
        command.upgrade(_config(connection), "head")


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: empty)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


cli = AppGroup("db", help="The schema of the store (Alembic migrations).")


@cli.command("upgrade")
def upgrade_command() -> None:
    """Bring the database to the newest revision."""
    upgrade(db.engine)
    click.echo(f"the database is at revision {current(db.engine)}")


@cli.command("current")
def current_command() -> None:
    """Print the revision the database is at."""
    click.echo(current(db.engine) or "empty: no revision yet")


@cli.command("revision")
@click.option("-m", "--message", required=True, help="what the revision changes")
def revision_command(message: str) -> None:
    """Write a new revision into refserver/migrations/versions/ from what the models changed since the newest one
    (compared with this database, which must be at it): review it, and test it with tests/test_migrations.py."""
    with db.engine.connect() as connection:
        config = _config(connection)
        number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1  # 0002, 0003, …: in order
        command.revision(config, message=message, autogenerate=True, rev_id=f"{number:04d}")
