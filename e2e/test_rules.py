"""The manual's rules beyond the legend's formats (those are e2e/test_legend.py): who may obtain a certificate and
when (the 80-day window from both sides, one certificate per ID, 開通確認 first), IDs that do not exist, PINs the
user may not choose, and one-time passwords that work once."""

import re

import pytest
from playwright.sync_api import expect

from pages import ActivationCompletePage, ContractStatusPage, OneTimePasswordPage, UserStatusPage
from pages.walkthrough import SAMPLE, certificate_logon, logon_screen

from .positions import activation_at

pytestmark = pytest.mark.rules


# -- A 利用者番号 (I-2.2) -----------------------------------------------------------------------------------------------
@pytest.mark.step("I-2.2")
def test_unknown_contract_number_is_refused(pc, arrange):
    contract = arrange().contract
    other = str((int(contract.contract_number) + 1) % 10**11).zfill(11)
    page = logon_screen(pc, "admin").activation().enter_rejected(other, contract.registration_pin)
    page.expect_alert()


# -- B 確認用パスワード / one-time passwords (I-2.4, I-4.5) ----------------------------------------------------------------
@pytest.mark.step("I-2.4")
def test_wrong_card_answer_is_refused_and_a_new_challenge_shown(pc, arrange):
    state = arrange()
    contract = state.contract
    otp = activation_at(arrange, pc, state, 4).answer_rejected(contract.card.wrong())
    otp.expect_alert(re.compile("正しくありません"))
    assert len(otp.asked_cells()) == 2
    assert isinstance(otp.answer(contract.card), ActivationCompletePage)


@pytest.mark.step("I-4.5")
def test_totp_code_is_accepted_once(arrange, workstation):
    """A software token's code that opened one logon does not open the next."""
    state = arrange("admin_certified", otp="totp")
    pc = workstation("管理者PC", state.admin_certificate)
    token = state.contract.token
    otp = certificate_logon(logon_screen(pc, "admin"), SAMPLE.admin_logon_pin)
    assert isinstance(otp.answer(token), ContractStatusPage)
    used = token.totp.generate_otp(token.last_step)
    otp = certificate_logon(logon_screen(pc, "admin"), SAMPLE.admin_logon_pin)
    otp = otp.answer_rejected(token, code=used)
    assert isinstance(otp, OneTimePasswordPage), otp
    otp.expect_field_error("one_time_password.token_code")
    assert isinstance(otp.answer(token), ContractStatusPage)


# -- the 80-day window, one certificate per ID, 開通確認 first (I-3.3) --------------------------------------------------
@pytest.mark.step("I-3.3")
@pytest.mark.parametrize("days, issued", [(80, True), (81, False)], ids=["day-80", "day-81"])
def test_first_certificate_only_within_80_days_of_application(pc, arrange, days, issued):
    """電子証明書の取得できる期間は当金庫に利用申込を行ってから 80 日間です。: day 80 is still in, day 81 is out."""
    contract = arrange("activated", applied_days_ago=days).contract
    form = logon_screen(pc, "admin").enrollment()
    if issued:
        form.enter(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
        return
    form = form.enter_rejected(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    form.expect_alert(re.compile("80日"))


@pytest.mark.step("I-3.3")
def test_second_certificate_for_the_same_id_is_refused(pc, arrange):
    """※電子証明書を取得したパソコン以外では管理者ログオンできません: one ID, one certificate, one PC."""
    contract = arrange("admin_certified").contract
    form = logon_screen(pc, "admin").enrollment()
    form = form.enter_rejected(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    form.expect_alert(re.compile("発行済"))


@pytest.mark.step("I-3.3")
def test_enrollment_before_activation_is_refused(pc, arrange):
    contract = arrange().contract
    form = logon_screen(pc, "admin").enrollment()
    form = form.enter_rejected(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    form.expect_alert(re.compile("開通確認"))


# -- ニ 利用者ID (II-1.3), ト チ the user's own PINs (II-2.5) ---------------------------------------------------------------
@pytest.mark.step("II-1.3")
def test_user_enrollment_with_unknown_user_id_is_refused(user_pc, arrange):
    state = arrange("user_registered")
    form = logon_screen(user_pc, "user").enrollment()
    form = form.enter_rejected(state.contract.contract_number, state.user.temporary_logon_pin,
                               state.user.temporary_confirmation_pin, user_id="nosuchuser")
    form.expect_alert()


@pytest.mark.step("II-2.5")
def test_user_pins_the_user_may_not_choose(arrange, workstation):
    """ト must not contain the 利用者ID (guessable), must differ from チ, and must not stay the 仮 one; typed again
    differently, it is refused; with a wrong ヘ (its case changed: one miss), nothing is set."""
    state = arrange("user_certified")
    user = state.user
    pc = workstation("利用者PC", state.user_certificate)
    setup = certificate_logon(logon_screen(pc, "user"), user.temporary_logon_pin)
    for logon_pin, confirmation_pin, key in [
        (f"{user.user_id}X", SAMPLE.user_confirmation_pin, "user_activation.logon_pin"),
        (SAMPLE.user_logon_pin, SAMPLE.user_logon_pin, "user_activation.confirmation_pin"),
        (user.temporary_logon_pin, SAMPLE.user_confirmation_pin, "user_activation.logon_pin"),
    ]:
        setup = setup.set_pins_rejected(logon_pin, confirmation_pin, user.temporary_confirmation_pin)
        setup.expect_field_error(key)
    if setup.again("user_activation.logon_pin").count():  # 確認のため再入力, where the server asks (the manual doesn't)
        setup.fill({"user_activation.logon_pin": SAMPLE.user_logon_pin,
                    "user_activation.confirmation_pin": SAMPLE.user_confirmation_pin})
        setup.again("user_activation.logon_pin").fill(SAMPLE.user_logon_pin.swapcase())
        setup = setup._again(setup.clicking("user_activation.next_button"))
        expect(setup.again("user_activation.logon_pin")).to_have_accessible_description(re.compile(r"\S"))
    if setup.field("user_activation.temporary_confirmation_pin").count():  # ヘ: a wrong one is refused (a miss)
        setup = setup.set_pins_rejected(SAMPLE.user_logon_pin, SAMPLE.user_confirmation_pin,
                                        user.temporary_confirmation_pin.swapcase())
        setup.expect_field_error("user_activation.temporary_confirmation_pin")
    assert isinstance(setup.set_pins(SAMPLE.user_logon_pin, SAMPLE.user_confirmation_pin,
                                     user.temporary_confirmation_pin), UserStatusPage)
