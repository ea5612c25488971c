"""Lockout: every counter of wrong answers locks at exactly N misses, and N−1 leaves the ID open.

N is the server's (GET /api/capabilities: lockout_threshold; 6 where a server does not say — the manual names no
number). Each counter is tested twice, on a fresh contract: N−1 misses then the right answer is taken; N misses lock,
and then even the right answer is refused. Where the legend says case matters (イ, ロ, ト), the first miss is the
right PIN with its case changed (rule:<letter>:case).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from pages import (ActivationCompletePage, ActivationPage, ActivationPinsPage, AdminLogonPage, ContractStatusPage,
                   EnrollmentConfirmDialog, LogonPinPage, OneTimePasswordPage, ServiceTopPage, UserRegisteredPage,
                   UserRegistrationPage, UserStatusPage)
from pages.walkthrough import SAMPLE, logon_screen
from spec.cases import case_changed

from .positions import activation_at, logon_at

pytestmark = pytest.mark.rules


@pytest.fixture(scope="session")
def threshold(arrange) -> int:
    return arrange.capabilities.get("lockout_threshold", 6)


@dataclass(frozen=True)
class Counter:
    """Where wrong answers are counted: how to reach the screen, answer wrongly, answer rightly."""

    name: str
    step: str
    reach: Callable  # (arrange, workstation) -> (screen, context)
    wrong: Callable  # (screen, context, n) -> the screen shown after the n-th miss
    right: Callable  # (screen, context) -> the screen shown after the right answer
    taken: type  # the screen (or prompt) the right answer leads to while the ID is open
    case_rule: str | None = None  # the legend letter whose case-changed PIN is the first miss


# -- C ご契約先登録用暗証番号 (I-2.2) -----------------------------------------------------------------------------------
def _activation(arrange, workstation):
    contract = arrange().contract
    return logon_screen(workstation("管理者PC"), "admin").activation(), contract


def _wrong_registration_pin(page, contract, n):
    return page.enter_rejected(contract.contract_number, f"{(int(contract.registration_pin) + n) % 10000:04d}")


def _right_registration_pin(page, contract):
    page._submit(contract.contract_number, contract.registration_pin)
    return page._next(page.clicking("activation.next_button"), ActivationPinsPage, ActivationPage)


# -- the one-time password at 開通確認 (I-2.4) ---------------------------------------------------------------------------
def _activation_otp(arrange, workstation):
    state = arrange()
    return activation_at(arrange, workstation("管理者PC"), state, 4), state.contract


def _wrong_otp(otp, contract, n):
    return otp.answer_rejected(contract.card.wrong())


def _right_otp(otp, contract):
    if not isinstance(otp, OneTimePasswordPage):  # locked: the flow starts again and is refused
        return _retry(otp, contract)
    contract.card.answer(otp)
    return otp._next(otp.clicking("one_time_password.next_button"), ActivationCompletePage, ContractStatusPage,
                     OneTimePasswordPage, ActivationPage, AdminLogonPage)


def _retry(screen, contract):
    """After a lock, the flow from its start with every answer right: refused again."""
    if isinstance(screen, ActivationPage):
        return _right_registration_pin(screen, contract)
    return _right_logon(screen, None)


# -- certificate logon: イ (I-4.4), the one-time password (I-4.5), ト (II-2.4) ------------------------------------------
def _admin_pin_page(arrange, workstation):
    state = arrange("admin_certified")
    pc = workstation("管理者PC", state.admin_certificate)
    return logon_at(arrange, pc, state, "admin", 4), state


def _user_pin_page(arrange, workstation):
    state = arrange("user_activated")
    pc = workstation("利用者PC", state.user_certificate)
    return logon_at(arrange, pc, state, "user", 4), state


def _own_pin(page) -> str:
    return SAMPLE.admin_logon_pin if page.role == "admin" else SAMPLE.user_logon_pin


def _wrong_logon_pin(page, state, n):
    return page.enter_wrong_pin(case_changed(_own_pin(page)) if n == 1 else f"Wrong{n}pin")


def _right_logon(screen, state):
    if isinstance(screen, LogonPinPage):
        return screen.enter_pin(_own_pin(screen))
    # locked: a new logon with the right certificate is refused before the PIN
    return screen.certificate_logon().ok().grant_outcome()


def _logon_otp(arrange, workstation):
    state = arrange("admin_certified")
    return logon_at(arrange, workstation("管理者PC", state.admin_certificate), state, "admin", 5), state.contract


# -- 電子証明書取得 (I-3.3, II-1.3) --------------------------------------------------------------------------------------
def _admin_enrollment(arrange, workstation):
    state = arrange("activated")
    return logon_screen(workstation("管理者PC"), "admin").enrollment(), (state, None)


def _user_enrollment(arrange, workstation):
    state = arrange("user_registered")
    return logon_screen(workstation("利用者PC"), "user").enrollment(), (state, state.user)


def _enrollment_pins(context) -> tuple[str, str]:
    _state, user = context
    if user is None:
        return SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin
    return user.temporary_logon_pin, user.temporary_confirmation_pin


def _wrong_enrollment(form, context, n):
    state, user = context
    logon_pin, _ = _enrollment_pins(context)
    return form.enter_rejected(state.contract.contract_number, logon_pin, f"Wrong{n}pin", user_id=user and user.user_id)


def _right_enrollment(form, context):
    """The right PINs: 電子証明書の取得 (the prompt), or — locked — the form again with its refusal."""
    state, user = context
    form.fill(form._fields(state.contract.contract_number, *_enrollment_pins(context), user and user.user_id))
    form._leave(form.clicking("enrollment.next_button"))
    prompt = form.page.get_by_role("dialog", name=form.w(EnrollmentConfirmDialog.NAME), exact=True)
    shown = type(form)(form.pc, **form.state)
    return EnrollmentConfirmDialog(shown) if prompt.count() else shown


# -- ロ ご契約先確認暗証番号 at 利用者情報新規登録 (I-4.7) ------------------------------------------------------------------
def _registration(arrange, workstation):
    state = arrange("admin_certified")
    pc = workstation("管理者PC", state.admin_certificate)
    return arrange.logged_on(pc, state, "admin").open_new_user_registration(), state


def _register(form, pin):
    form._submit(SAMPLE.user, pin)
    return form._next(form.clicking("admin_menu.register_button"), UserRegistrationPage, UserRegisteredPage,
                      ServiceTopPage, AdminLogonPage)


def _wrong_confirmation(form, state, n):
    return _register(form, case_changed(SAMPLE.admin_confirmation_pin) if n == 1 else f"Wrong{n}pin")


def _right_confirmation(screen, state):
    if isinstance(screen, UserRegistrationPage):
        return _register(screen, SAMPLE.admin_confirmation_pin)
    # locked and logged off: the administrator's next logon is refused
    return _right_logon(logon_screen(screen.pc, "admin"), state)


COUNTERS = [
    Counter("C", "I-2.2", _activation, _wrong_registration_pin, _right_registration_pin, ActivationPinsPage),
    Counter("otp-activation", "I-2.4", _activation_otp, _wrong_otp, _right_otp, ActivationCompletePage),
    Counter("enrollment-admin", "I-3.3", _admin_enrollment, _wrong_enrollment, _right_enrollment,
            EnrollmentConfirmDialog),
    Counter("イ", "I-4.4", _admin_pin_page, _wrong_logon_pin, _right_logon, OneTimePasswordPage, "イ"),
    Counter("otp-logon", "I-4.5", _logon_otp, _wrong_otp, _right_otp, ContractStatusPage),
    Counter("ロ", "I-4.7", _registration, _wrong_confirmation, _right_confirmation, UserRegisteredPage, "ロ"),
    Counter("enrollment-user", "II-1.3", _user_enrollment, _wrong_enrollment, _right_enrollment,
            EnrollmentConfirmDialog),
    Counter("ト", "II-2.4", _user_pin_page, _wrong_logon_pin, _right_logon, UserStatusPage, "ト"),
]


@pytest.mark.parametrize("misses", ["N-1", "N"])
@pytest.mark.parametrize("counter", COUNTERS, ids=[f"{c.step}-{c.name}" for c in COUNTERS])
def test_lockout_at_exactly_n_misses(counter, misses, threshold, arrange, workstation, subtests):
    screen, context = counter.reach(arrange, workstation)
    count = threshold - 1 if misses == "N-1" else threshold
    for n in range(1, count + 1):
        if n == 1 and counter.case_rule:
            with subtests.test(msg=f"rule:{counter.case_rule}:case", step=counter.step):
                screen = counter.wrong(screen, context, n)
                assert not isinstance(screen, counter.taken), "the PIN with its case changed was taken"
        else:
            screen = counter.wrong(screen, context, n)
            assert not isinstance(screen, counter.taken), f"miss {n} was taken"
    shown = counter.right(screen, context)
    if misses == "N-1":
        assert isinstance(shown, counter.taken), f"{count} misses (N−1) must leave the ID open; {shown.pc.describe()}"
    else:
        assert not isinstance(shown, counter.taken), f"{count} misses (N) must lock; the right answer was taken"
        shown.expect_alert()
