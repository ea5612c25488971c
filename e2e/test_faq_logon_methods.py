"""The FAQ's answers about the 認証区分, told as the customer lives them (FAQ-6, 9): set up through the bank's API, the
browser for the logons the answer is about.

- FAQ-6 会社と自宅の両方で利用することは可能ですか？ — ご契約いただいた認証区分によってご利用方法が異なります。【電子証明書方式の場合】
  … 特定のパソコンにおいて１ＩＤ、１枚の発行 …【ID・パスワード方式の場合】… どこからでもご利用いただけます。
- FAQ-9 電子証明書方式とは何ですか？ — ログオン時に、お客さまご本人であることの確認を「電子証明書」による端末認証および「暗証番号」
  にて行う方式です。
"""

from __future__ import annotations

import pytest

from pages import AdminLogonPage, ContractStatusPage, LogonPinPage, OneTimePasswordPage
from pages.walkthrough import SAMPLE, logon_screen

pytestmark = pytest.mark.tls
SUPERSEDED = "同じIDで別のパソコンまたはブラウザからログオンされたため、ログオフしました。"
WRONG_PIN = "Wrong9876x"


@pytest.fixture
def password_method(arrange):
    """Skips where the server offers no ID・パスワード方式 (GET /api/capabilities: auth_methods)."""
    if "password" not in arrange.capabilities.get("auth_methods", ()):
        pytest.skip("not applicable: the server offers no ID・パスワード方式 "
                    "(GET /api/capabilities: auth_methods has no \"password\")")


@pytest.mark.faq(6)
def test_faq_6_a_password_contract_logs_on_from_the_office_and_from_home(password_method, arrange, workstation):
    """ID・パスワード方式: the administrator logs on at the office's PC and then at home, neither holding a
    certificate — the logon at home ends the office's (one ID, one open logon: FAQ 7), which says so at its next
    click. 電子証明書方式: the contract's administrator at the home PC, without the certificate, is refused — at the
    ID・パスワード方式 form and at the certificate logon alike."""
    state = arrange("activated", auth_method="password")
    number = state.contract.contract_number
    office, home = workstation("会社のPC"), workstation("自宅のPC")

    otp = logon_screen(office, "admin").password_logon(number, SAMPLE.admin_logon_pin)
    assert isinstance(otp, OneTimePasswordPage), office.describe()
    assert isinstance(otp.answer(state.contract.credential), ContractStatusPage), office.describe()

    otp = logon_screen(home, "admin").password_logon(number, SAMPLE.admin_logon_pin)
    assert isinstance(otp, OneTimePasswordPage), home.describe()
    assert isinstance(otp.answer(state.contract.credential), ContractStatusPage), home.describe()
    office.page.reload()
    office.expect_screen(AdminLogonPage).expect_alert(SUPERSEDED)
    home.page.reload()
    home.expect_screen(ContractStatusPage)
    assert office.certificates == [] and home.certificates == []

    certified = arrange("admin_certified")
    refused = logon_screen(home, "admin").password_logon_refused(certified.contract.contract_number,
                                                                 SAMPLE.admin_logon_pin)
    refused.expect_alert("電子証明書方式")
    logon_screen(home, "admin").certificate_logon().expect_no_certificate()


@pytest.mark.faq(9)
def test_faq_9_the_certificate_method_needs_the_certificate_and_the_pin(arrange, workstation):
    """電子証明書方式: without the certificate no logon (the browser has none to present); with it and a wrong PIN
    none either (暗証番号入力 refuses it); with the certificate and the right PIN, the logon."""
    state = arrange("admin_certified")

    without = workstation("電子証明書のないPC")
    logon_screen(without, "admin").certificate_logon().expect_no_certificate()

    with_certificate = workstation("管理者PC", state.admin_certificate)
    pin_page = logon_screen(with_certificate, "admin").certificate_logon().ok().grant()
    again = pin_page.enter_wrong_pin(WRONG_PIN)
    assert isinstance(again, LogonPinPage), with_certificate.describe()
    again.expect_field_error(again.pin_key)
    otp = again.enter_pin(SAMPLE.admin_logon_pin)
    assert isinstance(otp, OneTimePasswordPage), with_certificate.describe()
    assert isinstance(otp.answer(state.contract.credential), ContractStatusPage), with_certificate.describe()
