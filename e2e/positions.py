"""A step's screen, opened for the test of that step: made by the bank's API where the server offers the step
(Arranger.at_step), else reached by walking the screens before it with the same page objects.

    otp = activation_at(arrange, pc, state, 4)                 # I-2.4 ワンタイムパスワード入力
    dialog = enrollment_at(arrange, pc, state, "admin", 5)     # I-3.5 セキュリティレベルの確認
    pin_page = logon_at(arrange, pc, state, "user", 4)         # II-2.4 暗証番号入力
"""

from __future__ import annotations

import pytest

from pages import (ActivationPinsPage, AdminLogonPage, CertificateEnrollmentPage,
                   EnrollmentConfirmDialog, InstallDialog, IssuingPage, LogonPinPage, OneTimePasswordPage,
                   SecurityLevelDialog, UserLogonPage)
from pages.logon import AccessPermissionDialog, CertificateSelectionDialog
from pages.walkthrough import logon_screen

from .arrange import Arranger, State

SECTIONS = {("admin", "enrollment"): "I-3", ("user", "enrollment"): "II-1",
            ("admin", "logon"): "I-4", ("user", "logon"): "II-2"}


def sides(flow: str, number: int) -> list:
    """Both sides of a flow the admin and the user share, as parameters marked with each side's step ID (e.g.
    I-3.4 and II-1.4 for flow "enrollment", number 4)."""
    return [pytest.param(side, id=f"{section}.{number}", marks=pytest.mark.step(f"{section}.{number}"))
            for (side, kind), section in SECTIONS.items() if kind == flow]


def _pins(state: State, side: str) -> tuple[str, str]:
    if side == "admin":
        return state.sample.admin_logon_pin, state.sample.admin_confirmation_pin
    return state.user.temporary_logon_pin, state.user.temporary_confirmation_pin


def activation_at(arrange: Arranger, pc, state: State, number: int):
    """開通確認 of an "applied" contract at step `number` (3 or 4) of I-2: 暗証番号・Eメールアドレス設定, or the one-time
    password with I-2.3's values (those of the state's sample) waiting for it."""
    if arrange.at_step(pc, state, f"I-2.{number}"):
        return (ActivationPinsPage if number == 3 else OneTimePasswordPage)(pc)
    shown = logon_screen(pc, "admin").activation().enter(state.contract.contract_number, state.contract.registration_pin)
    if number == 4:
        sample = state.sample
        shown = shown.set_pins(sample.admin_logon_pin, sample.admin_confirmation_pin, sample.admin_email)
    return shown


def enrollment_at(arrange: Arranger, pc, state: State, side: str, number: int):
    """電子証明書取得 at step `number` (3 … 7) of I-3 / II-1: the form, or the prompt or screen of that step."""
    if number > 3 and arrange.at_step(pc, state, f"{SECTIONS[side, 'enrollment']}.{number}"):
        if number in (4, 5):
            host = CertificateEnrollmentPage(pc, role=side)
            return (EnrollmentConfirmDialog if number == 4 else SecurityLevelDialog)(host)
        issuing = IssuingPage(pc, role=side)
        return issuing if number == 6 else InstallDialog(issuing)
    shown = logon_screen(pc, side).enrollment()
    if number > 3:
        shown = shown.enter(state.contract.contract_number, *_pins(state, side),
                            user_id=None if side == "admin" else state.user.user_id)
    for move in ("yes", "ok", "issue")[:max(number - 4, 0)]:
        shown = getattr(shown, move)()
    return shown


def logon_at(arrange: Arranger, pc, state: State, side: str, number: int):
    """The certificate logon at step `number` (2 … 5) of I-4 / II-2: 証明書の選択, アクセス許可の付与, 暗証番号入力 or the
    one-time password (the administrator's; PINs of the arranged state)."""
    if arrange.at_step(pc, state, f"{SECTIONS[side, 'logon']}.{number}"):
        if number == 4:
            return LogonPinPage(pc, role=side)
        if number == 5:
            return OneTimePasswordPage(pc, role=side)
        host = (AdminLogonPage if side == "admin" else UserLogonPage)(pc)
        return (CertificateSelectionDialog if number == 2 else AccessPermissionDialog)(host)
    shown = logon_screen(pc, side).certificate_logon()
    if number >= 3:
        shown = shown.ok()
    if number >= 4:
        shown = shown.grant()
    if number == 5:
        shown = shown.enter_pin(state.sample.admin_logon_pin)
    return shown
