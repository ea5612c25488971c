"""The schema by migrations (refserver/migrations): on SQLite and on PostgreSQL they make exactly the models' tables;
of processes starting on a fresh database one makes it while the others wait; a database older than the migrations
is refused with a message that says what to do; `flask db` tells where a database is."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from refserver import migrations
from refserver.models import db

pytestmark = pytest.mark.databases


@pytest.fixture
def fresh(request, database, tmp_path):
    """An engine on an empty database of the kind under test."""
    if database.startswith("postgresql"):
        url = request.getfixturevalue("postgresql").create_database()
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def _head() -> str:
    return ScriptDirectory(str(migrations.HERE)).get_current_head()


def _differences(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def test_the_migrations_make_exactly_the_models_schema(fresh):
    migrations.upgrade(fresh)
    assert _differences(fresh) == []
    assert migrations.current(fresh) == _head()
    migrations.upgrade(fresh)  # at the newest revision already: nothing to do
    assert migrations.current(fresh) == _head()


class _Held:
    """The lock migrations.upgrade takes, held by the test; `waiting()` says whether another holder waits for it."""

    def __init__(self, engine):
        self.engine = engine
        if engine.dialect.name == "postgresql":
            self.connection = engine.connect()
            self.connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": migrations.LOCK_KEY})
        else:
            self.file = open(f"{engine.url.database}.lock", "a")
            fcntl.flock(self.file, fcntl.LOCK_EX)

    def waiting(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            return self.connection.scalar(sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                                  "AND NOT granted AND database = (SELECT oid FROM pg_database "
                                                  "WHERE datname = current_database())")) > 0
        # Linux lists a process blocked in flock() as "-> FLOCK … <device>:<inode> …" in /proc/locks
        inode = os.fstat(self.file.fileno()).st_ino
        with open("/proc/locks") as locks:
            return any("->" in line and f":{inode} " in line for line in locks)

    def release(self) -> None:
        if self.engine.dialect.name == "postgresql":
            self.connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": migrations.LOCK_KEY})
            self.connection.close()
        else:
            self.file.close()


def test_one_process_makes_the_schema_while_the_others_wait(fresh):
    """Every gunicorn worker upgrades at start: the one that comes second waits for the lock and then finds the
    schema made, instead of making the same tables at once and failing on them."""
    if fresh.dialect.name == "sqlite" and not os.path.exists("/proc/locks"):
        pytest.skip("who waits for a file lock is seen in Linux's /proc/locks")
    held = _Held(fresh)
    upgrading = threading.Thread(target=migrations.upgrade, args=(fresh,))
    upgrading.start()
    deadline = time.monotonic() + 10
    while upgrading.is_alive() and not held.waiting() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        assert upgrading.is_alive() and held.waiting(), "the upgrade did not wait for the lock"
        assert not sa.inspect(fresh).get_table_names()
    finally:
        held.release()
        upgrading.join()
    assert _differences(fresh) == []


def test_a_database_made_before_the_migrations_is_refused_with_what_to_do(fresh):
    db.metadata.create_all(fresh)
    with pytest.raises(RuntimeError, match="made before the refserver had migrations: delete it"):
        migrations.upgrade(fresh)


def test_flask_db_tells_the_revision(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "current"]).output == f"{_head()}\n"
    assert runner.invoke(args=["db", "upgrade"]).output == f"the database is at revision {_head()}\n"
