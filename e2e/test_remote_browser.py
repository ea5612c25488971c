"""Remote browsers (--connect / IBCERT_CONNECT): the suite and the documentation job take their Chromium from a
Playwright browser server instead of launching it.

The server is a `playwright run-server` on a free loopback port, set up as a remote machine's would be (README, "Use
remote browsers"): its HOME's NSS database and NODE_EXTRA_CA_CERTS trust the bank's CA, and --unsafe lets it take
the executable and launch args the clients ask for. The runs under test could not launch a browser of their own
(IBCERT_CHROMIUM names none); the Chromium the server launches is a wrapper that notes each command line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from certs.pki import DevPKI
from manual import build
from pages import settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = settings.load()
# a step that obtains a certificate and imports it into the PC, and a logon presenting one
STEP_TESTS = ("e2e/test_I_3_II_1_certificate_enrollment.py::test_8_certificate_obtained_and_imported[chromium-I-3.8]",
              "e2e/test_I_4_II_2_certificate_logon.py::test_4_pin[chromium-II-2.4]")
@dataclass(frozen=True)
class BrowserServer:
    """A browser server on this machine; the Chromium it launches is a wrapper that notes its command line."""

    endpoint: str
    chromium: Path  # the executable the runs under test ask the server to launch
    launch_log: Path

    def command_lines(self) -> list[list[str]]:
        """The arguments of each browser the server launched, in order."""
        if not self.launch_log.exists():
            return []
        return [line.split("\0")[:-1] for line in self.launch_log.read_text().splitlines()]


@pytest.fixture(scope="module")
def browser_server(tmp_path_factory: pytest.TempPathFactory, pytestconfig) -> Iterator[BrowserServer]:
    if pytestconfig.getoption("--base-url"):
        pytest.skip("not applicable: checks the suite's remote browsers on its embedded server, not the server "
                    "under test")
    folder = tmp_path_factory.mktemp("browser-server")
    ca = DevPKI.default().ensure().root_ca_pem  # the embedded server's, as the runs under test start it
    chromium, launch_log = folder / "chromium", folder / "launches"
    chromium.write_text(f'#!/bin/sh\nprintf "%s\\0" "$@" >> {launch_log}\necho >> {launch_log}\n'
                        f'exec {CONFIG.find_chromium()} "$@"\n')
    chromium.chmod(0o755)
    env = {**os.environ, "HOME": str(settings.trust_home(ca, folder / "home")), "NODE_EXTRA_CA_CERTS": str(ca)}
    # a session of its own: stopped, the Python launcher and the Node server under it stop together
    server = subprocess.Popen([sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1", "--port", "0",
                               "--unsafe"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              start_new_session=True)
    try:
        listening = server.stdout.readline()  # "Listening on ws://127.0.0.1:<port>/", once it listens
        assert listening.startswith("Listening on "), "run-server did not start"
        yield BrowserServer(listening.split()[-1], chromium, launch_log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()


def _python(*args: str, remote: BrowserServer | None = None) -> subprocess.Popen:
    """`python <args>` from the repository, as a user starts it (none of this pytest run's own variables); with
    `remote`, no browser to launch here, but the one the browser server is asked to launch."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    if remote:
        env.update({CONFIG.EXECUTABLE_ENV[0]: str(ROOT / "no-browser-here"),
                    CONFIG.REMOTE_EXECUTABLE_ENV: str(remote.chromium)})
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _finished(run: subprocess.Popen) -> str:
    output = run.communicate()[0]
    assert run.returncode == 0, output
    return output


@pytest.mark.tls
def test_step_tests_run_in_a_browser_of_the_browser_server(browser_server: BrowserServer, tmp_path: Path):
    """I-3.8 (a certificate obtained and imported) and II-2.4 (a certificate logon) pass in the server's browser:
    the CA is trusted there by Chromium and by the client-certificate proxy."""
    before = len(browser_server.command_lines())
    output = _finished(_python("-m", "pytest", *STEP_TESTS, "-n", "0", "-p", "no:cacheprovider",
                               "--connect", browser_server.endpoint, "--conformance-dir", str(tmp_path / "conformance"),
                               "--output", str(tmp_path / "results"), remote=browser_server))
    assert f"{len(STEP_TESTS)} passed" in output, output
    launched = browser_server.command_lines()[before:]
    assert len(launched) == 1
    assert set(settings.launch_args(None)["args"]) <= set(launched[0])  # the suite's launch args reached it


# A screen and a print of the documentation job, made with its own way of getting a browser (manual.build._start):
# the screen's PNG and the PDF's pages go to the folder named by the first argument.
SHOOT = """
import sys
from contextlib import ExitStack
from pathlib import Path
from certs.pki import DevPKI
from manual import build, document
from manual.render import print_pdf
from manual.screenshots import StepCamera
out, connect = Path(sys.argv[1]), sys.argv[2] or None
server = build.RemoteServer("https://127.0.0.1:9", "", DevPKI.default().ensure().root_ca_pem)  # never reached
with ExitStack() as stack:
    _, browser = build._start(stack, server, document.load(), document.Branding(), connect)
    page = browser.new_context(**build.settings.context_args(), **build.SHOT_CONTEXT).new_page()
    page.set_content(Path(sys.argv[3]).read_text(encoding="utf-8"))
    (out / "screen.png").write_bytes(StepCamera(out, resolve=None).capture(page))
    print_pdf(browser, Path(sys.argv[3]), out / "screen.pdf")
"""
SCREEN = """<!doctype html><html lang="ja"><meta charset="utf-8"><body style="font-family: sans-serif">
<h1>電子証明書取得</h1><form><label>利用者番号 <input value="12345678901"></label> <button>次へ</button></form>"""


@pytest.mark.docs
def test_the_documentation_jobs_browser_from_the_browser_server_shoots_and_prints_the_same(
        browser_server: BrowserServer, tmp_path: Path):
    """The documentation job's browser taken from the browser server (`python -m manual build --connect …`) is
    launched with the job's own args (the server's log shows its command line) and gives the same pixels as a browser
    launched here; it prints from files of this machine."""
    page = tmp_path / "screen.html"
    page.write_text(SCREEN, encoding="utf-8")
    before = len(browser_server.command_lines())
    shots = {}
    for where, remote in (("local", None), ("remote", browser_server)):
        (tmp_path / where).mkdir()
        _finished(_python("-c", SHOOT, str(tmp_path / where), remote.endpoint if remote else "", str(page),
                          remote=remote))
        shots[where] = (tmp_path / where / "screen.png").read_bytes()
        info = subprocess.run(["pdfinfo", str(tmp_path / where / "screen.pdf")], capture_output=True, text=True,
                              check=True).stdout
        assert "A4" in info and "Pages:           1" in info, info
    launched = browser_server.command_lines()[before:]
    assert len(launched) == 1
    assert set(settings.launch_args(None, args=build.DETERMINISTIC_ARGS)["args"]) <= set(launched[0])
    assert shots["remote"] == shots["local"]
