"""A throwaway PostgreSQL server on a free loopback port, for tests and benchmarks of the refserver on PostgreSQL.

    with PostgresServer() as server:
        server.url                         # postgresql+psycopg://postgres:…@127.0.0.1:PORT/ibcert
        server.create_database()           # … another empty database on it (a new name), its URL

    python -m refserver.pgserver           # one until Ctrl-C, its URL printed (to try the refserver on it)

It runs the PostgreSQL binaries of this machine (Debian's /usr/lib/postgresql/<version>/bin, or those on PATH) on a
new cluster in a temporary folder — data, unix socket and log — which stop() removes. PostgreSQL refuses to run as
root, so as root the cluster belongs to, and runs as, the `postgres` system user (the postgresql package makes it).
It is made for speed, not durability (no fsync), and keeps the time zone of a Japanese bank, so that a time stored
or read in the server's zone instead of UTC shows up in tests.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from .embedded import free_port

# Throwaway data: nothing needs to survive a crash, so nothing is synced.
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "200",
        "timezone": "Asia/Tokyo"}


def bindir() -> Path | None:
    """The folder of initdb and postgres: on PATH, else the newest of /usr/lib/postgresql/*/bin; None if neither."""
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    def __init__(self, *, database: str = "ibcert", settings: dict | None = None, startup_timeout: float = 30.0,
                 system_user: str = "postgres"):
        self.bindir = bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL is not installed (no postgres on PATH nor in /usr/lib/postgresql/*/bin): "
                               "apt-get install postgresql")
        self.database = database
        self.settings = {**FAST, **(settings or {})}
        self.startup_timeout = startup_timeout
        # as root, run as an unprivileged user; otherwise as whoever we are
        self._account = pwd.getpwnam(system_user) if os.geteuid() == 0 else None
        self.password = secrets.token_urlsafe(18)
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.folder: Path | None = None

    def url_of(self, database: str) -> str:
        return f"postgresql+psycopg://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.url_of(self.database)

    @property
    def log_path(self) -> Path:
        return self.folder / "postgres.log"

    def _as_owner(self) -> dict:
        if self._account is None:
            return {}
        return {"user": self._account.pw_uid, "group": self._account.pw_gid, "extra_groups": []}

    def start(self) -> PostgresServer:
        self.folder = Path(tempfile.mkdtemp(prefix="ibcert-pg-"))
        try:
            self._initdb()
            self._run()
            self.create_database(self.database)
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self) -> None:
        (self.folder / "socket").mkdir()
        password_file = self.folder / "password"
        password_file.write_text(self.password)
        if self._account is not None:
            for path in (self.folder, self.folder / "socket", password_file):
                os.chown(path, self._account.pw_uid, self._account.pw_gid)
        done = subprocess.run(
            [self.bindir / "initdb", "-D", self.folder / "data", "-U", "postgres", "--auth=scram-sha-256",
             f"--pwfile={password_file}", "-E", "UTF8", "--locale=C", "--no-sync"],
            cwd=self.folder, capture_output=True, text=True, **self._as_owner())
        if done.returncode:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def _run(self) -> None:
        self.port = free_port()
        options = [arg for key, value in self.settings.items() for arg in ("-c", f"{key}={value}")]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [self.bindir / "postgres", "-D", self.folder / "data", "-p", str(self.port),
                 "-k", self.folder / "socket", "-c", "listen_addresses=127.0.0.1", *options],
                cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, **self._as_owner())
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}:\n{self._log_tail()}")
            try:
                psycopg.connect(self._conninfo("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not answer within {self.startup_timeout} s:\n{self._log_tail()}")
                time.sleep(0.05)

    def _conninfo(self, database: str) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database on this server (named *name*, or a new name); its SQLAlchemy URL."""
        name = name or f"ibcert_{secrets.token_hex(4)}"
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url_of(name)

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop at once (SIGQUIT: the immediate shutdown, nothing is kept) and remove the folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    with PostgresServer() as server:
        print(f"IBCERT_DATABASE_URL={server.url}  (Ctrl-C stops and removes it)", flush=True)
        try:
            server.process.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
