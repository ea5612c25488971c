"""利用環境 and e-mail (FAQ 1, 2, 10, 16): a mobile phone is refused at every screen of the service and nothing else is;
the 推奨環境 page, linked from サービストップ, lists spec/environment.toml; the administrator's address (ハ) is required
and well-formed; a user's is optional unless the bank requires it, well-formed when given, and told of the user's
notices."""

from __future__ import annotations

from email.utils import getaddresses

import pytest

import spec
from conftest import (ADMIN_CONFIRMATION_PIN, ADMIN_PIN, OPERATOR_TOKEN, TEMP_CONFIRMATION_PIN, TEMP_PIN, Walk,
                      WebClient, alert, field_error, h1, typed_again)
from refserver import auth
from refserver.models import ActivationRequest, Contract, Principal, db

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")
PHONES = {
    "iPhone": IPHONE,
    "Android": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
               "Mobile Safari/537.36",
    "Firefox on Android": "Mozilla/5.0 (Android 14; Mobile; rv:126.0) Gecko/126.0 Firefox/126.0",
    "i-mode": "DoCoMo/2.0 P903i(c100;TB;W24H12)",
    "au": "KDDI-CA39 UP.Browser/6.2.0.13.1.5 (GUI) MMP/2.0",
    "SoftBank": "SoftBank/1.0/945SH/SHJ001 Browser/NetFront/3.5 Profile/MIDP-2.0 Configuration/CLDC-1.1",
}
PCS = {
    "Edge on Windows": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
    "Chrome on macOS": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0.0.0 Safari/537.36",
    "Android tablet": "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/126.0.0.0 Safari/537.36",  # no "Mobile": a tablet is no 携帯電話
}
NOT_AVAILABLE = "携帯電話からはご利用いただけません。"
USER_EMAIL = "hanako@example.co.jp"


def as_device(web: WebClient, user_agent: str, mobile_hint: str | None = None) -> WebClient:
    web.client.environ_base["HTTP_USER_AGENT"] = user_agent
    if mobile_hint is not None:
        web.client.environ_base["HTTP_SEC_CH_UA_MOBILE"] = mobile_hint
    return web


def refused_to_a_phone(response, html: str) -> bool:
    return (response.status_code == 403 and h1(html) == "携帯電話からのご利用について" and NOT_AVAILABLE in alert(html)
            and "<form" not in html and "<input" not in html and "<button" not in html)


# -- FAQ 1: 携帯電話からはご利用いただけません ------------------------------------------------------------------------
@pytest.mark.faq(1)
@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("path", ["/ib/", "/ib/admin/logon", "/ib/admin/activation", "/ib/user/certificate",
                                  "/ib/admin/status"])
def test_faq_1_a_mobile_phone_gets_the_not_available_page_at_every_screen(web, phone, path):
    response = as_device(web, PHONES[phone]).get(path)
    assert refused_to_a_phone(response, web.html), (response.status_code, web.html[:300])
    assert '<a href="/ib/environment">推奨環境</a>' in web.html


@pytest.mark.faq(1)
@pytest.mark.parametrize("hint, refused", [("?1", True), ("?0", False)])
def test_faq_1_the_client_hint_tells_a_phone_whatever_its_user_agent_says(web, hint, refused):
    response = as_device(web, PCS["Chrome on macOS"], hint).get("/ib/")
    assert refused_to_a_phone(response, web.html) == refused
    assert refused or h1(web.html) == "サービストップ"


@pytest.mark.faq(1)
@pytest.mark.parametrize("device", PCS)
def test_faq_1_a_pc_and_a_tablet_are_served(web, device):
    response = as_device(web, PCS[device]).get("/ib/admin/logon")
    assert response.status_code == 200 and h1(web.html) == "管理者ログオン" and "<form" in web.html


@pytest.mark.faq(1)
def test_faq_1_a_form_posted_from_a_phone_does_nothing(app, web, provision):
    """Refused before CSRF's check and before the screen: no PIN is judged, no miss counted, no flow begun."""
    contract = provision()
    for pin in ("0000", contract.registration_pin):
        response = as_device(web, IPHONE).post("/ib/admin/activation", {"contract_number": contract.contract_number,
                                                                        "registration_pin": pin})
        assert refused_to_a_phone(response, web.html)
    with app.app_context():
        admin = db.session.scalar(db.select(Contract).filter_by(number=contract.contract_number)).admin
        assert admin.failed_attempts == 0 and admin.status == "pending"
    response = as_device(web, PCS["Edge on Windows"]).get("/ib/admin/activation/pins")
    assert response.headers["Location"] == "/ib/admin/activation"  # no 開通確認 was begun


@pytest.mark.faq(1)
@pytest.mark.parametrize("path", [
    "/",  # the bank's home page: its website, not the service
    "/ib/environment",  # what to use instead
    "/api/capabilities", "/crl/issuing-ca.crl", "/static/style.css", "/staff/logon", "/healthz",
])
def test_faq_1_the_banks_website_and_own_calls_are_not_refused_to_a_phone(web, path):
    response = as_device(web, IPHONE, "?1").client.get(path, base_url="https://localhost",
                                                       headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    assert response.status_code == 200 and "携帯電話からのご利用について".encode() not in response.data


def test_the_screens_of_the_service_vary_by_device_for_any_cache(web):
    assert {"User-Agent", "Sec-CH-UA-Mobile"} <= set(as_device(web, IPHONE).get("/ib/").vary)
    assert {"User-Agent", "Sec-CH-UA-Mobile"} <= set(as_device(web, PCS["Edge on Windows"]).get("/ib/").vary)
    assert "User-Agent" not in web.get("/healthz").vary


# -- FAQ 2, 10: 推奨環境 --------------------------------------------------------------------------------------------
@pytest.mark.faq(2)
def test_faq_2_the_service_top_links_the_recommended_environment(web):
    web.get("/ib/")
    assert h1(web.html) == "サービストップ" and '<a href="/ib/environment">推奨環境</a>' in web.html


@pytest.mark.faq(2)
def test_faq_2_the_recommended_environment_lists_the_os_browsers_and_settings(web):
    response = web.get("/ib/environment")
    assert response.status_code == 200 and h1(web.html) == "推奨環境"
    environment = spec.environment()
    for region, entries in (("OS", environment.os), ("ブラウザ", environment.browsers),
                            ("パソコンの設定", environment.settings)):
        section = web.html.split(f">{region}</h2>", 1)[1].split("</section>", 1)[0]
        assert [f"<li>{entry}</li>" in section for entry in entries] == [True] * len(entries), region


@pytest.mark.faq(10)
def test_faq_10_the_recommended_environment_says_what_the_certificate_method_needs_and_what_to_do_outside_it(web):
    web.get("/ib/environment")
    certificate_method = web.html.split(">電子証明書方式をご利用の場合</h2>", 1)[1].split("</section>", 1)[0]
    assert "電子証明書を取得したパソコン以外ではログオンできません" in certificate_method
    assert "パソコンの台数分の利用者ＩＤを登録し電子証明書を取得します" in certificate_method
    unsupported = web.html.split(">推奨環境以外でご利用の場合</h2>", 1)[1].split("</section>", 1)[0]
    assert "正しくご利用いただけない場合があります" in unsupported and "推奨環境を満たすパソコンとブラウザでご利用ください" in unsupported
    assert NOT_AVAILABLE in unsupported and "ご利用環境（ＯＳ、ブラウザ等）" in unsupported


# -- FAQ 16: 電子メールアドレスをお持ちでない方は、ご利用いただくことができません ----------------------------------
@pytest.mark.faq(16)
@pytest.mark.parametrize("email, message", [
    ("", "ご契約先Eメールアドレスを入力してください。"),
    ("keiri@", "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"),
    ("keiri@@example.co.jp", "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"),
    ("keiri@example", "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"),
    ("ｋｅｉｒｉ＠example.co.jp", "全角文字は使用できません。Eメールアドレスは半角で入力してください。"),
], ids=["empty", "no-domain", "two-at", "no-dot", "full-width"])
def test_faq_16_without_a_real_address_the_administrator_is_not_activated(app, web, provision, email, message):
    """I-2.3: ハ refused, nothing is kept aside for I-2.4 and the administrator stays before 開通確認 (no logon)."""
    contract = provision()
    web.follow(web.submit("/ib/admin/activation", {"contract_number": contract.contract_number,
                                                    "registration_pin": contract.registration_pin}))
    web.post("/ib/admin/activation/pins", typed_again({"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN,
                                           "email": email}))
    assert h1(web.html) == "暗証番号・Eメールアドレス設定" and field_error(web.html, "email") == message
    with app.app_context():
        stored = db.session.scalar(db.select(Contract).filter_by(number=contract.contract_number))
        assert stored.email is None and stored.admin.status == "pending"
        assert db.session.scalar(db.select(db.func.count()).select_from(ActivationRequest)) == 0


def logged_on_admin(walk: Walk):
    contract, pem = walk.admin_ready()
    walk.admin_logon(contract, pem)
    return contract


def users(app) -> dict[str, str | None]:
    with app.app_context():
        return {user.user_id: user.email for user in db.session.scalars(db.select(Principal).filter_by(kind="user"))}


@pytest.mark.faq(16)
def test_faq_16_a_users_address_is_optional_at_user_registration(app, web, walk):
    logged_on_admin(walk)
    web.get("/ib/admin/users/new")
    assert '<label for="email">利用者Eメールアドレス</label>' in web.html and "任意（半角）" in web.html
    response = walk.register_user()
    assert response.headers["Location"] == "/ib/admin/users/registered"
    assert users(app) == {"keiri01": None}


@pytest.mark.faq(16)
def test_faq_16_a_users_address_given_is_kept_as_normalised(app, walk):
    logged_on_admin(walk)
    walk.register_user(email=" Hanako@Example.CO.JP ")
    assert users(app) == {"keiri01": "Hanako@example.co.jp"}


@pytest.mark.faq(16)
@pytest.mark.parametrize("email, message", [
    ("hanako@", "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"),
    ("hanako example.co.jp", "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"),
    ("ｈａｎａｋｏ＠example.co.jp", "全角文字は使用できません。Eメールアドレスは半角で入力してください。"),
], ids=["no-domain", "no-at", "full-width"])
def test_faq_16_a_malformed_user_address_is_refused_and_registers_nobody(app, web, walk, email, message):
    logged_on_admin(walk)
    response = walk.register_user(email=email)
    assert response.status_code == 200 and field_error(web.html, "email") == message
    assert users(app) == {}
    assert TEMP_PIN not in web.html and TEMP_CONFIRMATION_PIN not in web.html


@pytest.mark.faq(16)
def test_faq_16_the_bank_may_require_a_users_address(app, web, walk):
    """IBCERT_USER_EMAIL_REQUIRED: no address, no user; the form says so beforehand, and the API tells the suites."""
    app.config["USER_EMAIL_REQUIRED"] = True
    logged_on_admin(walk)
    web.get("/ib/admin/users/new")
    assert "必ず設定してください（半角）" in web.html
    walk.register_user()
    assert field_error(web.html, "email") == "利用者Eメールアドレスを入力してください。" and users(app) == {}
    walk.register_user(email=USER_EMAIL)
    assert users(app) == {"keiri01": USER_EMAIL}
    capabilities = app.test_client().get("/api/capabilities", headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    assert capabilities.get_json()["user_email"] == "required"


@pytest.mark.faq(16)
def test_faq_16_the_users_notices_also_go_to_the_users_address(app, walk, provision, mail):
    """A user registered with an address is told of their own certificate, as the contract's address is; a user
    without one leaves the contract's alone."""
    contract = logged_on_admin(walk)
    walk.register_user(email=USER_EMAIL)
    walk.register_user("keiri02")
    for user_id in ("keiri01", "keiri02"):
        Walk(WebClient(app), provision).enroll("user", {"contract_number": contract.contract_number,
                                                        "user_id": user_id, "logon_pin": TEMP_PIN,
                                                        "confirmation_pin": TEMP_CONFIRMATION_PIN})
    told = {user_id: mail.wait_for(lambda m, u=user_id: m["X-Ibcert-Event"] == "issued" and u in m.get_content())
            for user_id in ("keiri01", "keiri02")}
    assert [address for _, address in getaddresses([told["keiri01"]["To"]])] == ["keiri@example.co.jp", USER_EMAIL]
    assert told["keiri02"]["To"] == "keiri@example.co.jp"
    assert TEMP_PIN not in told["keiri01"].get_content()


@pytest.mark.faq(16)
def test_faq_16_a_locked_user_is_told_at_the_users_address_and_the_contracts(app, walk, mail):
    """The lock's notice names the ID and the answer that locked it, and reaches the locked user as well."""
    logged_on_admin(walk)
    walk.register_user(email=USER_EMAIL)
    app.config["LOCKOUT_THRESHOLD"] = 1
    with app.app_context():
        user = db.session.scalar(db.select(Principal).filter_by(user_id="keiri01"))
        assert auth.judge(user, lambda: False, "ログオン暗証番号").locked
    notice = mail.wait_for(lambda m: m["X-Ibcert-Event"] == "locked")
    assert [address for _, address in getaddresses([notice["To"]])] == ["keiri@example.co.jp", USER_EMAIL]
    assert "keiri01のログオン暗証番号の誤りが規定回数に達したため、ご利用を停止しました。" in notice.get_content()


@pytest.mark.faq(16)
def test_faq_16_the_administrator_changes_or_clears_a_users_address_on_its_screen(app, web, walk):
    """利用者情報変更: the address is shown to change; a malformed one (or, where the bank requires one, none) is
    refused and changes nothing; a new one, confirmed with ロ, is kept (normalised); cleared, the user has none."""
    logged_on_admin(walk)
    walk.register_user(email=USER_EMAIL)
    web.get("/ib/admin/users/keiri01")
    assert f'value="{USER_EMAIL}"' in web.html

    def change(email: str, pin: str = ADMIN_CONFIRMATION_PIN):
        return web.post("/ib/admin/users/keiri01/email", {"email": email, "confirmation_pin": pin})

    assert change("hanako@").status_code == 400
    assert field_error(web.html, "email-address") == "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"
    assert change("Hanako@Example.CO.JP", "Wrong2468x").status_code == 400 and users(app) == {"keiri01": USER_EMAIL}
    web.follow(change(" Hanako@Example.CO.JP "))
    assert "Eメールアドレスを変更しました。" in web.html and users(app) == {"keiri01": "Hanako@example.co.jp"}
    app.config["USER_EMAIL_REQUIRED"] = True
    assert change("").status_code == 400 and users(app) == {"keiri01": "Hanako@example.co.jp"}
    assert field_error(web.html, "email-address") == "利用者Eメールアドレスを入力してください。"
    app.config["USER_EMAIL_REQUIRED"] = False
    web.follow(change(""))
    assert users(app) == {"keiri01": None}
