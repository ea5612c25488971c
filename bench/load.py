"""Load benchmark of the refserver as production serves it: gunicorn, client-certificate TLS, keep-alive, logged-on
users, on SQLite and on PostgreSQL.

    .venv/bin/python bench/load.py [--clients 1,8,32] [--requests 2000] [--seconds 20] [--database both]
                                   [--screen status,form] [--workers 2] [--threads 4] [--json out.json]

Each client is a user of a contract of its own (one ID has one open logon), set up through the bank's API at
user_activated and logged on through it: a PC presenting the user's certificate with the session the certificate
logon would have made. The client is a bounded Python one — a thread per client, one keep-alive HTTPS connection
each, the user's certificate in its SSLContext — since ab and wrk cannot carry a CSRF token from a form to its POST,
and Locust costs several times the CPU of the requests themselves on a 2-core machine that client and server share.
Its CPU per operation is printed beside the server's, so one sees how much of the machine it took.

Two screens:
- status: GET 利用者ステータス (one request; every protected request re-judges the certificate and the logon);
- form: GET 振込, then POST it with its CSRF token (two requests; the POST enters a transfer that waits for チ and
  is never executed, and redirects to 振込内容確認), timed as one round trip.

Every level runs --requests operations in all (shared among its clients) or --seconds, whichever ends first, after an
untimed warm-up of three operations per client (TLS handshakes, first templates). The table gives operations/s,
requests/s, p50/p99/max latency, errors, and the CPU per operation of the server (gunicorn, and PostgreSQL) and of
this client. The target of issue 11 is checked on status at 8 clients: ≥ 500 requests/s, p99 ≤ 50 ms. Exit status 1
if any operation failed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import http.cookies
import json
import math
import os
import re
import secrets
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pages.provisioning import BankOperator  # noqa: E402
from refserver.embedded import EmbeddedServer  # noqa: E402

TARGET_RPS, TARGET_P99_MS, TARGET_CLIENTS = 500, 50, 8
ADMIN = {"logon_pin": "Kanri2024x", "confirmation_pin": "Kakunin77y", "email": "keiri@example.co.jp"}
USER = {"user_id": "keiri01", "name": "経理 花子", "temporary_logon_pin": "kari2468",
        "temporary_confirmation_pin": "kari1357z", "logon_pin": "Riyou2024q", "confirmation_pin": "Torihiki9w"}
TRANSFER = {"account_number": "1234567", "payee_name": "メグロシヨウジ", "amount": "1000"}
_CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Logon:
    """A logged-on user: the PEM file of their certificate and key, and their session cookie."""

    cert_file: Path
    cookie: tuple[str, str]


class Browser:
    """One keep-alive HTTPS connection presenting a user's certificate, with that user's cookies."""

    def __init__(self, host: str, port: int, ca_cert: Path, logon: Logon, timeout: float = 10):
        context = ssl.create_default_context(cafile=str(ca_cert))
        context.load_cert_chain(logon.cert_file)
        self.origin = f"https://{host}:{port}"
        self.connection = http.client.HTTPSConnection(host, port, context=context, timeout=timeout)
        self.cookies = dict([logon.cookie])

    def request(self, method: str, path: str, form: dict | None = None, referer: str | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if referer:
            headers["Referer"] = self.origin + referer  # Flask-WTF's strict check of HTTPS posts
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request opens a new connection
            raise
        for line in response.msg.get_all("Set-Cookie") or ():
            for name, morsel in http.cookies.SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response.status, response.getheader("Location", ""), data

    def close(self) -> None:
        self.connection.close()


def status_screen(browser: Browser) -> bool:
    status, _, _ = browser.request("GET", "/ib/user/status")
    return status == 200


def form_round_trip(browser: Browser) -> bool:
    status, _, page = browser.request("GET", "/ib/user/transfer")
    token = _CSRF.search(page)
    if status != 200 or token is None:
        return False
    status, location, _ = browser.request("POST", "/ib/user/transfer", {"csrf_token": token.group(1).decode(),
                                                                       **TRANSFER}, referer="/ib/user/transfer")
    return status == 302 and location.endswith("/ib/user/transfer/confirm")


SCREENS = {"status": (status_screen, 1), "form": (form_round_trip, 2)}  # (operation, requests per operation)


@dataclass
class Level:
    database: str
    screen: str
    clients: int
    ok: int
    errors: int
    seconds: float
    ops_per_s: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    server_cpu_ms: float  # per operation: gunicorn's processes, and PostgreSQL's
    client_cpu_ms: float  # per operation: this process


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of all at or below it."""
    if not sorted_values:
        return math.nan
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of these processes and all their descendants alive now, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
                parents.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, list(pids)
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, ()))
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def run_level(server: EmbeddedServer, logons: list[Logon], screen: str, clients: int, total: int, seconds: float,
              server_pids: list[int], database: str) -> Level:
    """`clients` threads, each on its own connection and logon, doing `screen` until `total` operations in all are
    done or `seconds` have passed."""
    operation, per_op = SCREENS[screen]
    browsers = [Browser("127.0.0.1", server.port, server.ca_cert, logon) for logon in logons[:clients]]
    share = math.ceil(total / clients)
    latencies: list[list[float]] = [[] for _ in browsers]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        browser = browsers[index]
        for _ in range(3):  # warm-up, untimed: the handshake, the first rendering in each worker
            with contextlib.suppress(OSError, http.client.HTTPException):
                operation(browser)
        start.wait()
        for _ in range(share):
            if time.perf_counter() > deadline[0]:
                break
            began = time.perf_counter()
            try:
                ok = operation(browser)
            except (OSError, http.client.HTTPException):
                ok = False
            if ok:
                latencies[index].append(time.perf_counter() - began)
            else:
                errors[index] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    cpu_server, cpu_client = tree_cpu(server_pids), time.process_time()
    deadline[0] = time.perf_counter() + seconds
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(seconds + 30)  # each request has its socket timeout: the run ends by itself
    wall = time.perf_counter() - began
    cpu_server, cpu_client = tree_cpu(server_pids) - cpu_server, time.process_time() - cpu_client
    for browser in browsers:
        browser.close()
    every = sorted(x for per_client in latencies for x in per_client)
    ok, failed = len(every), sum(errors)
    done = max(ok + failed, 1)
    return Level(database, screen, clients, ok, failed, round(wall, 2), ok / wall, ok * per_op / wall,
                 percentile(every, 0.5) * 1e3, percentile(every, 0.99) * 1e3, (every[-1] if every else math.nan) * 1e3,
                 cpu_server / done * 1e3, cpu_client / done * 1e3)


def provision(server: EmbeddedServer, folder: Path, count: int) -> list[Logon]:
    """`count` users, each of a contract of their own at user_activated, logged on through the bank's API."""
    operator = BankOperator(server.base_url, server.operator_token, server.ca_cert, timeout=60)

    def one(index: int) -> Logon:
        contract = operator.create_contract(at="user_activated", admin=ADMIN, user=USER)
        made = operator.log_on(contract.contract_number, USER["user_id"])
        issued = contract.user_certificate
        key, cert, _ = pkcs12.load_key_and_certificates(issued.pkcs12, issued.password.encode())
        path = folder / f"user-{index}.pem"
        path.touch(0o600)
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return Logon(path, (made["cookie"]["name"], made["cookie"]["value"]))

    with ThreadPoolExecutor(4) as pool:  # each contract costs two key pairs and six PIN hashes
        return list(pool.map(one, range(count)))


@contextlib.contextmanager
def database(kind: str, folder: Path):
    """(SQLAlchemy URL, PIDs of the database's server whose CPU counts as the server's): a SQLite file in `folder`,
    or a throwaway PostgreSQL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'ibcert.db'}", []
        return
    from refserver.pgserver import PostgresServer
    with PostgresServer() as postgres:
        yield postgres.url, [postgres.process.pid]


def bench_database(kind: str, args) -> list[Level]:
    """The users are set up by a server in testing mode (the bank's API makes them); the figures are of a server in
    production mode on the same database, with the same session key (its testing clock, kept in the database, would
    cost queries production does not make)."""
    shared = {"IBCERT_SECRET_KEY": secrets.token_hex(32)}
    production = {**shared, "IBCERT_TESTING": "0", **({"GUNICORN_CMD_ARGS": f"--threads={args.threads}"}
                                                      if args.threads else {})}
    with tempfile.TemporaryDirectory(prefix="ibcert-load-") as folder, database(kind, Path(folder)) as (url, db_pids):
        started = time.perf_counter()
        with EmbeddedServer(env=shared, mail=False, database_url=url) as setup:
            logons = provision(setup, Path(folder), max(args.clients))
        print(f"{kind}: {len(logons)} logged-on users set up in {time.perf_counter() - started:.1f} s; "
              f"load average {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
        with EmbeddedServer(workers=args.workers, env=production, mail=False, database_url=url) as server:
            levels = []
            for screen in args.screen:
                for clients in args.clients:
                    level = run_level(server, logons, screen, clients, args.requests, args.seconds,
                                      [server.process.pid, *db_pids], kind)
                    print(f"  {screen} × {clients}: {level.ops_per_s:.0f}/s, p99 {level.p99_ms:.1f} ms, "
                          f"{level.errors} errors", file=sys.stderr, flush=True)
                    levels.append(level)
            return levels


def table(levels: list[Level]) -> str:
    rows = ["| database | screen | clients | ok | errors | ops/s | req/s | p50 ms | p99 ms | max ms "
            "| server CPU ms/op | client CPU ms/op |", "|" + " --- |" * 12]
    for x in levels:
        rows.append(f"| {x.database} | {x.screen} | {x.clients} | {x.ok} | {x.errors} | {x.ops_per_s:.0f} "
                    f"| {x.requests_per_s:.0f} | {x.p50_ms:.1f} | {x.p99_ms:.1f} | {x.max_ms:.1f} "
                    f"| {x.server_cpu_ms:.2f} | {x.client_cpu_ms:.2f} |")
    return "\n".join(rows)


def verdicts(levels: list[Level]) -> list[str]:
    lines = []
    for x in levels:
        if x.screen == "status" and x.clients == TARGET_CLIENTS:
            met = x.requests_per_s >= TARGET_RPS and x.p99_ms <= TARGET_P99_MS and not x.errors
            lines.append(f"target on {x.database} (status, {TARGET_CLIENTS} clients: ≥ {TARGET_RPS} req/s, "
                         f"p99 ≤ {TARGET_P99_MS} ms): {'met' if met else 'missed'} "
                         f"({x.requests_per_s:.0f} req/s, p99 {x.p99_ms:.1f} ms)")
    return lines


def _list(kind, choices=None):
    def parse(text: str) -> list:
        values = [kind(part) for part in text.split(",") if part]
        if not values or (choices and not set(values) <= set(choices)):
            raise argparse.ArgumentTypeError(f"a comma-separated list{' of ' + ', '.join(choices) if choices else ''}")
        return values
    return parse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=_list(int), default=[1, 8, 32], help="concurrent clients (1,8,32)")
    parser.add_argument("--requests", type=int, default=2000, help="operations per level, in all (2000)")
    parser.add_argument("--seconds", type=float, default=20, help="longest a level runs (20)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--screen", type=_list(str, SCREENS), default=list(SCREENS), help="status,form")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2: one per core)")
    parser.add_argument("--threads", type=int, help="threads per worker (refserver/gunicorn.conf.py's)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    load_before = os.getloadavg()
    levels = [level for kind in databases for level in bench_database(kind, args)]
    load_after = os.getloadavg()
    print(f"gunicorn: {args.workers} workers, {args.threads or 'the configured'} threads; {os.cpu_count()} CPUs, "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min)\n")
    print(table(levels))
    print("\n" + "\n".join(verdicts(levels)))
    if args.json:
        args.json.write_text(json.dumps({"workers": args.workers, "threads": args.threads, "cpus": os.cpu_count(),
                                         "load_average": [load_before[0], load_after[0]],
                                         "levels": [asdict(x) for x in levels]}, indent=2, ensure_ascii=False))
    return 1 if any(x.errors for x in levels) else 0


if __name__ == "__main__":
    sys.exit(main())
