"""Set up through the bank's API, drive the browser only for what is under test.

A test asks for a contract at a point of the manual and then opens only the screens of its own step:

    state = arrange("admin_certified")                       # activated, the admin's certificate issued
    pc = workstation("管理者PC", state.admin_certificate)     # a PC whose store holds it

On a server that offers the point (GET /api/capabilities → fast_forward: the reference server in testing mode) the
bank's API makes the contract there and hands out the certificates. On one that does not (a vendor's minimal
server) the same state is reached by walking the manual's screens with the page objects on a scratch PC, as the
walkthrough does: slower, same result. The suite says once, at its start, which of the two it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pages import ContractStatusPage, Screen, UserPinSetupPage, UserStatusPage
from pages.admin import NewUser
from pages.provisioning import BankOperator, CertificateFile, Contract
from pages.walkthrough import (SAMPLE, SampleValues, activate_admin, activate_user, admin_logon, certificate_logon,
                               enroll, logon_screen, open_service_top, register_user)
from pages.workstation import StoredCertificate, Workstation

POINTS = ("applied", "activated", "admin_certified", "user_registered", "user_certified", "user_activated")


@dataclass
class State:
    """A contract at a point of the manual, with what its customer holds by then."""

    at: str
    contract: Contract
    sample: SampleValues
    user: NewUser  # the user registered from "user_registered" on (SAMPLE's until then)
    admin_certificate: StoredCertificate | None = None
    user_certificate: StoredCertificate | None = None

    def reached(self, point: str) -> bool:
        return POINTS.index(self.at) >= POINTS.index(point)


def _stored(file: CertificateFile | None) -> StoredCertificate | None:
    return file and StoredCertificate.from_pkcs12(file.pkcs12, file.password)


class Arranger:
    """Makes contracts at a point of the manual, through the API where the server offers it, else through the UI.

    new_pc: makes a scratch PC (a Workstation) for the UI way; it is closed once the state is reached."""

    def __init__(self, operator: BankOperator, new_pc: Callable[[str], Workstation], *, sample: SampleValues = SAMPLE):
        self.operator, self.new_pc, self.sample = operator, new_pc, sample
        self.capabilities = operator.capabilities()
        self.through_api = set(self.capabilities.get("fast_forward", ()))

    def __call__(self, at: str = "applied", *, user: NewUser | None = None, sample: SampleValues | None = None,
                 **options) -> State:
        """A fresh contract at point `at`, its PINs those of `sample` (the walkthrough's by default)."""
        if at not in POINTS:
            raise ValueError(f"unknown point of the manual {at!r}; one of {', '.join(POINTS)}")
        sample = sample or self.sample
        user = user or sample.user
        if at == "applied" or at in self.through_api:
            return self._through_api(at, user, sample, options)
        return self._through_screens(at, user, sample, options)

    def _through_api(self, at: str, user: NewUser, sample: SampleValues, options: dict) -> State:
        admin = _admin_values(sample)
        user_data = {"user_id": user.user_id, "name": user.name, "temporary_logon_pin": user.temporary_logon_pin,
                     "temporary_confirmation_pin": user.temporary_confirmation_pin}
        if user.permissions is not None:
            user_data["permissions"] = list(user.permissions)
        if at == "user_activated":
            user_data.update(logon_pin=sample.user_logon_pin, confirmation_pin=sample.user_confirmation_pin)
        set_up = {} if at == "applied" else {"at": at, "admin": admin}
        if POINTS.index(at) >= POINTS.index("user_registered"):
            set_up["user"] = user_data
        contract = self.operator.create_contract(**set_up, **options)
        return State(at, contract, sample, user, _stored(contract.admin_certificate),
                     _stored(contract.user_certificate))

    def _through_screens(self, at: str, user: NewUser, sample: SampleValues, options: dict) -> State:
        """The manual's own way to `at`, on scratch PCs (the admin's, then the user's)."""
        state = State(at, self.operator.create_contract(**options), sample, user)
        number = state.contract.contract_number
        admin_pc = self.new_pc("管理者PC (準備)")
        try:
            top = activate_admin(open_service_top(admin_pc), state.contract, sample)
            if state.reached("admin_certified"):
                state.admin_certificate = enroll(top, "admin", number, sample.admin_logon_pin,
                                                 sample.admin_confirmation_pin)
            if state.reached("user_registered"):
                register_user(admin_logon(admin_pc, state.contract, sample), sample, user=user)
        finally:
            admin_pc.close()
        if not state.reached("user_certified"):
            return state
        user_pc = self.new_pc("利用者PC (準備)")
        try:
            top = user_pc.open().open_corporate()
            state.user_certificate = enroll(top, "user", number, user.temporary_logon_pin,
                                            user.temporary_confirmation_pin, user_id=user.user_id)
            if state.reached("user_activated"):
                activate_user(user_pc, user, sample)
        finally:
            user_pc.close()
        return state

    def logged_on(self, pc: Workstation, state: State, side: str) -> Screen:
        """`pc` (its store holding the side's certificate) logged on as the administrator or the user of `state`, on
        the screen a logon lands on: made by the bank's API where it offers that, else through the certificate
        logon's screens (I-4.1 … I-4.5, II-2.1 … II-2.4)."""
        path = self.logon_session(pc, state, side)
        if path is not None:
            pc.goto(path)
            return pc.expect_screen(ContractStatusPage, UserStatusPage, UserPinSetupPage)
        if side == "admin":
            return admin_logon(pc, state.contract, state.sample)
        pin = state.sample.user_logon_pin if state.reached("user_activated") else state.user.temporary_logon_pin
        return certificate_logon(logon_screen(pc, "user"), pin)

    def logon_session(self, pc: Workstation, state: State, side: str) -> str | None:
        """logged_on without opening the screen: `pc`'s browser holds the session of a fresh logon the bank's API
        made, and the path of the screen it lands on is returned (None where the server makes no logons)."""
        if not self.capabilities.get("logons"):
            return None
        made = self.operator.log_on(state.contract.contract_number, _user_id(state, side))
        _take_session(pc, made)
        return made["path"]

    def at_step(self, pc: Workstation, state: State, step: str) -> bool:
        """Open on `pc` the screen of `step` (inside 開通確認, 電子証明書取得 or the certificate logon) as the steps
        before it would have left it, made by the bank's API where the server offers that step (capabilities:
        steps). False where it does not: the caller walks there through the screens."""
        path = self.step_path(pc, state, step)
        if path is not None:
            pc.goto(path)
        return path is not None

    def step_path(self, pc: Workstation, state: State, step: str) -> str | None:
        """at_step without opening the screen: `pc`'s browser holds the session of `step`, and its screen's path is
        returned (None where the server does not offer the step), for a caller that opens it in its own way."""
        if step not in self.capabilities.get("steps", ()):
            return None
        side = "admin" if step.startswith("I-") else "user"
        set_at_i_2_3 = _admin_values(state.sample) if step == "I-2.4" else None  # I-2.4 answers for them
        made = self.operator.at_step(state.contract.contract_number, step, _user_id(state, side), set_at_i_2_3)
        _take_session(pc, made)
        return made["path"]


def _admin_values(sample: SampleValues) -> dict:
    """What the administrator sets at I-2.3: イ, ロ, ハ."""
    return {"logon_pin": sample.admin_logon_pin, "confirmation_pin": sample.admin_confirmation_pin,
            "email": sample.admin_email}


def _user_id(state: State, side: str) -> str | None:
    return None if side == "admin" else state.user.user_id


def _take_session(pc: Workstation, made: dict) -> None:
    """`pc`'s browser takes the session cookie the bank made."""
    pc.context.add_cookies([{**made["cookie"], "url": pc.base_url + "/", "secure": True, "httpOnly": True,
                             "sameSite": "Lax"}])
