"""利用環境 and e-mail as the customer meets them (FAQ-1, 2, 10, 16): a mobile phone — Playwright's device descriptors,
or a browser's client hint — is shown that the service is not for phones, and no form; サービストップ links the
推奨環境 (spec/environment.toml), which says what the certificate method needs and what to do outside it; the
administrator does not get past I-2.3 without a real address; a user's address is optional (unless the bank requires
it, GET /api/capabilities: user_email) and gets the user's notices.

Against a vendor's server the user's address is tested only where its capabilities name it (the manual has no such
field), and the notices only where the suite reads the mail (the `mailbox` fixture).
"""

from __future__ import annotations

from dataclasses import replace
from email.utils import getaddresses

import pytest
from playwright.sync_api import expect

import spec
from pages import ContractStatusPage, OneTimePasswordPage, UserRegisteredPage
from pages.admin import NewUser
from pages.environment import MobilePhonePage, RecommendedEnvironmentPage
from pages.walkthrough import SAMPLE, enroll, open_service_top

from .positions import activation_at

PHONES = ("iPhone 13", "Pixel 7")
SCREENS = ("/ib/", "/ib/admin/logon", "/ib/user/certificate")  # a menu, a logon, a form
USER = NewUser("yamada01", "山田太郎", "Kr7m4x", "Qz8w3v", email="yamada@example.co.jp")
WITHOUT_EMAIL = NewUser("suzuki01", "鈴木一郎", "Kr7m4y", "Qz8w3u")


def registration(arrange, admin_pc, state):
    """利用者情報新規登録 of a fresh logon of the administrator (I-4.6's way there)."""
    status = arrange.logged_on(admin_pc, state, "admin")
    assert isinstance(status, ContractStatusPage)
    return status.open_new_user_registration()


def expect_not_available(pc) -> MobilePhonePage:
    shown = pc.expect_screen(MobilePhonePage)
    expect(shown.message()).to_be_visible()
    for control in shown.controls():
        expect(control).to_have_count(0)
    return shown


def expect_recommended_environment(page: RecommendedEnvironmentPage) -> None:
    environment = spec.environment()
    assert page.listed("environment.os") == list(environment.os)
    assert page.listed("environment.browsers") == list(environment.browsers)
    assert page.listed("environment.settings") == list(environment.settings)


@pytest.fixture(params=PHONES)
def phone(request, playwright):
    """A mobile phone: a PC whose browser contexts are made by Playwright's device descriptor (user agent, viewport,
    touch, is_mobile) — pytest-playwright's browser_context_args marker, set before the `workstation` fixture makes
    its contexts, as --device does for a whole run."""
    descriptor = {key: value for key, value in playwright.devices[request.param].items()
                  if key != "default_browser_type"}
    request.node.add_marker(pytest.mark.browser_context_args(**descriptor))
    return request.getfixturevalue("workstation")(request.param)


@pytest.mark.faq(1)
def test_faq_1_a_mobile_phone_gets_the_not_available_page(phone):
    """携帯電話でも利用できますか？ — 携帯電話からはご利用いただけません。 The bank's home page opens on the phone; its
    link to the service, and each screen of the service opened at its address, show that instead, with no form; the
    推奨環境 it links tells what to use."""
    home = phone.open()
    home.clicking("bank_home.corporate_link")()
    expect_not_available(phone)
    for path in SCREENS:
        assert phone.goto(path).status == 403
        shown = expect_not_available(phone)
    expect_recommended_environment(shown.recommended_environment())


@pytest.mark.faq(1)
def test_faq_1_a_browser_whose_client_hint_says_mobile_gets_the_not_available_page(workstation):
    """Sec-CH-UA-Mobile: ?1, whatever the User-Agent says."""
    phone = workstation("携帯電話（Client Hints）", context={"extra_http_headers": {"Sec-CH-UA-Mobile": "?1"}})
    phone.goto("/ib/admin/activation")
    expect_not_available(phone)


@pytest.mark.faq(2)
def test_faq_2_the_service_top_links_the_recommended_environment(pc):
    """パソコンの機種やＯＳ、ブラウザソフトの指定はありますか？ — 「別紙２ 推奨環境とパソコンの設定について」参照: the
    推奨環境 page, from サービストップ, lists the OS, the browsers and the settings."""
    expect_recommended_environment(pc.open().open_corporate().recommended_environment())


@pytest.mark.faq(10)
def test_faq_10_the_recommended_environment_tells_what_the_certificate_method_needs(pc, wording):
    """電子証明書方式を利用したいのですが、利用できるパソコンに制限はありますか？ — the 推奨環境 page says the certificate
    stays on the PC that obtained it (one ID, one certificate, one PC), and what to do outside the 推奨環境."""
    page = pc.open().open_corporate().recommended_environment()
    expect(page.region("environment.certificate_method")).to_contain_text("電子証明書を取得したパソコン以外ではログオンできません")
    expect(page.region("environment.certificate_method")).to_contain_text("パソコンの台数分の利用者ＩＤ")
    unsupported = page.region("environment.unsupported")
    expect(unsupported).to_contain_text("推奨環境を満たすパソコンとブラウザでご利用ください")
    expect(unsupported).to_contain_text(wording["environment.mobile_message"])


@pytest.mark.faq(16)
def test_faq_16_without_a_real_address_the_administrator_does_not_get_past_i_2_3(arrange, pc):
    """電子メールアドレスを持っていないのですが利用は可能ですか？ — ご利用いただくことができません: I-2.3 refuses an empty
    or malformed ハ, and goes on with a real one."""
    state = arrange()
    pins = activation_at(arrange, pc, state, 3)
    for email in ("", "keiri@", "keiri.example.co.jp"):
        pins = pins.set_pins_rejected(SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin, email)
        pins.expect_field_error("activation.email")
    assert isinstance(pins.set_pins(SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin, SAMPLE.admin_email),
                      OneTimePasswordPage)


@pytest.mark.faq(16)
def test_faq_16_a_users_address_is_optional_and_gets_the_users_notices(arrange, workstation, mailbox):
    """I-4.7 with the user's own address: a malformed one is refused; a user without one is registered unless the bank
    requires one, and is given one later on 利用者情報変更 (a malformed one refused there too); the user's
    certificate, obtained on the user's PC, is told to the user's address too."""
    kind = arrange.capabilities.get("user_email")
    if kind is None:
        pytest.skip("not applicable: the server has no user e-mail address (GET /api/capabilities: user_email)")
    state = arrange("admin_certified")
    admin_pc = workstation("管理者PC", state.admin_certificate)
    form = registration(arrange, admin_pc, state)
    form = form.register_rejected(replace(USER, email="yamada@"), SAMPLE.admin_confirmation_pin)
    form.expect_field_error("admin_menu.user_email")
    assert isinstance(form.register(USER, SAMPLE.admin_confirmation_pin), UserRegisteredPage)
    form = registration(arrange, admin_pc, state)
    if kind == "required":
        form.register_rejected(WITHOUT_EMAIL, SAMPLE.admin_confirmation_pin).expect_field_error("admin_menu.user_email")
    else:
        assert isinstance(form.register(WITHOUT_EMAIL, SAMPLE.admin_confirmation_pin), UserRegisteredPage)
        detail = arrange.logged_on(admin_pc, state, "admin").management().users().user(WITHOUT_EMAIL.user_id)
        detail = detail.change_email("suzuki@", SAMPLE.admin_confirmation_pin)
        detail.expect_field_error("admin_menu.user_email")
        detail = detail.change_email("suzuki@example.co.jp", SAMPLE.admin_confirmation_pin)
        expect(detail.field("admin_menu.user_email")).to_have_value("suzuki@example.co.jp")
    enroll(open_service_top(workstation("利用者PC")), "user", state.contract.contract_number,
           USER.temporary_logon_pin, USER.temporary_confirmation_pin, user_id=USER.user_id)
    if mailbox is not None:
        notice = mailbox.wait_for(lambda m: m["X-Ibcert-Event"] == "issued" and USER.user_id in m.get_content()
                                  and state.contract.contract_number in m.get_content())
        assert [address for _, address in getaddresses([notice["To"]])] == [SAMPLE.admin_email, USER.email]
