"""A real nginx in front of the refserver, from deploy/refserver.nginx.conf, on a free loopback port: for the tests
(tests/test_proxy.py, e2e/test_behind_nginx.py).

    with EmbeddedServer(trusted_proxy="127.0.0.1") as server, Nginx(server) as nginx:
        nginx.base_url           # https://127.0.0.1:PORT: the dev server certificate, the issuing CA's asked for

It runs in the foreground with its pid file, logs and temporary files in a folder of its own (`-p`), so nothing of
a system nginx is touched; the config is the deployment's, with the five values envsubst would fill in.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from refserver.embedded import EmbeddedServer, free_port

TEMPLATE = Path(__file__).with_name("refserver.nginx.conf")
# the main context a distribution's nginx.conf gives, with every path inside the prefix folder
_MAIN = """pid nginx.pid;
error_log error.log;
events { worker_connections 256; }
http {
    access_log access.log;
    client_body_temp_path body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
    include server.conf;
}
"""


def binary() -> str | None:
    """nginx on PATH or where Debian's package puts it (/usr/sbin, not on a user's PATH); None if not installed."""
    return shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))


def render(template: str, values: dict[str, str]) -> str:
    """The template with each ${NAME} replaced, as envsubst does; nginx's own $variables are left alone."""
    def value(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"{TEMPLATE.name}: no value for ${{{match.group(1)}}}")
        return values[match.group(1)]

    return re.sub(r"\$\{(\w+)\}", value, template)


class Nginx:
    def __init__(self, server: EmbeddedServer, *, startup_timeout: float = 10.0):
        self.server, self.startup_timeout = server, startup_timeout
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self._folder: tempfile.TemporaryDirectory | None = None

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        nginx = binary()
        if nginx is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        self._folder = tempfile.TemporaryDirectory(prefix="ibcert-nginx-")
        folder, pki = Path(self._folder.name), self.server.pki
        self.port = free_port()
        (folder / "server.conf").write_text(render(TEMPLATE.read_text(), {
            "IBCERT_LISTEN": f"127.0.0.1:{self.port}", "IBCERT_SERVER_CERT": str(pki.server_cert_pem),
            "IBCERT_SERVER_KEY": str(pki.server_key_pem), "IBCERT_CLIENT_CA": str(pki.client_ca_pem),
            "IBCERT_UPSTREAM": urlsplit(self.server.base_url).netloc}))
        (folder / "nginx.conf").write_text(_MAIN)
        self.process = subprocess.Popen(
            [nginx, "-p", f"{folder}/", "-c", str(folder / "nginx.conf"), "-e", "error.log", "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            self._wait_until_listening()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                log = (Path(self._folder.name) / "error.log").read_text(errors="replace")
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not listen within {self.startup_timeout} s") from None
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
