"""The vendor's conformance kit: `./ibcert conformance` — a preflight, then the browser suite against the vendor's
server, and the report in out/conformance/ (report.html, report.json, junit.xml, traces of failures).

    ./ibcert conformance --base-url URL --operator-token T --ca-cert CA [--wording W] [--only I-3,rule:イ,FAQ-12]
    ./ibcert conformance --plan [--only …]      # every case, what it checks and needs; the server is not touched

Exit 0: conformant (every case run passed or was not applicable); 1: a case failed; 2: the run could not start (the
preflight said why in one line, or pytest could not run).

The preflight runs before any browser starts, so that a wrong setting costs one clear line instead of a failure per
test: the URL answers, its TLS certificate verifies against the CA, a client certificate is requested, the token is
accepted, the wording file parses and names only keys the manual's wording has (an unknown key is shown with the
closest known one). docs/vendor.md is the vendor's guide.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import requests

import spec

from . import conformance

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "conformance"
TIMEOUT = 10


class PreflightError(Exception):
    """One setting that keeps the run from starting, said in one line."""


def _client_certificate_requested(host: str, port: int, ca_cert: str) -> bool | None:
    """Whether the server asks for a client certificate in the handshake: openssl s_client prints what a
    CertificateRequest holds — the signature algorithms it accepts, and the CA names where the server sends them (a
    TLS 1.3 server made with Python's ssl sends none). None where openssl is not installed: Python's ssl module does
    not show a CertificateRequest."""
    try:
        result = subprocess.run(["openssl", "s_client", "-connect", f"{host}:{port}", "-servername", host,
                                 "-CAfile", ca_cert], input=b"", capture_output=True, timeout=TIMEOUT)
    except FileNotFoundError:
        return None
    except subprocess.TimeoutExpired:
        return False
    return any(line.startswith((b"Requested Signature Algorithms", b"Acceptable client certificate CA names"))
               for line in result.stdout.splitlines())


def preflight(base_url: str | None, token: str | None, ca_cert: str | None, wording: str | None) -> list[str]:
    """Check the settings in the order a run needs them; the first that fails raises PreflightError. Returns what
    was checked, one line each."""
    checked = []
    if wording:
        path = Path(wording)
        if not path.is_file():
            raise PreflightError(f"--wording {wording}: no such file")
        try:
            changed = spec.wording_changes(path)
        except ValueError as error:
            raise PreflightError(f"--wording {error}") from None
        checked.append(f"wording {wording}: {len(changed)} keys differ from the manual's")
    if not base_url:
        raise PreflightError("--base-url is required (the vendor's server, e.g. https://ib.example.jp)")
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.hostname:
        raise PreflightError(f"--base-url {base_url}: must be an https:// address (the manual's service is TLS only)")
    if not ca_cert:
        raise PreflightError("--ca-cert is required (the CA that issued the server's TLS certificate, PEM)")
    if not Path(ca_cert).is_file():
        raise PreflightError(f"--ca-cert {ca_cert}: no such file")
    try:
        context = ssl.create_default_context(cafile=ca_cert)
    except ssl.SSLError as error:
        raise PreflightError(f"--ca-cert {ca_cert}: not a PEM certificate ({error.reason or error})") from None
    host, port = parts.hostname, parts.port or 443
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
            with context.wrap_socket(sock, server_hostname=host):
                pass
    except ssl.SSLCertVerificationError as error:
        raise PreflightError(f"{base_url}: its TLS certificate does not verify against --ca-cert {ca_cert} "
                             f"({error.verify_message})") from None
    except (OSError, ssl.SSLError) as error:
        raise PreflightError(f"{base_url}: does not answer ({error})") from None
    checked.append(f"{base_url}: answers; its TLS certificate verifies against {ca_cert}")
    requested = _client_certificate_requested(host, port, ca_cert)
    if requested is False:
        raise PreflightError(f"{base_url}: does not request a client certificate in the TLS handshake "
                             "(the manual's 電子証明書方式 logs on with one)")
    checked.append(f"{base_url}: requests a client certificate" if requested else
                   f"{base_url}: whether it requests a client certificate is not checked (no openssl)")
    if not token:
        raise PreflightError("--operator-token is required (the bank-side API's bearer token, docs/vendor.md)")
    try:
        answer = requests.get(base_url.rstrip("/") + "/api/capabilities", headers={"Authorization": f"Bearer {token}"},
                              verify=ca_cert, timeout=TIMEOUT)
    except requests.RequestException as error:
        raise PreflightError(f"{base_url}/api/capabilities: no answer ({error})") from None
    if answer.status_code in (401, 403):
        raise PreflightError(f"--operator-token: refused by {base_url}/api/capabilities (HTTP {answer.status_code})")
    if answer.status_code == 404:
        checked.append("GET /api/capabilities: not offered — the suite walks every step through the screens")
    elif not answer.ok:
        raise PreflightError(f"{base_url}/api/capabilities: HTTP {answer.status_code}")
    else:
        checked.append(f"--operator-token: accepted; capabilities: {', '.join(sorted(answer.json())) or 'none'}")
    return checked


# A conformance check is two runs on the vendor's server, which every worker shares: every test but those that move
# the server's clock, in parallel; then those, one at a time — a moved clock moves the time of every test beside it.
PHASES = (("parallel", ["-m", "not clock", "-n", os.environ.get("IBCERT_WORKERS", "auto")]),
          ("clock", ["-m", "clock", "-n", "0"]))
NO_TESTS = 5  # pytest's exit status when a selection holds no test (--only a step no clock test checks)


def pytest_args(args: argparse.Namespace, out: Path, phase: list[str] | None = None,
                traces: Path | None = None) -> list[str]:
    run = ["e2e", f"--conformance-dir={out}", "-p", "no:cacheprovider"]
    if args.only:
        run += [f"--only={args.only}"]
    if args.plan:
        return run + ["-n", "0", "--plan", "-q"]
    run += [*(phase or []), f"--base-url={args.base_url}", f"--operator-token={args.operator_token}",
            f"--ca-cert={args.ca_cert}", f"--junitxml={out / 'junit.xml'}", "--tracing=retain-on-failure",
            "--screenshot=only-on-failure", f"--output={traces or out / 'traces'}"]
    if args.wording:
        run += [f"--wording={args.wording}"]
    return run


def merge_junit(files: list[Path], into: Path) -> None:
    """One JUnit XML of the phases' (a <testsuites> holding each phase's <testsuite>), for a CI to read."""
    suites = ElementTree.Element("testsuites")
    for file in files:
        if file.is_file():
            root = ElementTree.parse(file).getroot()
            suites.extend(root.iter("testsuite"))
    ElementTree.ElementTree(suites).write(into, encoding="utf-8", xml_declaration=True)


def check(args: argparse.Namespace) -> int:
    """Both phases, each in a pytest process of its own; their reports merged into args.out."""
    runs = []
    for name, phase in PHASES:
        folder = args.out / "phases" / name
        shutil.rmtree(folder, ignore_errors=True)
        run = pytest_args(args, folder, phase, traces=args.out / "traces" / name)
        code = subprocess.run([sys.executable, "-m", "pytest", *run], cwd=ROOT).returncode
        runs.append((folder, code))
    reports = [folder / "report.json" for folder, code in runs if (folder / "report.json").is_file()]
    if not reports:
        return 2
    data = conformance.merge(reports, args.out)
    merge_junit([folder / "junit.xml" for folder, _ in runs], args.out / "junit.xml")
    codes = {code for _, code in runs} - {NO_TESTS}
    if codes - {0, 1}:
        return 2
    return 0 if data["conformant"] and codes <= {0} else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./ibcert conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=os.environ.get("IBCERT_BASE_URL"))
    parser.add_argument("--operator-token", default=os.environ.get("IBCERT_OPERATOR_TOKEN"))
    parser.add_argument("--ca-cert", default=os.environ.get("IBCERT_CA_CERT"))
    parser.add_argument("--wording", default=os.environ.get(spec.WORDING_ENV))
    parser.add_argument("--only", help="comma-separated IDs: I-3, II-2.5, FAQ-12, rule:イ, cert, csrf, session, tls")
    parser.add_argument("--plan", action="store_true", help="list every case and what it needs; run nothing")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the report goes ({OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if not args.plan:
        try:
            for line in preflight(args.base_url, args.operator_token, args.ca_cert, args.wording):
                print(f"preflight: {line}")
        except PreflightError as error:
            print(f"preflight: {error}", file=sys.stderr)
            return 2
    # stopped (SIGTERM, as CI stops a job), the run's pytest goes with it: subprocess.run ends its child on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.plan:
        code = subprocess.run([sys.executable, "-m", "pytest", *pytest_args(args, args.out)], cwd=ROOT).returncode
        return {0: 0, NO_TESTS: 0}.get(code, 2)
    code = check(args)
    print(f"conformance: report in {args.out / 'report.html'} (also report.json, junit.xml, traces/ of failures)")
    return code


if __name__ == "__main__":
    sys.exit(main())
