"""Negative cases: every rule of the manual's legend (A, B, C, イ … チ) is enforced on the screens.

A refused field carries its message as the field's accessible description; a refusal of the whole form is a
role=alert message. Each test asserts the screen stays where it was and says why.
"""

import re

import pytest

from pages import (ActivationCompletePage, ActivationPinsPage, AdminLogonPage, ContractStatusPage, LogonPinPage,
                   NewUser, OneTimePasswordPage, UserStatusPage)
from pages.walkthrough import SAMPLE, certificate_logon, enroll, logon_screen, open_service_top

from .flows import activated_admin, admin_logged_on, admin_with_certificate, user_with_certificate

pytestmark = pytest.mark.rules

FULL_WIDTH = re.compile("全角")
GUESSABLE = re.compile("推測")
LOCKED = re.compile("停止")
LOCKOUT_THRESHOLD = 6  # 6 consecutive wrong PINs / one-time passwords lock the ID


def _activation(pc):
    return open_service_top(pc).admin_logon().activation()


def _pins_page(pc, contract) -> ActivationPinsPage:
    return _activation(pc).enter(contract.contract_number, contract.registration_pin)


# -- A 利用者番号, C ご契約先登録用暗証番号 (I-2.2) ---------------------------------------------------------------------
@pytest.mark.step("I-2.2")
@pytest.mark.parametrize("number", ["1234567890", "123456789012", "12345abcde1", ""], ids=["10", "12", "letters", "empty"])
def test_contract_number_must_be_11_digits(pc, contract, number):
    page = _activation(pc).enter_rejected(number, contract.registration_pin)
    page.expect_field_error("activation.contract_number")


@pytest.mark.step("I-2.2")
def test_contract_number_in_full_width_digits_is_accepted(pc, contract):
    full_width = contract.contract_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert isinstance(_activation(pc).enter(full_width, contract.registration_pin), ActivationPinsPage)


@pytest.mark.step("I-2.2")
@pytest.mark.parametrize("pin", ["123", "12345", "12a4"], ids=["3", "5", "letter"])
def test_registration_pin_must_be_4_digits(pc, contract, pin):
    page = _activation(pc).enter_rejected(contract.contract_number, pin)
    page.expect_field_error("activation.registration_pin")


@pytest.mark.step("I-2.2")
def test_registration_pin_in_full_width_is_refused_saying_so(pc, contract):
    full_width = contract.registration_pin.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    page = _activation(pc).enter_rejected(contract.contract_number, full_width)
    page.expect_field_error("activation.registration_pin", FULL_WIDTH)


@pytest.mark.step("I-2.2")
def test_unknown_contract_number_is_refused(pc, operator):
    contract = operator.create_contract()
    other = str((int(contract.contract_number) + 1) % 10**11).zfill(11)
    page = _activation(pc).enter_rejected(other, contract.registration_pin)
    page.expect_field_error("activation.contract_number")


@pytest.mark.step("I-2.2")
def test_wrong_registration_pin_six_times_locks_the_contract(pc, contract):
    wrong = f"{(int(contract.registration_pin) + 1) % 10000:04d}"
    page = _activation(pc)
    for attempt in range(1, LOCKOUT_THRESHOLD):
        page = page.enter_rejected(contract.contract_number, wrong)
        page.expect_field_error("activation.registration_pin", re.compile(f"あと{LOCKOUT_THRESHOLD - attempt}回"))
    page = page.enter_rejected(contract.contract_number, wrong)
    page.expect_alert(LOCKED)
    # locked: even the right PIN no longer opens it
    page = page.enter_rejected(contract.contract_number, contract.registration_pin)
    page.expect_alert(LOCKED)


# -- イ ご契約先暗証番号, ロ ご契約先確認暗証番号, ハ Eメールアドレス (I-2.3) ------------------------------------------------
LOGON_PIN, CONFIRMATION_PIN, EMAIL = "activation.logon_pin", "activation.confirmation_pin", "activation.email"


@pytest.mark.step("I-2.3")
@pytest.mark.parametrize("pin, why", [
    ("Abc12", None),             # 5: too short
    ("Abcdefg123456", None),     # 13: too long
    ("Abcdefgh", None),          # letters only
    ("20240815", None),          # digits only
    ("Abc-1234", None),          # a symbol
    ("Ａｂｃ１２３４", FULL_WIDTH),  # full width
    ("abc123", GUESSABLE),       # plain sequences
    ("aaa111", GUESSABLE),       # repeated characters
], ids=["5-chars", "13-chars", "letters-only", "digits-only", "symbol", "full-width", "sequence", "repeated"])
def test_logon_pin_rules(pc, contract, pin, why):
    page = _pins_page(pc, contract).set_pins_rejected(pin, SAMPLE.admin_confirmation_pin, SAMPLE.admin_email)
    page.expect_field_error(LOGON_PIN, why)


@pytest.mark.step("I-2.3")
def test_pin_containing_the_contract_number_is_guessable(pc, contract):
    page = _pins_page(pc, contract).set_pins_rejected("a" + contract.contract_number, SAMPLE.admin_confirmation_pin,
                                                      SAMPLE.admin_email)
    page.expect_field_error(LOGON_PIN, GUESSABLE)


@pytest.mark.step("I-2.3")
def test_confirmation_pin_rules(pc, contract):
    page = _pins_page(pc, contract).set_pins_rejected(SAMPLE.admin_logon_pin, "Kakunin", SAMPLE.admin_email)
    page.expect_field_error(CONFIRMATION_PIN)


@pytest.mark.step("I-2.3")
def test_confirmation_pin_must_differ_from_logon_pin(pc, contract):
    page = _pins_page(pc, contract).set_pins_rejected(SAMPLE.admin_logon_pin, SAMPLE.admin_logon_pin,
                                                      SAMPLE.admin_email)
    page.expect_field_error(CONFIRMATION_PIN)


@pytest.mark.step("I-2.3")
@pytest.mark.parametrize("email", ["", "keiri.example.co.jp", "keiri@"], ids=["empty", "no-at", "no-domain"])
def test_email_required_and_valid(pc, contract, email):
    # The server's Japanese message must show next to the field: the form may not leave it to the browser's own
    # (English-or-Japanese, unlabelled) validation bubble.
    page = _pins_page(pc, contract).set_pins_rejected(SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin, email)
    page.expect_field_error(EMAIL, "Eメールアドレス")


@pytest.mark.step("I-4.4")
def test_logon_pin_is_case_sensitive(pc, contract):
    admin_with_certificate(pc, contract)
    pin_page = logon_screen(pc, "admin").certificate_logon().ok().grant()
    pin_page = pin_page.enter_wrong_pin(SAMPLE.admin_logon_pin.swapcase())
    pin_page.expect_field_error("certificate_logon.admin_pin")


@pytest.mark.step("I-4.4")
def test_wrong_logon_pin_six_times_locks_the_admin(pc, contract):
    admin_with_certificate(pc, contract)
    pin_page = logon_screen(pc, "admin").certificate_logon().ok().grant()
    for attempt in range(1, LOCKOUT_THRESHOLD):
        pin_page = pin_page.enter_wrong_pin(f"Wrong{attempt}pin")
        assert isinstance(pin_page, LogonPinPage), pin_page
        pin_page.expect_field_error("certificate_logon.admin_pin", re.compile(f"あと{LOCKOUT_THRESHOLD - attempt}回"))
    logon = pin_page.enter_wrong_pin("Wrong6pin")
    assert isinstance(logon, AdminLogonPage), logon
    logon.expect_alert(LOCKED)
    # locked: a new logon does not get as far as the PIN
    logon = logon.certificate_logon().ok().grant_refused()
    logon.expect_alert(LOCKED)


# -- B 確認用パスワード / one-time password (I-2.4, I-4.5) -------------------------------------------------------------
@pytest.mark.step("I-2.4")
def test_wrong_card_answer_is_refused_and_a_new_challenge_shown(pc, contract):
    otp = _pins_page(pc, contract).set_pins(SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin, SAMPLE.admin_email)
    otp = otp.answer_rejected(contract.card.wrong())
    otp.expect_alert(re.compile("正しくありません"))
    assert len(otp.asked_cells()) == 2
    assert isinstance(otp.answer(contract.card), ActivationCompletePage)


@pytest.mark.step("I-4.5")
def test_totp_code_is_accepted_once(pc, operator):
    """A software token's code that opened the activation does not open the logon too."""
    contract = operator.create_contract(otp="totp")
    activated_admin(pc, contract)
    used = contract.token.totp.generate_otp(contract.token.last_step)
    top = pc.open().open_corporate()
    enroll(top, "admin", contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    otp = certificate_logon(logon_screen(pc, "admin"), SAMPLE.admin_logon_pin)
    otp = otp.answer_rejected(contract.token, code=used)
    assert isinstance(otp, OneTimePasswordPage), otp
    otp.expect_field_error("one_time_password.token_code")
    assert isinstance(otp.answer(contract.token), ContractStatusPage)


@pytest.mark.step("I-4.5")
def test_wrong_one_time_password_six_times_locks_the_admin(pc, contract):
    admin_with_certificate(pc, contract)
    otp = certificate_logon(logon_screen(pc, "admin"), SAMPLE.admin_logon_pin)
    for _ in range(1, LOCKOUT_THRESHOLD):
        otp = otp.answer_rejected(contract.card.wrong())
        assert isinstance(otp, OneTimePasswordPage), otp
        otp.expect_alert()
    logon = otp.answer_rejected(contract.card.wrong())
    assert isinstance(logon, AdminLogonPage), logon
    logon.expect_alert(LOCKED)


# -- the 80-day window and one certificate per ID (I-3.3) ------------------------------------------------------------
def _admin_enrollment_form(pc, contract):
    return activated_admin(pc, contract).admin_logon().enrollment()


@pytest.mark.step("I-3.3")
def test_first_certificate_only_within_80_days_of_application(pc, operator):
    contract = operator.create_contract(applied_days_ago=81)
    form = _admin_enrollment_form(pc, contract)
    form = form.enter_rejected(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    form.expect_alert(re.compile("80日"))


@pytest.mark.step("I-3.3")
def test_certificate_on_day_79_is_still_issued(pc, operator):
    contract = operator.create_contract(applied_days_ago=79)
    form = _admin_enrollment_form(pc, contract)
    form.enter(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)


@pytest.mark.step("I-3.3")
def test_second_certificate_for_the_same_id_is_refused(pc, workstation, contract):
    admin_with_certificate(pc, contract)
    other_pc = workstation("another PC")
    form = other_pc.open().open_corporate().admin_logon().enrollment()
    form = form.enter_rejected(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    form.expect_alert(re.compile("発行済"))


@pytest.mark.step("I-3.3")
def test_enrollment_with_wrong_pins_is_refused(pc, contract):
    form = _admin_enrollment_form(pc, contract)
    form = form.enter_rejected(contract.contract_number, SAMPLE.admin_logon_pin, "Wrong1234")
    form.expect_field_error("enrollment.admin_confirmation_pin")


@pytest.mark.step("I-3.3")
def test_enrollment_before_activation_is_refused(pc, contract):
    form = open_service_top(pc).admin_logon().enrollment()
    form = form.enter_rejected(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    form.expect_alert(re.compile("開通確認"))


# -- ニ 利用者ID, ホ ヘ 仮 PINs (I-4.7) ---------------------------------------------------------------------------------
def _registration(pc, contract):
    return admin_logged_on(pc, contract).open_new_user_registration()


@pytest.mark.step("I-4.7")
def test_user_registration_rules(pc, contract):
    """利用者ID 1–30 半角英数; 仮 PINs 4–12 半角英数, different from each other; ロ must be right."""
    form = _registration(pc, contract)
    cases = [
        (NewUser("a" * 31, "山田太郎", "Kr7m4x", "Qz8w3v"), "admin_menu.user_id", None),
        (NewUser("山田", "山田太郎", "Kr7m4x", "Qz8w3v"), "admin_menu.user_id", FULL_WIDTH),
        (NewUser("yamada01", "山田太郎", "Kr7", "Qz8w3v"), "admin_menu.temporary_logon_pin", None),
        (NewUser("yamada01", "山田太郎", "Kr7m4x", "Qz8w3vQz8w3vQ"), "admin_menu.temporary_confirmation_pin", None),
        (NewUser("yamada01", "山田太郎", "Kr7m4x", "Kr7m4x"), "admin_menu.temporary_confirmation_pin", None),
        (NewUser("yamada01", "山田太郎", "1111", "Qz8w3v"), "admin_menu.temporary_logon_pin", GUESSABLE),
    ]
    for user, key, why in cases:
        form = form.register_rejected(user, SAMPLE.admin_confirmation_pin)
        form.expect_field_error(key, why)
    form = form.register_rejected(SAMPLE.user, "Wrong1234")
    form.expect_field_error("admin_menu.confirmation_pin")


# -- ト 利用者暗証番号, チ 利用者確認暗証番号 (II-2.5) -------------------------------------------------------------------
@pytest.mark.step("II-2.5")
def test_user_pin_rules(bank_admin, user_pc):
    user, _certificate = user_with_certificate(bank_admin, user_pc)
    setup = certificate_logon(logon_screen(user_pc, "user"), user.temporary_logon_pin)
    cases = [
        ("Abc12", SAMPLE.user_confirmation_pin, "user_activation.logon_pin", None),
        ("Hanakohanako", SAMPLE.user_confirmation_pin, "user_activation.logon_pin", None),  # no digit
        ("Ｈａｎａｋｏ２", SAMPLE.user_confirmation_pin, "user_activation.logon_pin", FULL_WIDTH),
        (f"{user.user_id}X", SAMPLE.user_confirmation_pin, "user_activation.logon_pin", GUESSABLE),
        (SAMPLE.user_logon_pin, SAMPLE.user_logon_pin, "user_activation.confirmation_pin", None),
        (user.temporary_logon_pin, SAMPLE.user_confirmation_pin, "user_activation.logon_pin", None),
    ]
    for logon_pin, confirmation_pin, key, why in cases:
        setup = setup.set_pins_rejected(logon_pin, confirmation_pin)
        setup.expect_field_error(key, why)
    assert isinstance(setup.set_pins(SAMPLE.user_logon_pin, SAMPLE.user_confirmation_pin), UserStatusPage)


@pytest.mark.step("II-1.3")
def test_user_enrollment_with_unknown_user_id_is_refused(bank_admin, user_pc):
    user = bank_admin.register_user()
    form = user_pc.open().open_corporate().user_logon().enrollment()
    form = form.enter_rejected(bank_admin.contract.contract_number, user.temporary_logon_pin,
                               user.temporary_confirmation_pin, user_id="nosuchuser")
    form.expect_field_error("enrollment.user_id")

