"""The legend's rules (spec/rules.toml) on the screens where the manual sets or types each value: every boundary case
of spec.cases — min−1, min, max, max+1, a symbol, 全角, letters only, digits only, a guessable value — each a subtest
named rule:<letter>:<case> (e.g. rule:イ:max+1) in the report.

A refused case is sent with every other field right: the field under test must carry a message and the screen must
stay. An accepted case is sent with one other field (the witness) left empty, so the form is judged but never taken:
the field under test must carry no message while the witness does. Nothing is committed, nothing counts towards a
lockout, and one screen serves all the cases of a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import pytest
from playwright.sync_api import expect

import spec
from pages import (ActivationPage, ActivationPinsPage, OneTimePasswordPage, Screen, UserPinSetupPage,
                   UserRegisteredPage, UserRegistrationPage, UserStatusPage)
from pages.walkthrough import SAMPLE, logon_screen
from spec.cases import Case, cases

from .positions import activation_at

pytestmark = pytest.mark.rules
RULES = spec.rules()
_ANY = re.compile(r"\S")


@dataclass(frozen=True)
class Form:
    """A screen where legend values are set or typed, and how a test reaches it from a server-made state."""

    step: str
    screen: type[Screen]
    taken: type[Screen]  # the screen shown when the form's input is taken
    submit: str  # wording key of the button
    fields: dict[str, str]  # legend letter (or another name) → wording key of the field
    reach: Callable  # (arrange, workstation) -> (screen, values that are all right)


def _activation(arrange, workstation):
    contract = arrange().contract
    return logon_screen(workstation("管理者PC"), "admin").activation(), {
        "A": contract.contract_number, "C": contract.registration_pin}


def _activation_pins(arrange, workstation):
    return activation_at(arrange, workstation("管理者PC"), arrange(), 3), {
        "イ": SAMPLE.admin_logon_pin, "ロ": SAMPLE.admin_confirmation_pin, "ハ": SAMPLE.admin_email}


def _user_registration(arrange, workstation):
    state = arrange("admin_certified")
    form = arrange.logged_on(workstation("管理者PC", state.admin_certificate), state, "admin").open_new_user_registration()
    for name in form.w("admin_menu.permission_names"):
        form.permission(name).check()
    user = SAMPLE.user
    return form, {"ニ": user.user_id, "name": user.name, "ホ": user.temporary_logon_pin,
                  "ヘ": user.temporary_confirmation_pin, "ロ": SAMPLE.admin_confirmation_pin}


def _user_pins(arrange, workstation):
    state = arrange("user_certified")
    setup = arrange.logged_on(workstation("利用者PC", state.user_certificate), state, "user")
    return setup, {"ト": SAMPLE.user_logon_pin, "チ": SAMPLE.user_confirmation_pin}


FORMS = [
    Form("I-2.2", ActivationPage, ActivationPinsPage, "common.next",
         {"A": "activation.contract_number", "C": "activation.registration_pin"}, _activation),
    Form("I-2.3", ActivationPinsPage, OneTimePasswordPage, "common.next",
         {"イ": "activation.logon_pin", "ロ": "activation.confirmation_pin", "ハ": "activation.email"},
         _activation_pins),
    Form("I-4.7", UserRegistrationPage, UserRegisteredPage, "common.register",
         {"ニ": "admin_menu.user_id", "name": "admin_menu.user_name", "ホ": "admin_menu.temporary_logon_pin",
          "ヘ": "admin_menu.temporary_confirmation_pin", "ロ": "admin_menu.confirmation_pin"}, _user_registration),
    Form("II-2.5", UserPinSetupPage, UserStatusPage, "common.next",
         {"ト": "user_activation.logon_pin", "チ": "user_activation.confirmation_pin"}, _user_pins),
]
# (form, legend letter): each value where the manual sets it; A and C where the customer types them first
RULE_FORMS = [(form, letter) for form in FORMS for letter in form.fields
              if letter in RULES and (form.step in RULES[letter].set_at or form.step in RULES[letter].entered_at)
              and not (letter == "ロ" and form.step == "I-4.7")]


def _witness(form: Form, letter: str) -> str:
    """The field left empty to keep an accepted case from being taken: another one of the form's."""
    return next(other for other in reversed(form.fields) if other != letter)


def _send(screen: Screen, form: Form, values: dict[str, str]) -> Screen:
    """Fill the form's fields with `values` (by letter) and submit: the same screen again, or the one that took it."""
    screen.fill({form.fields[name]: value for name, value in values.items()})
    return screen._next(screen.button(form.submit).click, form.screen, form.taken)


@pytest.mark.parametrize("form, letter", RULE_FORMS, ids=[f"{f.step}-rule:{letter}" for f, letter in RULE_FORMS])
def test_rule_boundaries(form, letter, arrange, workstation, subtests):
    """Every boundary case of the legend's rule `letter` on the screen of step `form.step`."""
    rule = RULES[letter]
    screen, right = form.reach(arrange, workstation)
    entered = letter in ("A", "C")  # the customer's own value, typed to be checked
    all_cases = cases(rule, right[letter] if entered else None)
    for case in all_cases:
        with subtests.test(msg=case.id, step=form.step):
            if not isinstance(screen, form.screen):  # a case before was taken: start again
                screen, right = form.reach(arrange, workstation)
            screen = _judge(screen, form, letter, case, right)
    if entered:
        with subtests.test(msg=f"rule:{letter}:malformed-not-counted", step=form.step):
            _malformed_changes_nothing(screen, form, letter, all_cases, right, arrange)


def _malformed_changes_nothing(screen, form, letter, all_cases, right, arrange):
    """Bad input changes nothing: a malformed value sent as often as the lockout allows misses is not a miss, and the
    right values are taken afterwards."""
    too_long = next(case for case in all_cases if case.name == "max+1")
    for _ in range(arrange.capabilities.get("lockout_threshold", 6)):
        screen = _judge(screen, form, letter, too_long, right)
    shown = _send(screen, form, right)
    assert isinstance(shown, form.taken), f"the right values were refused after malformed ones: {shown.pc.describe()}"


def _judge(screen: Screen, form: Form, letter: str, case: Case, right: dict[str, str]) -> Screen:
    values = {**right, letter: case.value}
    key = form.fields[letter]
    if case.accepted:
        witness = _witness(form, letter)
        shown = _send(screen, form, {**values, witness: ""})
        assert isinstance(shown, form.screen), f"{case.id}: the form was taken with {witness} empty"
        shown.expect_field_error(form.fields[witness])
        expect(shown.field(key), f"{case.id} {case.value!r} must be accepted").not_to_have_accessible_description(
            _ANY)
        return shown
    shown = _send(screen, form, values)
    assert isinstance(shown, form.screen), f"{case.id}: {case.value!r} was taken; the manual's rule refuses it"
    shown.expect_field_error(key)
    return shown

