"""Every end of a session, every form's CSRF token, and what is handed out only once — walking each flow once.

- Every form refuses its input with the CSRF token missing and with a forged one (the screen does not move on), and
  takes the same input with the screen's own token (subtests csrf:missing@<step>, csrf:wrong@<step>).
- The PKCS#12 file and its import password are shown once: going back to ask again shows neither (I-3.8, II-1.8).
- After ログオフ the back button, a bookmarked protected URL and a replay of the old session cookie all show the
  logon screen, never the protected one (session:logoff:back, :bookmark, :replay), for the administrator and the user.
"""

from __future__ import annotations

from typing import Callable

import pytest
from playwright.sync_api import Locator, expect

from pages import (AdminLogonPage, ContractStatusPage, EnrollmentCompletePage, Screen, UserLogonPage,
                   UserStatusPage)
from pages.walkthrough import SAMPLE, logon_screen

pytestmark = pytest.mark.tls

# Removes the hidden inputs of the button's form (the token is one), or gives them all a forged value.
_TAMPER = """(button, value) => { for (const input of button.form.querySelectorAll('input[type=hidden]')) {
    if (value === null) input.remove(); else input.value = value; } }"""


def _heading(pc, key: str) -> Locator:
    return pc.page.get_by_role("heading", level=1, name=pc.wording[key], exact=True)


def _dialog(pc, key: str) -> Locator:
    return pc.page.get_by_role("dialog", name=pc.wording[key], exact=True)


def refuses_bad_tokens(subtests, step: str, screen: Screen, button: Callable[[], Locator], leads_to: Locator,
                       fill: Callable[[], None] = lambda: None) -> None:
    """The form of `button` on `screen`, filled by `fill`, is refused without its token and with a forged one: what
    the step `leads_to` is not shown. Back on the form afterwards, ready for the real submit."""
    for variant, value in (("missing", None), ("wrong", "forged-token")):
        with subtests.test(msg=f"csrf:{variant}@{step}"):
            fill()
            button().evaluate(_TAMPER, value)
            screen._leave(button().click)
            expect(leads_to, f"{step}: the form was taken with its CSRF token {variant}").to_have_count(0)
            screen.page.go_back()
            expect(button()).to_be_visible()


def logoff_ends_the_session(subtests, status: Screen, logon: type[Screen]) -> None:
    """ログオフ from `status`; then back, the bookmarked URL and the old cookie each show `logon`."""
    pc, url, cookies = status.pc, status.page.url, status.pc.context.cookies()
    status.log_off()
    protected = _heading(pc, status.HEADING)
    for end, go in (("back", lambda: pc.page.go_back()), ("bookmark", lambda: pc.page.goto(url)),
                    ("replay", lambda: (pc.context.add_cookies(cookies), pc.page.goto(url)))):
        with subtests.test(msg=f"session:logoff:{end}"):
            go()
            pc.expect_screen(logon)
            expect(protected).to_have_count(0)


@pytest.mark.step("I-2.2")
@pytest.mark.step("I-2.3")
@pytest.mark.step("I-2.4")
def test_activation_forms(arrange, workstation, subtests):
    contract = arrange().contract
    pc = workstation("管理者PC")
    page = logon_screen(pc, "admin").activation()
    refuses_bad_tokens(subtests, "I-2.2", page, lambda: page.action("activation.next_button"),
                       _heading(pc, "activation.pins_heading"),
                       lambda: page._submit(contract.contract_number, contract.registration_pin))
    pins = page.enter(contract.contract_number, contract.registration_pin)
    values = (SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin, SAMPLE.admin_email)
    refuses_bad_tokens(subtests, "I-2.3", pins, lambda: pins.action("activation.pins_next_button"),
                       _heading(pc, "one_time_password.heading"), lambda: pins._submit(*values))
    otp = pins.set_pins(*values)
    refuses_bad_tokens(subtests, "I-2.4", otp, lambda: otp.action("one_time_password.next_button"),
                       _heading(pc, "activation.done_heading"), lambda: contract.card.answer(otp))
    otp.answer(contract.card).expect_done()


@pytest.mark.parametrize("side", ["admin", "user"])
def test_enrollment_forms_and_the_pkcs12_shown_once(side, arrange, workstation, subtests):
    """I-3.3 … I-3.8 / II-1.3 … II-1.8; the completion screen's file and password, once."""
    state = arrange("activated" if side == "admin" else "user_registered")
    pc = workstation(f"{side} PC")
    form = logon_screen(pc, side).enrollment()
    user = None if side == "admin" else state.user
    pins = ((SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin) if user is None
            else (user.temporary_logon_pin, user.temporary_confirmation_pin))
    fields = form._fields(state.contract.contract_number, *pins, user and user.user_id)
    section = "I-3" if side == "admin" else "II-1"
    refuses_bad_tokens(subtests, f"{section}.3", form, lambda: form.action("enrollment.next_button"),
                       _dialog(pc, "enrollment.confirm_dialog"), lambda: form.fill(fields))
    shown = form.enter(state.contract.contract_number, *pins, user_id=user and user.user_id)
    for number, button, leads_to, move in ((4, "enrollment.confirm_yes", _dialog(pc, "enrollment.security_dialog"), "yes"),
                                           (5, "enrollment.security_ok", _heading(pc, "enrollment.issuing_heading"), "ok"),
                                           (6, "enrollment.issue_button", _dialog(pc, "enrollment.install_dialog"),
                                            "issue"),
                                           (7, "enrollment.install_yes", _heading(pc, "enrollment.done_heading"), "yes")):
        screen = shown if isinstance(shown, Screen) else shown.host
        refuses_bad_tokens(subtests, f"{section}.{number}", screen,
                           lambda shown=shown, button=button: shown.action(button), leads_to)
        shown = getattr(shown, move)()
    done = shown
    assert done.import_password()
    with subtests.test(msg=f"pkcs12:once@{section}.8"):
        pc.page.go_back()
        expect(_heading(pc, EnrollmentCompletePage.HEADING)).to_have_count(0)
        expect(pc.page.get_by_role("link", name=pc.wording["enrollment.download_link"], exact=True)).to_have_count(0)
        expect(pc.page.get_by_role("status", name=pc.wording["enrollment.import_password"],
                                   exact=True)).to_have_count(0)


@pytest.mark.step("I-4.8")
def test_admin_logon_forms_and_logoff(arrange, workstation, subtests):
    """I-4.1 … I-4.8 with every form's token checked, then ログオフ ends the session."""
    state = arrange("admin_certified")
    pc = workstation("管理者PC", state.admin_certificate)
    logon = logon_screen(pc, "admin")
    refuses_bad_tokens(subtests, "I-4.1", logon, logon.logon_button,
                       _dialog(pc, "certificate_logon.select_dialog"))
    selection = logon.certificate_logon()
    refuses_bad_tokens(subtests, "I-4.2", logon, lambda: selection.action("certificate_logon.select_ok"),
                       _dialog(pc, "certificate_logon.permission_dialog"))
    permission = selection.ok()
    refuses_bad_tokens(subtests, "I-4.3", logon, lambda: permission.action("certificate_logon.permission_ok"),
                       _heading(pc, "certificate_logon.pin_heading"),
                       lambda: permission._choose("certificate_logon.grant"))
    pin = permission.grant()
    refuses_bad_tokens(subtests, "I-4.4", pin, lambda: pin.action("certificate_logon.pin_logon_button"),
                       _heading(pc, "one_time_password.heading"),
                       lambda: pin.field(pin.pin_key).fill(SAMPLE.admin_logon_pin))
    otp = pin.enter_pin(SAMPLE.admin_logon_pin)
    refuses_bad_tokens(subtests, "I-4.5", otp, lambda: otp.action("one_time_password.next_button"),
                       _heading(pc, "admin_menu.status_heading"), lambda: state.contract.card.answer(otp))
    status = otp.answer(state.contract.card)
    assert isinstance(status, ContractStatusPage), status
    form = status.open_new_user_registration()
    refuses_bad_tokens(subtests, "I-4.7", form, lambda: form.action("admin_menu.register_button"),
                       _heading(pc, "admin_menu.registered_heading"),
                       lambda: form._submit(SAMPLE.user, SAMPLE.admin_confirmation_pin))
    done = form.register(SAMPLE.user, SAMPLE.admin_confirmation_pin)
    refuses_bad_tokens(subtests, "I-4.8", done, lambda: done.action("common.logoff"),
                       _heading(pc, "service_top.heading"))
    logoff_ends_the_session(subtests, done, AdminLogonPage)


@pytest.mark.step("II-2.5")
@pytest.mark.step("II-2.6")
def test_user_forms_and_logoff(arrange, workstation, subtests):
    """II-2.1 … II-2.6 with the user's own form's token checked, then ログオフ ends the user's session."""
    state = arrange("user_certified")
    pc = workstation("利用者PC", state.user_certificate)
    logon = logon_screen(pc, "user")
    setup = logon.certificate_logon().ok().grant().enter_pin(state.user.temporary_logon_pin)
    own = (SAMPLE.user_logon_pin, SAMPLE.user_confirmation_pin, state.user.temporary_confirmation_pin)
    refuses_bad_tokens(subtests, "II-2.5", setup, lambda: setup.action("user_activation.next_button"),
                       _heading(pc, "user_activation.status_heading"),
                       lambda: setup._submit(*own))
    status = setup.set_pins(*own)
    assert isinstance(status, UserStatusPage), status
    logoff_ends_the_session(subtests, status, UserLogonPage)


@pytest.mark.parametrize("side", ["admin", "user"])
def test_an_idle_session_ends_after_the_timeout(side, arrange, workstation, server_clock, subtests):
    """A session left alone a minute less than the bank's idle timeout goes on; a minute more, and the next click
    shows the logon screen with why (session:idle:under, session:idle:over)."""
    timeout = arrange.capabilities.get("idle_timeout_minutes", 10)
    state = arrange("user_activated")
    pc = workstation(f"{side} PC", state.admin_certificate if side == "admin" else state.user_certificate)
    status = arrange.logged_on(pc, state, side)
    with subtests.test(msg="session:idle:under"):
        server_clock.set_clock(advance_days=(timeout - 1) / (24 * 60))
        pc.page.reload()
        pc.expect_screen(type(status))
    with subtests.test(msg="session:idle:over"):
        server_clock.set_clock(advance_days=(timeout + 1) / (24 * 60))
        pc.page.reload()
        pc.expect_screen(AdminLogonPage if side == "admin" else UserLogonPage).expect_alert()
