"""The legend's rules (spec/rules.toml) on the screens where the manual sets or types each value: every boundary case
of spec.cases — min−1, min, max, max+1, a symbol, 全角, letters only, digits only, a guessable value — each a subtest
named rule:<letter>:<case> (e.g. rule:イ:max+1) in the report.

A form's fields are judged together, each by its own rule, so one submit carries a case of each rule of the form (a
round): every field must then carry a message exactly where its case is refused, and the screen must stay. A round
holds at most one accepted case, so no two values the form would compare (two PINs that must differ) are both right;
a round whose only case is accepted leaves another field (the witness) empty, so the form is judged but never taken.
Fields without a case in a round get their right value. Nothing is committed and nothing counts towards a lockout:
one screen serves all the cases of a form.
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
    submit: str  # wording key of the action that sends it
    fields: dict[str, str]  # legend letter (or another name) → wording key of the field
    reach: Callable  # (arrange, workstation) -> (screen, values that are all right)

    @property
    def letters(self) -> list[str]:
        """The legend letters whose rule this screen sets or checks (ロ is set at I-2.3, only typed again at I-4.7)."""
        return [letter for letter in self.fields if letter in RULES
                and (self.step in RULES[letter].set_at or self.step in RULES[letter].entered_at)
                and not (letter == "ロ" and self.step == "I-4.7")]

    def entered(self, letter: str) -> bool:
        """A value the customer was given (A, C), typed to be checked: its cases come from the right one."""
        return self.step in RULES[letter].entered_at and self.step not in RULES[letter].set_at


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
    return setup, {"ヘ": state.user.temporary_confirmation_pin, "ト": SAMPLE.user_logon_pin,
                   "チ": SAMPLE.user_confirmation_pin}


FORMS = [
    Form("I-2.2", ActivationPage, ActivationPinsPage, "activation.next_button",
         {"A": "activation.contract_number", "C": "activation.registration_pin"}, _activation),
    Form("I-2.3", ActivationPinsPage, OneTimePasswordPage, "activation.pins_next_button",
         {"イ": "activation.logon_pin", "ロ": "activation.confirmation_pin", "ハ": "activation.email"},
         _activation_pins),
    Form("I-4.7", UserRegistrationPage, UserRegisteredPage, "admin_menu.register_button",
         {"ニ": "admin_menu.user_id", "name": "admin_menu.user_name", "ホ": "admin_menu.temporary_logon_pin",
          "ヘ": "admin_menu.temporary_confirmation_pin", "ロ": "admin_menu.confirmation_pin"}, _user_registration),
    Form("II-2.5", UserPinSetupPage, UserStatusPage, "user_activation.next_button",
         {"ヘ": "user_activation.temporary_confirmation_pin", "ト": "user_activation.logon_pin",
          "チ": "user_activation.confirmation_pin"}, _user_pins),
]


def rounds(by_letter: dict[str, list[Case]]) -> list[dict[str, Case]]:
    """Every case of every letter, spread over submits: each round takes the next case of each letter, but at most
    one accepted case (a letter whose next cases are all accepted waits for a later round)."""
    pending = {letter: list(letter_cases) for letter, letter_cases in by_letter.items()}
    result = []
    while any(pending.values()):
        chosen: dict[str, Case] = {}
        for letter, queue in pending.items():
            pick = next((case for case in queue if not (case.accepted and any(c.accepted for c in chosen.values()))),
                        None)
            if pick is not None:
                queue.remove(pick)
                chosen[letter] = pick
        result.append(chosen)
    return result


def _send(screen: Screen, form: Form, values: dict[str, str]) -> Screen:
    """Fill the form's fields with `values` (by letter) and submit: the same screen again, or the one that took it."""
    screen.fill({form.fields[name]: value for name, value in values.items()})
    return screen._next(screen.action(form.submit).click, form.screen, form.taken)


@pytest.mark.parametrize("form", FORMS, ids=[f.step for f in FORMS])
def test_rule_boundaries(form, arrange, workstation, subtests):
    """Every boundary case of the legend's rules on the screen of step `form.step`, a case of each rule per submit."""
    screen, right = form.reach(arrange, workstation)
    by_letter = {letter: cases(RULES[letter], right[letter] if form.entered(letter) else None)
                 for letter in form.letters}
    for chosen in rounds(by_letter):
        if not isinstance(screen, form.screen):  # a round before was taken: start again
            screen, right = form.reach(arrange, workstation)
        screen = _judge(screen, form, chosen, right, subtests)
    for letter in filter(form.entered, form.letters):
        with subtests.test(msg=f"rule:{letter}:malformed-not-counted", step=form.step):
            if not isinstance(screen, form.screen):  # the letter before had its right values taken
                screen, right = form.reach(arrange, workstation)
            screen = _malformed_changes_nothing(screen, form, letter, by_letter[letter], right, arrange)


def _judge(screen: Screen, form: Form, chosen: dict[str, Case], right: dict[str, str], subtests) -> Screen:
    """One submit of `chosen` (a case per letter), every other field right; then each case's verdict."""
    values = {**right, **{letter: case.value for letter, case in chosen.items()}}
    witness = None
    if all(case.accepted for case in chosen.values()):
        witness = next(name for name in reversed(form.fields) if name not in chosen)
        values[witness] = ""
    shown = _send(screen, form, values)
    for letter, case in chosen.items():
        with subtests.test(msg=case.id, step=form.step):
            sent = ", ".join(f"{c.id} {c.value!r}" for c in chosen.values())
            assert isinstance(shown, form.screen), f"the form was taken with {sent}; the manual's rules refuse it"
            field = shown.field(form.fields[letter])
            if case.accepted:
                expect(field, f"{case.id} {case.value!r} must be accepted (sent with {sent})"
                       ).not_to_have_accessible_description(_ANY)
            else:
                shown.expect_field_error(form.fields[letter])
    if witness is not None and isinstance(shown, form.screen):
        shown.expect_field_error(form.fields[witness])
    return shown


def _malformed_changes_nothing(screen: Screen, form: Form, letter: str, letter_cases: list[Case],
                               right: dict[str, str], arrange) -> Screen:
    """Bad input changes nothing: a malformed value sent as often as the lockout allows misses is not a miss, and the
    right values are taken afterwards (the first time on the contract the rounds were sent to: they counted nothing
    either)."""
    too_long = next(case for case in letter_cases if case.name == "max+1")
    for _ in range(arrange.capabilities.get("lockout_threshold", 6)):
        screen = _send(screen, form, {**right, letter: too_long.value})
        assert isinstance(screen, form.screen), f"{too_long.id} {too_long.value!r} was taken"
        screen.expect_field_error(form.fields[letter])
    shown = _send(screen, form, right)
    assert isinstance(shown, form.taken), f"the right values were refused after malformed ones: {shown.pc.describe()}"
    return shown
