"""The documentation job: walk the manual on a demo contract, shoot every step, render the manual, report.

The demo contract is the manual's own sample (利用者番号 12345678901, card アイウエオカキク = 11 … 88, from
spec/document.toml), on a server whose clock stands still, so every run sees the same screens.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable

from playwright.sync_api import expect, sync_playwright

from certs.pki import DevPKI
from manual import appendix, document
from manual.render import STEPS_DIR, plan_pages, print_copy, print_manual, render_html
from manual.report import FAILED, PASSED, Report
from manual.screenshots import StepCamera
from pages import catalog, settings
from pages.provisioning import BankOperator
from pages.walkthrough import StepRecorder, WalkResult, walk_manual
from pages.workstation import Workstation
from spec import Wording, deep_merge, suite_commit

FROZEN_NOW = "2026-04-01T10:00:00+09:00"
# The one-time password screens ask for these cells of the card (fixed: the server picks at random otherwise).
CHALLENGE_CELLS = ["ウ", "キ"]
REGISTRATION_PIN = "7294"  # C: 4 digits as on the 申込書, neither a run nor a date (暗証番号の管理について)
# Rasterise on the CPU (Skia), not through whatever GPU or software GL a machine has: Debian's chromium wrapper
# switches GPU rasterisation on, and the docs team's machine and CI should get the same pixels.
DETERMINISTIC_ARGS = ["--disable-gpu", "--disable-gpu-rasterization"]
# Docs runs hash a few dozen PINs: a lower scrypt cost keeps them fast (the hashes are never screenshotted).
SERVER_ENV = {"IBCERT_PIN_KDF_COST": "10"}
# The browser contexts shots are taken in. bypass_csp: a shot's own settings (hidden caret, stopped animations) come as
# a <style> element, which the server's Content-Security-Policy (style-src 'self') would refuse.
SHOT_CONTEXT = {"reduced_motion": "reduce", "bypass_csp": True}


@dataclass(frozen=True)
class RemoteServer:
    """A server already running (python -m manual build --base-url …)."""

    base_url: str
    operator_token: str
    ca_cert: Path

    def stop(self) -> None:
        """A server the job did not start stays up."""

    def close(self) -> None:
        """Nothing to wait for."""


class BackgroundServer:
    """The embedded reference server, started and stopped on a thread of its own: the server's code is imported and
    gunicorn boots while the browser launches, and it shuts down (it lets idle connections run out first, a second or
    two) while the PDF prints. One thread, so a stop always runs after the start."""

    def __init__(self, env: dict[str, str]):
        self.ca_cert = DevPKI.default().ensure().root_ca_pem  # the browser is told to trust it before the server is up
        self._thread = ThreadPoolExecutor(1)
        self._server = self._thread.submit(self._start, env)

    @staticmethod
    def _start(env: dict[str, str]):
        # imported here, off the main thread: Flask and the server's models take a third of a second to import,
        # and with --base-url the job needs none of it
        from refserver.embedded import EmbeddedServer

        # one worker: the walk sends one request at a time, and a second worker only costs start-up time
        return EmbeddedServer(frozen_now=FROZEN_NOW, env=env, workers=1).start()

    @property
    def base_url(self) -> str:
        return self._server.result().base_url  # known once the server listens

    @property
    def operator_token(self) -> str:
        return self._server.result().operator_token

    def stop(self) -> None:
        self._thread.submit(lambda: self._server.result().stop())

    def close(self) -> None:
        self.stop()
        self._thread.shutdown(wait=True)


def demo_contract(server, manual: document.Manual):
    card = manual.doc["materials"]["card"]
    return BankOperator(server.base_url, server.operator_token, server.ca_cert).create_contract(
        contract_number=card["contract_number"], registration_pin=REGISTRATION_PIN,
        card=dict(zip(card["grid_cells"], card["grid_values"])), challenge_cells=CHALLENGE_CELLS)


class _Progress:
    """on_step bookkeeping: a step has passed once the walkthrough shows the next step's screen (or ends), so an
    error in between is the failure of the step whose screen was shown last. Each shot gets its print copy made
    in the background, into `copies`."""

    def __init__(self, report: Report, camera: StepCamera, out_dir: Path, copies: Path, background: Executor):
        self.report, self.camera, self.out_dir = report, camera, out_dir
        self.copies, self.background = copies, background
        self.current, self.page = None, None
        self.copying: list[Future] = []

    def __call__(self, step, page) -> None:
        self.finish()
        self.current, self.page = self.report[step.id], page
        shot = self.camera(step, page)
        self.current.screenshot = shot.relative_to(self.out_dir).as_posix()
        self.copying.append(self.background.submit(print_copy, shot, self.copies / f"{step.id}.jpg"))

    def finish(self) -> None:
        if self.current is not None:
            self.current.status = PASSED

    def fail(self, error: BaseException) -> None:
        """The step whose screen was shown last failed: its error, and what its PC showed when it did (the step's
        own shot, of the screen it started on, stays beside it)."""
        failed = self.current or self.report.results[0]
        failed.status, failed.error = FAILED, f"{type(error).__name__}: {error}"
        if self.page is not None:
            shot = self.camera.path(f"{failed.id}.failed")
            try:
                self.page.screenshot(path=str(shot), full_page=True)
                failed.failed_screenshot = shot.relative_to(self.out_dir).as_posix()
            except Exception:  # noqa: BLE001 - a page gone with the error: the report says what it can
                pass

    def copies_made(self) -> Path:
        for copying in self.copying:
            copying.result()
        return self.copies


def _start(stack: ExitStack, server: RemoteServer | None, manual: document.Manual, branding: document.Branding,
           connect: str | None):
    """The server (the embedded one unless given) and a Chromium that trusts it: launched here, or by the browser
    server at `connect`, whose own environment trusts the CA (see settings.connect_options); both closed with
    `stack`."""
    config = settings.load()
    if server is None:
        env = dict(SERVER_ENV, **({"IBCERT_BANK_NAME": manual.bank_name} if branding.bank_name else {}))
        server = BackgroundServer(env)
    stack.callback(server.close)
    stack.enter_context(settings.node_trusts(server.ca_cert))
    playwright = stack.enter_context(sync_playwright())
    if connect:
        launch = settings.launch_args(config.remote_chromium(), args=DETERMINISTIC_ARGS)
        browser = playwright.chromium.connect(**settings.connect_options(connect, launch))
    else:
        home = settings.trust_home(server.ca_cert, stack.enter_context(tempfile.TemporaryDirectory()))
        browser = playwright.chromium.launch(**settings.launch_args(config.find_chromium(), home=home,
                                                                    args=DETERMINISTIC_ARGS))
    stack.callback(browser.close)
    return server, browser


def _workstations(browser, base_url: str, wording: Wording) -> tuple[Workstation, Workstation, Workstation]:
    config = settings.load()

    def new_context(**options):
        return browser.new_context(**settings.context_args(), **SHOT_CONTEXT, **options)

    return tuple(Workstation(new_context, base_url, wording=wording, name=name, action_timeout=config.ACTION_TIMEOUT,
                             navigation_timeout=config.NAVIGATION_TIMEOUT) for name in ("管理者PC", "利用者PC", "当金庫の端末"))


def wording_for(manual: document.Manual, branding: document.Branding, wording_file: Path | None = None) -> Wording:
    """The words the shots are matched and outlined by: the vendor's override, else IBCERT_WORDING's, on top of
    spec/wording.toml; the bank's home page (I-1.1) headed by the bank's name when one is given."""
    wording = Wording.load(wording_file)
    if branding.bank_name:
        wording = Wording(deep_merge(wording.data, {"bank_home": {"heading": manual.bank_name}}), wording.sources)
    return wording


@dataclass(frozen=True)
class Desk:
    """What a documentation walk works with: the browser, the bank's operator API, the contract to walk, and the
    three PCs — the administrator's, the user's and the bank's own (for the back office of the 付録)."""

    browser: object
    operator: BankOperator
    contract: object
    admin_pc: Workstation
    user_pc: Workstation
    staff_pc: Workstation

    @property
    def pcs(self) -> tuple[Workstation, Workstation, Workstation]:
        return self.admin_pc, self.user_pc, self.staff_pc


def document_walk(out_dir: Path, manual: document.Manual, wording: Wording, desk: Desk, report: Report, *,
                  outline: bool = True, recorder: StepRecorder | None = None,
                  after_walk: Callable[[], None] = lambda: None) -> WalkResult | None:
    """Walk the manual on desk's PCs into out_dir/steps/<ID>.png, then render out_dir/manual.{html,pdf}.

    Each step's outcome goes into `report` (a failed walk is a failed step there, not an exception). `recorder`, when
    given, is the StepRecorder the walk announces its steps to (the browser suite's conformance report keeps it);
    its on_step becomes the camera. `after_walk` runs once the screens are done, before the printing (the job stops
    its server there). The walk's result, None when it failed."""
    steps_dir = out_dir / STEPS_DIR
    shutil.rmtree(steps_dir, ignore_errors=True)  # no shot of an earlier run may pass for this run's
    steps_dir.mkdir(parents=True)
    camera = StepCamera(steps_dir, partial(catalog.resolve, wording=wording), outline=outline, wording=wording)
    result = None
    with ExitStack() as stack:
        copies = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="manual-print-")))
        progress = _Progress(report, camera, out_dir, copies, stack.enter_context(ThreadPoolExecutor(1)))
        recorder = recorder or StepRecorder()
        recorder.on_step = progress
        try:
            result = walk_manual(desk.admin_pc, desk.user_pc, desk.contract, recorder=recorder)
            missing = appendix.unavailable(desk.operator)
            for shot_id, why in missing.items():
                report.not_applicable([shot_id], why)
            appendix.walk_appendix(desk.admin_pc, desk.staff_pc, desk.contract, desk.operator, StepRecorder(progress),
                                   skip=missing)
            progress.finish()
        except Exception as error:  # noqa: BLE001 - a failure of the walk is a failed step of the report
            progress.fail(error)
            result = None
        for pc in desk.pcs:
            pc.close()
        after_walk()
        render_html(manual, out_dir / "manual.html")
        print_manual(desk.browser, manual, progress.copies_made(), out_dir / "manual.pdf")
    return result


def build(out_dir: Path, *, outline: bool = True, branding: document.Branding = document.Branding(),
          server: RemoteServer | None = None, wording_file: Path | None = None, connect: str | None = None) -> Report:
    """The documentation job: its own server (unless given) and browser (or one of the browser server at
    `connect`), the demo contract, the walk, the report in out_dir/report.*."""
    started = time.perf_counter()
    manual = document.load(branding)
    report = Report.for_steps(manual.shots, pages=step_pages(manual))
    report.about = about(manual, server, wording_file)
    expect.set_options(timeout=settings.load().ACTION_TIMEOUT)
    wording = wording_for(manual, branding, wording_file)
    try:
        with ExitStack() as stack:
            server, browser = _start(stack, server, manual, branding, connect)
            operator = BankOperator(server.base_url, server.operator_token, server.ca_cert)
            desk = Desk(browser, operator, demo_contract(server, manual),
                        *_workstations(browser, server.base_url, wording))
            document_walk(out_dir, manual, wording, desk, report, outline=outline, after_walk=server.stop)
    except Exception as error:  # noqa: BLE001 - server, provisioning, browser or PDF: reported, not raised
        report.error = f"{type(error).__name__}: {error}"
    report.seconds = time.perf_counter() - started
    report.write(out_dir)
    return report


def step_pages(manual: document.Manual) -> dict[str, int]:
    """The page of the printed manual each step is on."""
    return {step.id: number for number, page in enumerate(plan_pages(manual), start=1) for step in page.steps}


def about(manual: document.Manual, server: RemoteServer | None, wording_file: Path | None) -> dict[str, str]:
    """What the report heads with: when, from which commit, for which bank and server, with which wording."""
    return {"作成日時": dt.datetime.now(dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
            "コミット": suite_commit() or "（不明）", "金融機関": manual.bank_name,
            "対象サーバー": server.base_url if server else "組み込みの参照サーバー",
            "文言ファイル": str(wording_file) if wording_file else "spec/wording.toml（マニュアルの文言）"}


def failed_dir(out_dir: Path) -> Path:
    """Where a failed build of out_dir leaves its report and what it shot."""
    return out_dir.with_name(out_dir.name + ".failed")


def publish(out_dir: Path, **options) -> Report:
    """`python -m manual build`: build in a fresh folder beside out_dir, which takes out_dir's place only when every
    step passed. A failed build leaves the manual already in out_dir as it was, byte for byte (a bank's good copy is
    never swapped for 12 shots and a PDF of broken images), and puts its report and shots in failed_dir(out_dir)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-building-", dir=out_dir.parent))
    try:
        report = build(fresh, **options)
        target = out_dir if report.ok else failed_dir(out_dir)
        _replace(target, fresh)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    if report.ok:
        shutil.rmtree(failed_dir(out_dir), ignore_errors=True)  # the failure it reported is over
    return report


def _replace(target: Path, fresh: Path) -> None:
    """fresh becomes target by renames on one file system: target is never half written."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
