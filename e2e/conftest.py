"""Fixtures of the browser suite: the target server, TLS trust, PCs (Workstation), contracts set up at a point of the
manual (`arrange`, see e2e/arrange.py), the server's clock, the report.

Target: with no --base-url, each test process (each xdist worker) starts the reference server itself (gunicorn, free
port, SQLite in a temp folder, dev certificates) and stops it afterwards. With --base-url the suite runs against that
server; the operator token and CA come from --operator-token / IBCERT_OPERATOR_TOKEN and --ca-cert / IBCERT_CA_CERT.

Trust, without ignoring certificate errors anywhere:
- contexts with client certificates go through Playwright's driver, which verifies the server against the CA named
  by NODE_EXTRA_CA_CERTS; it is set here before the `playwright` fixture starts the driver;
- contexts without client certificates are verified by Chromium itself, launched with HOME pointing at a folder
  whose NSS database trusts the CA (pages.settings.trust_home);
- with --connect both happen in the browser server, started with that HOME and NODE_EXTRA_CA_CERTS (README).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
import secrets
from typing import TYPE_CHECKING, Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, expect, sync_playwright

from pages import settings
from pages.a11y import AxeChecker
from pages.provisioning import BankOperator, Contract
from pages.staff import BankStaff
from spec import Wording
from pages.workstation import Workstation

from . import conformance
from .arrange import Arranger

if TYPE_CHECKING:
    from refserver.mailsink import MailSink

CONFIG = settings.load()


# -- the server under test ----------------------------------------------------------------------------------------------
@dataclass
class Target:
    base_url: str
    operator_token: str | None
    ca_cert: str | None  # PEM path, None = the system's trust store
    embedded: bool
    mail: MailSink | None = None  # where the server's e-mail notices arrive, when the suite runs the server


# The embedded server's settings: PINs are hashed with a cheaper scrypt than production (the rules are tested here,
# not the hash's cost), an ID locks at 2 misses rather than 6 (the lockout tests read the number, GET
# /api/capabilities: 1 miss leaves it open, 2 lock it — the same edge, at a third of the screens), and the per-client
# throttle (tests/test_concurrency.py) leaves room for a whole run's wrong answers from this one client. It runs one
# gunicorn worker: this worker's browser sends one request at a time (several workers on one database are
# tests/test_concurrency.py's), and each worker more costs a Flask start-up.
EMBEDDED_SETTINGS = {"IBCERT_PIN_KDF_COST": "10", "IBCERT_LOCKOUT_THRESHOLD": "2", "IBCERT_CLIENT_MISS_LIMIT": "1000"}


@pytest.fixture(scope="session")
def ibcert_target(pytestconfig: pytest.Config) -> Iterator[Target]:
    base_url = pytestconfig.getoption("--base-url")
    token = pytestconfig.getoption("--operator-token")
    ca_cert = pytestconfig.getoption("--ca-cert")
    if base_url:
        if ca_cert and not Path(ca_cert).is_file():
            raise pytest.UsageError(f"--ca-cert / IBCERT_CA_CERT {ca_cert!r} is not a file")
        yield Target(base_url.rstrip("/"), token, ca_cert, embedded=False)
        return
    try:
        from refserver.embedded import EmbeddedServer
    except ImportError as error:
        raise pytest.UsageError(f"no --base-url given and the reference server cannot be started: {error}") from None
    with EmbeddedServer(env=EMBEDDED_SETTINGS, workers=1) as server:
        yield Target(server.base_url.rstrip("/"), server.operator_token, str(server.ca_cert), embedded=True,
                     mail=server.mail)


@pytest.fixture(scope="session")
def suite_pki():
    """The suite's own dev PKI (.ibcert/pki, made on first use). Its "foreign" CA is no bank's: a client or server
    certificate it issues is another CA's against whatever server the suite checks."""
    from certs.pki import DevPKI

    return DevPKI.default().ensure()


@pytest.fixture(scope="session")
def playwright(ibcert_target: Target, _pw_api_request_contexts) -> Iterator[Playwright]:
    """pytest-playwright's fixture, with the driver trusting the target's CA (NODE_EXTRA_CA_CERTS)."""
    with settings.node_trusts(ibcert_target.ca_cert) if ibcert_target.ca_cert else nullcontext():
        pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config, ibcert_target: Target) -> str:
    return ibcert_target.base_url


@pytest.fixture(scope="session")
def chromium_trust_home(ibcert_target: Target, tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    if not ibcert_target.ca_cert:
        return None
    return settings.trust_home(ibcert_target.ca_cert, tmp_path_factory.mktemp("chromium-home"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, chromium_trust_home: Path | None,
                             pytestconfig: pytest.Config) -> dict:
    """How Chromium is launched: here, or with --connect by the browser server, whose own HOME trusts the CA."""
    if pytestconfig.getoption("--connect"):
        return settings.launch_args(CONFIG.remote_chromium(), **browser_type_launch_args)
    executable = None
    if not browser_type_launch_args.get("channel"):
        try:
            executable = CONFIG.find_chromium(headless=browser_type_launch_args.get("headless", True))
        except CONFIG.BrowserNotFound as error:
            raise pytest.UsageError(str(error)) from None
    return settings.launch_args(executable, home=chromium_trust_home, **browser_type_launch_args)


@pytest.fixture(scope="session")
def connect_options(pytestconfig: pytest.Config, browser_type_launch_args: dict) -> dict | None:
    """pytest-playwright connects its `browser` to the --connect server instead of launching one."""
    endpoint = pytestconfig.getoption("--connect")
    return settings.connect_options(endpoint, browser_type_launch_args) if endpoint else None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, base_url: str, device: str | None, playwright) -> dict:
    """playwright.config.py's viewport, scale, locale and time zone; a --device's viewport, scale and user agent in
    their place. A phone is refused by the service at every screen (FAQ 1): the run stops at once, saying so."""
    if device and playwright.devices[device].get("is_mobile"):
        pytest.exit(f"--device {device!r} is a mobile phone, which the service refuses at every screen (FAQ 1: "
                    "携帯電話からはご利用いただけません); e2e/test_faq_environment.py checks that with phones of its own",
                    returncode=pytest.ExitCode.USAGE_ERROR)
    return {**settings.context_args(), **browser_context_args, "base_url": base_url}


@pytest.fixture(scope="session", autouse=True)
def _expect_timeout() -> None:
    expect.set_options(timeout=CONFIG.ACTION_TIMEOUT)


# -- wording, accessibility, PCs ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def wording(pytestconfig: pytest.Config) -> Wording:
    return Wording.load(pytestconfig.getoption("--wording"))


@pytest.fixture(scope="session")
def axe_checker(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> AxeChecker:
    """Each distinct screen state (screen or prompt, with or without messages) is checked once per run: the workers
    share what they checked through a folder of this run's temporary root.

    Markup does not change from one contract to the next, so checking the same state again in every test (or in every
    worker) only costs time (axe was a third of the suite's run time when it ran per test)."""
    shared = None if worker_id == "master" else tmp_path_factory.getbasetemp().parent / "axe-checked"
    return AxeChecker(enabled=not pytestconfig.getoption("--no-axe"), impacts=CONFIG.AXE_IMPACTS, shared_dir=shared)


def _workstation(new_context: Callable[..., BrowserContext], target: Target, wording: Wording, axe: AxeChecker,
                 name: str, certificates=()) -> Workstation:
    return Workstation(new_context, target.base_url, wording=wording, axe=axe, name=name,
                       action_timeout=CONFIG.ACTION_TIMEOUT, navigation_timeout=CONFIG.NAVIGATION_TIMEOUT,
                       certificates=[c for c in certificates if c is not None])


@pytest.fixture
def workstation(new_context, ibcert_target: Target, wording: Wording,
                axe_checker: AxeChecker) -> Callable[..., Workstation]:
    """Factory of PCs: workstation("admin PC", *certificates) -> a fresh Workstation (own context), its certificate
    store holding `certificates` (StoredCertificate, e.g. an arranged state's admin_certificate); `context` adds
    options of its browser contexts (e.g. the documentation job's for shots)."""
    made: list[Workstation] = []

    def make(name: str | None = None, *certificates, context: dict | None = None) -> Workstation:
        pc = _workstation(partial(new_context, **context) if context else new_context, ibcert_target, wording,
                          axe_checker, name or f"PC{len(made) + 1}", certificates)
        made.append(pc)
        return pc

    return make


@pytest.fixture
def pc(workstation) -> Workstation:
    return workstation("PC1")


@pytest.fixture
def admin_pc(workstation) -> Workstation:
    return workstation("管理者PC")


@pytest.fixture
def user_pc(workstation) -> Workstation:
    return workstation("利用者PC")


# -- contracts ----------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def operator(ibcert_target: Target) -> BankOperator:
    if not ibcert_target.operator_token:
        raise pytest.UsageError("--base-url needs the provisioning API's token: --operator-token or "
                                "IBCERT_OPERATOR_TOKEN")
    return BankOperator(ibcert_target.base_url, ibcert_target.operator_token, ibcert_target.ca_cert)


@pytest.fixture
def contract(operator: BankOperator) -> Contract:
    """A fresh contract (card OTP, applied today) for this test alone."""
    return operator.create_contract()


@pytest.fixture(scope="session")
def arrange(browser: Browser, browser_context_args: dict, ibcert_target: Target, wording: Wording,
            axe_checker: AxeChecker, operator: BankOperator) -> Arranger:
    """arrange("user_certified") -> a State: a fresh contract at that point of the manual (see e2e/arrange.py)."""

    def scratch_pc(name: str) -> Workstation:
        def new_context(**options) -> BrowserContext:
            return browser.new_context(**{**browser_context_args, **options})

        return _workstation(new_context, ibcert_target, wording, axe_checker, name)

    return Arranger(operator, scratch_pc)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that moves the server's clock is marked `clock` (`-m clock`, `-m "not clock"`)."""
    for item in items:
        if "server_clock" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.clock)


@pytest.fixture
def server_clock(operator: BankOperator, arrange: Arranger, ibcert_target: Target) -> Iterator[BankOperator]:
    """The server's clock, to be moved by the test (operator.set_clock) and put back afterwards.

    Each worker has its own embedded server and runs its tests one at a time, so a moved clock is seen by this test
    alone. A server shared by parallel workers would move every other test's time with it: there the clock tests
    run apart, `-m clock -n 0` after `-m "not clock"` (./ibcert conformance does both)."""
    if not arrange.capabilities.get("clock"):
        pytest.skip("not applicable: the server has no testing clock (GET /api/capabilities: clock)")
    if not ibcert_target.embedded and int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
        pytest.skip("run apart: moving a shared server's clock moves the time of every test running beside it "
                    "(-m clock -n 0; ./ibcert conformance runs them so)")
    before, started = dt.datetime.fromisoformat(operator.clock()["now"]), time.monotonic()
    yield operator
    operator.set_clock(now=(before + dt.timedelta(seconds=time.monotonic() - started)).isoformat())


@pytest.fixture
def report_shots(pytestconfig: pytest.Config) -> Path | None:
    """Where the walkthrough puts its shot of each step's screen for the conformance report (steps/<ID>.png beside
    it): the report then shows what the server's screen looked like at each step. None: not in the report."""
    return conformance.report_dir(pytestconfig) / conformance.STEPS_DIR


@pytest.fixture
def back_office(arrange: Arranger, operator: BankOperator) -> BankOperator:
    """The bank's back-office calls (revoke, 事故登録, reissue, unlock, cancel, 再契約) on the target."""
    if not arrange.capabilities.get("back_office"):
        pytest.skip("not applicable (needs: back_office — GET /api/capabilities)")
    return operator


@pytest.fixture
def bank_staff(back_office: BankOperator, workstation) -> BankStaff:
    """A member of the bank's staff, with an account made for this test, at a PC of the bank's."""
    login, password = f"staff{secrets.token_hex(3)}", f"Honten{secrets.token_hex(4)}7"
    back_office.create_staff(login, "鈴木 一郎", password)
    return BankStaff(workstation("当金庫の端末"), login, password)


@pytest.fixture
def mailbox(ibcert_target: Target) -> "MailSink | None":
    """The customer's mailbox: the notices the embedded server sent; None against a vendor's server, whose mail goes
    elsewhere (a test then checks everything but the notices)."""
    return ibcert_target.mail


def pytest_report_header(config: pytest.Config) -> list[str]:
    base_url = config.getoption("--base-url")
    if not base_url or hasattr(config, "workerinput"):
        return ["ibcert: embedded reference server; tests are set up through its API (fast_forward)"]
    try:
        operator = BankOperator(base_url, config.getoption("--operator-token") or "", config.getoption("--ca-cert"))
        capabilities = operator.capabilities()
    except Exception as error:  # the report header must not hide the suite's own, clearer failure
        return [f"ibcert: {base_url}: capabilities not read ({error})"]
    points = capabilities.get("fast_forward") or []
    how = ("set up through its API" if points else
           "walked to their step through the manual's screens (the server offers no fast_forward: slower)")
    return [f"ibcert: {base_url}: tests are {how}"]
