"""The whole quick-start manual, admin then user on two PCs, step by step (the 37 IDs of spec/steps.toml).

    walk_manual(admin_pc, user_pc, contract, on_step=camera)

`on_step(step, page)` is called when each step's screen is shown, before the step's action (`step` a catalog Step,
`page` the Playwright Page): the documentation job screenshots there, the e2e report records each step's outcome.

The parts (`open_service_top`, `activate_admin`, `enroll`, `certificate_logon`, `register_user`, `activate_user`) are
public so that tests reach a later step along the very same path; admin and user share `enroll` and
`certificate_logon`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from playwright.sync_api import Page, expect

import spec

from .activation import ActivationCompletePage, OneTimePasswordPage
from .admin import ContractStatusPage, NewUser
from .base import Dialog, Screen, screen_heading
from .home import ServiceTopPage
from .logon import AdminLogonPage, LogonPage, UserLogonPage
from .provisioning import Contract
from .user import UserPinSetupPage, UserStatusPage
from .workstation import StoredCertificate, Workstation


@dataclass(frozen=True)
class SampleValues:
    """The values the walkthrough enters: PINs that satisfy every rule of the manual's legend.

    The documentation job's screenshots show these, so they stay fixed."""

    admin_logon_pin: str = field(default="Meguro2024a", repr=False)  # イ ご契約先暗証番号
    admin_confirmation_pin: str = field(default="Kakunin7788", repr=False)  # ロ ご契約先確認暗証番号
    admin_email: str = "keiri@example.co.jp"  # ハ ご契約先Eメールアドレス
    user: NewUser = NewUser("yamada01", "山田太郎", "Kr7m4x", "Qz8w3v")  # ニ 利用者ID, 利用者名, ホ, ヘ
    user_logon_pin: str = field(default="Hanako2468", repr=False)  # ト 利用者暗証番号
    user_confirmation_pin: str = field(default="Taro1357b", repr=False)  # チ 利用者確認暗証番号


SAMPLE = SampleValues()

OnStep = Callable[[spec.Step, Page], None]


class StepRecorder:
    """Announces each step: checks the catalog's screen is the one shown, then calls on_step(step, page)."""

    def __init__(self, on_step: OnStep | None = None):
        self.on_step = on_step
        self.current: spec.Step | None = None
        self.done: list[str] = []

    def __call__(self, step_id: str, where: Screen | Dialog) -> None:
        step = next(s for s in spec.all_shots() if s.id == step_id)
        if self.current is not None and step.parent is None:  # a further shot of a step is no step of its own
            self.done.append(self.current.id)
        pc = where.pc
        expect(screen_heading(pc.page, pc.wording[step.screen]),
               f"step {step_id}: expected screen {pc.wording[step.screen]!r}").to_be_visible()
        if step.parent is None:
            self.current = step
        if self.on_step is not None:
            self.on_step(step, pc.page)

    def finish(self) -> None:
        if self.current is not None:
            self.done.append(self.current.id)
            self.current = None


def _silent(step_id: str, where) -> None:
    pass


# -- parts ------------------------------------------------------------------------------------------------------------
def open_service_top(pc: Workstation, step=_silent) -> ServiceTopPage:
    """I-1.1, I-1.2: the bank's home page → 法人・個人事業主 → サービストップ."""
    home = pc.open()
    step("I-1.1", home)
    top = home.open_corporate()
    return top


def activate_admin(top: ServiceTopPage, contract: Contract, sample: SampleValues = SAMPLE,
                   step=_silent) -> ServiceTopPage:
    """I-1.2, I-2.1 … I-2.5: the admin's 開通確認 from the service top; back on the service top."""
    step("I-1.2", top)
    logon = top.admin_logon()
    step("I-2.1", logon)
    activation = logon.activation()
    step("I-2.2", activation)
    pins = activation.enter(contract.contract_number, contract.registration_pin)
    step("I-2.3", pins)
    otp = pins.set_pins(sample.admin_logon_pin, sample.admin_confirmation_pin, sample.admin_email)
    step("I-2.4", otp)
    done = otp.answer(contract.credential)
    assert isinstance(done, ActivationCompletePage), done
    step("I-2.5", done)
    done.expect_done()
    return done.close()


def enroll(top: ServiceTopPage, role: str, contract_number: str, logon_pin: str, confirmation_pin: str,
           user_id: str | None = None, step=_silent) -> StoredCertificate:
    """I-3.1 … I-3.8 (role "admin") / II-1.1 … II-1.8 (role "user"): obtain the certificate and import it."""
    section = {"admin": "I-3", "user": "II-1"}[role]
    step(f"{section}.1", top)
    logon = top.admin_logon() if role == "admin" else top.user_logon()
    step(f"{section}.2", logon)
    form = logon.enrollment()
    step(f"{section}.3", form)
    confirm = form.enter(contract_number, logon_pin, confirmation_pin, user_id=user_id)
    step(f"{section}.4", confirm)
    security = confirm.yes()
    step(f"{section}.5", security)
    issuing = security.ok()
    step(f"{section}.6", issuing)
    install = issuing.issue()
    step(f"{section}.7", install)
    done = install.yes()
    step(f"{section}.8", done)
    done.expect_done()
    return done.install()


# The address of each logon screen once a PC of this process has reached it through the links (like a bookmark).
_LOGON_ADDRESSES: dict[tuple[str, str], str] = {}


def logon_screen(pc: Workstation, role: str) -> LogonPage:
    """管理者ログオン / 利用者ログオン (not a numbered step): the first time reached from the bank's home page through
    its links (I-1.1, I-1.2), later opened at the address learnt then, as a customer's bookmark would."""
    known = _LOGON_ADDRESSES.get((pc.base_url, role))
    if known:
        pc.page.goto(known)
        return pc.expect_screen(AdminLogonPage if role == "admin" else UserLogonPage, role=role)
    top = pc.open().open_corporate()
    logon = top.admin_logon() if role == "admin" else top.user_logon()
    _LOGON_ADDRESSES[(pc.base_url, role)] = pc.page.url
    return logon


def certificate_logon(logon: LogonPage, pin: str, certificate: StoredCertificate | None = None, step=_silent):
    """I-4.1 … I-4.4 / II-2.1 … II-2.4: certificate, permission, PIN; returns the screen after the PIN."""
    section = {"admin": "I-4", "user": "II-2"}[logon.role]
    step(f"{section}.1", logon)
    selection = logon.certificate_logon()
    step(f"{section}.2", selection)
    certificate = certificate or logon.pc.certificate
    if certificate is not None:
        selection.expect_certificate(certificate)
    permission = selection.ok()
    step(f"{section}.3", permission)
    pin_page = permission.grant()
    step(f"{section}.4", pin_page)
    return pin_page.enter_pin(pin)


def admin_logon(pc: Workstation, contract: Contract, sample: SampleValues = SAMPLE, step=_silent) -> ContractStatusPage:
    """I-4.1 … I-4.5: the admin's certificate logon through to ご契約先ステータス."""
    otp = certificate_logon(logon_screen(pc, "admin"), sample.admin_logon_pin, step=step)
    assert isinstance(otp, OneTimePasswordPage), otp
    step("I-4.5", otp)
    status = otp.answer(contract.credential)
    assert isinstance(status, ContractStatusPage), status
    return status


def register_user(status: ContractStatusPage, sample: SampleValues = SAMPLE, user: NewUser | None = None,
                  step=_silent) -> ServiceTopPage:
    """I-4.6 … I-4.8: register the user, log off."""
    step("I-4.6", status)  # its three clicks, each screen shot (I-4.6-2, I-4.6-3)
    management = status.management()
    step("I-4.6-2", management)
    users = management.users()
    step("I-4.6-3", users)
    form = users.new_user()
    step("I-4.7", form)
    done = form.register(user or sample.user, sample.admin_confirmation_pin)
    step("I-4.8", done)
    done.expect_done()
    return done.log_off()


def activate_user(pc: Workstation, user: NewUser, sample: SampleValues = SAMPLE, step=_silent) -> UserStatusPage:
    """II-2.1 … II-2.6: the user's first certificate logon with the temporary PIN, then ト and チ."""
    setup = certificate_logon(logon_screen(pc, "user"), user.temporary_logon_pin, step=step)
    assert isinstance(setup, UserPinSetupPage), setup
    step("II-2.5", setup)
    status = setup.set_pins(sample.user_logon_pin, sample.user_confirmation_pin, user.temporary_confirmation_pin)
    step("II-2.6", status)
    return status


# -- the whole manual ---------------------------------------------------------------------------------------------------
@dataclass
class WalkResult:
    admin_certificate: StoredCertificate
    user_certificate: StoredCertificate
    user_status: UserStatusPage
    steps: list[str]


def walk_manual(admin_pc: Workstation, user_pc: Workstation, contract: Contract, *, on_step: OnStep | None = None,
                sample: SampleValues = SAMPLE, recorder: StepRecorder | None = None) -> WalkResult:
    """All 37 steps in order: 管理者編 on `admin_pc`, 利用者編 on `user_pc`."""
    step = recorder or StepRecorder(on_step)
    # I. 管理者編
    top = open_service_top(admin_pc, step)
    top = activate_admin(top, contract, sample, step)
    admin_certificate = enroll(top, "admin", contract.contract_number, sample.admin_logon_pin,
                               sample.admin_confirmation_pin, step=step)
    status = admin_logon(admin_pc, contract, sample, step)
    register_user(status, sample, step=step)
    # II. 利用者編 (on the user's own PC)
    top = user_pc.open().open_corporate()
    user = sample.user
    user_certificate = enroll(top, "user", contract.contract_number, user.temporary_logon_pin,
                              user.temporary_confirmation_pin, user_id=user.user_id, step=step)
    user_status = activate_user(user_pc, user, sample, step)
    step.finish()
    return WalkResult(admin_certificate, user_certificate, user_status, list(step.done))
