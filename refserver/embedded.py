"""The refserver under gunicorn on a free local port, for the browser suite, the documentation job and tests.

    with EmbeddedServer() as server:
        server.base_url          # https://127.0.0.1:PORT (http:// with trusted_proxy)
        server.operator_token    # for the bank-side JSON API
        server.ca_cert           # the dev root CA (PEM path) to trust the server with
        server.pki               # the DevPKI (issuing CA, test client certificates)
        server.mail              # the SMTP sink its e-mail notices go to (refserver/mailsink.py)

It runs exactly as production does (gunicorn, refserver/gunicorn.conf.py, two workers) but in testing mode, on a
fresh SQLite database in a temporary folder that is removed at stop() (or on the database of `database_url`, say an
empty one of refserver.pgserver.PostgresServer: the workers make its schema at start), its notices sent to a real
SMTP sink in this process (mail=False: none). With `trusted_proxy` (say "127.0.0.1") it serves plain HTTP to a TLS
proxy at that address, as behind deploy/'s nginx (deploy/nginx.py runs one in front of it).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from certs.pki import DevPKI

from .mailsink import MailSink

REPO_ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = Path(__file__).resolve().parent / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedServer:
    def __init__(self, *, pki: DevPKI | None = None, frozen_now: str | None = None, env: dict | None = None,
                 workers: int = 2, startup_timeout: float = 20.0, mail: bool = True, database_url: str | None = None,
                 trusted_proxy: str | None = None):
        self.pki = (pki or DevPKI.default()).ensure()
        self.database_url = database_url
        self.trusted_proxy = trusted_proxy
        self.frozen_now = frozen_now
        self.extra_env = dict(env or {})
        self.workers = workers
        self.startup_timeout = startup_timeout
        self.operator_token = secrets.token_urlsafe(24)
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.mail: MailSink | None = MailSink(free_port()) if mail else None
        self._folder: tempfile.TemporaryDirectory | None = None

    @property
    def base_url(self) -> str:
        return f"{'http' if self.trusted_proxy else 'https'}://127.0.0.1:{self.port}"

    @property
    def ca_cert(self) -> Path:
        return self.pki.root_ca_pem

    @property
    def log_path(self) -> Path:
        return Path(self._folder.name) / "gunicorn.log"

    def _environment(self, folder: Path) -> dict:
        env = {
            **os.environ,
            "IBCERT_DATABASE_URL": self.database_url or f"sqlite:///{folder / 'ibcert.db'}",
            "IBCERT_TESTING": "1",
            "IBCERT_OPERATOR_TOKEN": self.operator_token,
            "IBCERT_SECRET_KEY": secrets.token_hex(32),
            "IBCERT_PKI_DIR": str(self.pki.state_dir),
            "IBCERT_BIND": f"127.0.0.1:{self.port}",
            "IBCERT_TRUSTED_PROXY": self.trusted_proxy or "",
            "WEB_CONCURRENCY": str(self.workers),
            **self.extra_env,
        }
        if self.frozen_now:
            env["IBCERT_FROZEN_NOW"] = self.frozen_now
        if self.mail is not None:
            env.update(IBCERT_SMTP_HOST=self.mail.host, IBCERT_SMTP_PORT=str(self.mail.port))
        return env

    def start(self) -> EmbeddedServer:
        self._folder = tempfile.TemporaryDirectory(prefix="ibcert-server-")
        folder = Path(self._folder.name)
        self.port = free_port()
        if self.mail is not None:
            self.mail.start()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)],
                cwd=REPO_ROOT, env=self._environment(folder), stdout=log, stderr=subprocess.STDOUT,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        """Poll /healthz over TLS, verified against the dev root CA, until it answers or the server dies."""
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the refserver exited with {self.process.returncode}:\n{self._log_tail()}")
            try:
                if requests.get(f"{self.base_url}/healthz", verify=str(self.ca_cert), timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the refserver did not answer within {self.startup_timeout} s:\n{self._log_tail()}")
            time.sleep(0.05)

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.mail is not None:
            self.mail.stop()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
