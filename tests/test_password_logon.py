"""ID・パスワード方式 (FAQ 6, 9): a contract is made for one 認証区分. A password contract logs on from any PC with no
certificate (the administrator: 利用者番号, イ and the one-time password; a user: 利用者番号, 利用者ID and ト) and
obtains no certificate; a 電子証明書方式 contract never logs on without its certificate. Both sides of each rule."""

from __future__ import annotations

import pytest

from conftest import (ADMIN_CONFIRMATION_PIN, ADMIN_PIN, OPERATOR_TOKEN, TEMP_CONFIRMATION_PIN, TEMP_PIN,
                      USER_CONFIRMATION_PIN, USER_PIN, WebClient, alert, cert_pem, field_error, h1, opened_pkcs12,
                      user_pins)
from refserver import auth, clock, issuance, lifecycle, passwordlogon
from refserver.models import Certificate, Contract, LogonSession, Principal, db
from refserver.web import new_logon

AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
PASSWORD = {"auth_method": "password"}
SUPERSEDED = "同じIDで別のパソコンまたはブラウザからログオンされたため、ログオフしました。"


def api(app, method: str, path: str, body: dict | None = None):
    return app.test_client().open(path, method=method, json=body, headers=AUTH, base_url="https://localhost")


def password_form(web: WebClient, kind: str, number: str, pin: str, user_id: str | None = None):
    """The ID・パスワード方式 form of 管理者ログオン / 利用者ログオン, submitted with no certificate presented."""
    web.present(None)
    web.get(f"/ib/{kind}/logon")
    data = {"contract_number": number, "pin": pin, **({"user_id": user_id} if user_id is not None else {})}
    return web.post(f"/ib/{kind}/logon/password", data)


def admin_password_logon(web: WebClient, contract) -> None:
    """利用者番号 + イ, then the one-time password: lands on ご契約先ステータス."""
    response = password_form(web, "admin", contract.contract_number, ADMIN_PIN)
    assert response.status_code == 302 and response.headers["Location"] == "/ib/admin/logon/otp", alert(web.html)
    web.follow(response)
    response = web.post("/ib/admin/logon/otp", contract.answers(web.html))
    assert response.headers["Location"] == "/ib/admin/status", alert(web.html)
    web.follow(response)
    assert h1(web.html) == "ご契約先ステータス"


def principal_of(app, number: str, kind: str = "admin") -> dict:
    with app.app_context():
        contract = db.session.scalar(db.select(Contract).filter_by(number=number))
        p = next(p for p in contract.principals if p.kind == kind)
        return {"failed": p.failed_attempts, "locked": p.locked_at is not None,
                "certificates": len(p.certificates), "auth_method": contract.auth_method}


def open_logons(app) -> list[LogonSession]:
    with app.app_context():
        return db.session.scalars(db.select(LogonSession).where(LogonSession.ended_at.is_(None))).all()


# -- the screens ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, fields", [("admin", ["contract_number", "pin"]),
                                          ("user", ["contract_number", "user_id", "pin"])])
def test_the_logon_screens_have_the_password_method_beside_the_certificate_method(web, kind, fields):
    web.get(f"/ib/{kind}/logon")
    assert "電子証明書方式" in web.html and "ID・パスワード方式" in web.html
    assert f'action="/ib/{kind}/logon/password"' in web.html
    for name in fields:
        assert field_error(web.html, name) is None  # the field is there, not marked
    assert ('for="user_id"' in web.html) == (kind == "user")


# -- a password contract -------------------------------------------------------------------------------------------
def test_a_password_contracts_administrator_logs_on_without_a_certificate(app, web, walk):
    contract = walk.set_up("activated", **PASSWORD)
    admin_password_logon(web, contract)
    assert web.get("/ib/admin/users").status_code == 200  # protected screens need no certificate
    [logon] = open_logons(app)
    assert logon.fingerprint is None
    assert principal_of(app, contract.contract_number) == {"failed": 0, "locked": False, "certificates": 0,
                                                           "auth_method": "password"}


def test_the_administrators_pin_alone_is_no_logon_the_one_time_password_follows(app, web, walk):
    contract = walk.set_up("activated", **PASSWORD)
    web.follow(password_form(web, "admin", contract.contract_number, ADMIN_PIN))
    assert h1(web.html) == "ワンタイムパスワード入力"
    assert web.get("/ib/admin/status").headers["Location"] == "/ib/admin/logon"
    assert open_logons(app) == []


def test_a_wrong_one_time_password_after_the_pin_counts(app, web, walk):
    contract = walk.set_up("activated", otp="totp", **PASSWORD)
    web.follow(password_form(web, "admin", contract.contract_number, ADMIN_PIN))
    right = contract.answers("")["token"]
    web.post("/ib/admin/logon/otp", {"token": "000000" if right != "000000" else "111111"})
    assert principal_of(app, contract.contract_number)["failed"] == 1
    assert open_logons(app) == []


def test_a_password_contracts_user_logs_on_then_sets_own_pins_then_logs_on_with_them(app, web, walk):
    contract = walk.set_up("user_registered", **PASSWORD)
    response = password_form(web, "user", contract.contract_number, TEMP_PIN, user_id="keiri01")
    assert response.headers["Location"] == "/ib/user/status", alert(web.html)
    web.follow(response)
    assert h1(web.html) == "利用者暗証番号設定"  # II-2.5 as today: the 仮 PINs are replaced first
    web.follow(web.post("/ib/user/activation", user_pins({"logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN})))
    assert h1(web.html) == "利用者ステータス"

    other_pc = WebClient(app)
    other_pc.follow(password_form(other_pc, "user", contract.contract_number, USER_PIN, user_id="keiri01"))
    assert h1(other_pc.html) == "利用者ステータス"
    assert principal_of(app, contract.contract_number, "user")["certificates"] == 0


@pytest.mark.parametrize("kind", ["admin", "user"])
def test_a_password_contract_obtains_no_certificate(app, web, walk, kind):
    contract = walk.set_up("user_activated", **PASSWORD)
    fields = {"contract_number": contract.contract_number, "logon_pin": ADMIN_PIN,
              "confirmation_pin": ADMIN_CONFIRMATION_PIN}
    if kind == "user":
        fields = {**fields, "user_id": "keiri01", "logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN}
    response = web.submit(f"/ib/{kind}/certificate", fields)
    assert response.status_code == 200 and h1(web.html) == "電子証明書取得"
    assert alert(web.html) == issuance.NO_CERTIFICATE_FOR_PASSWORD
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0
    assert principal_of(app, contract.contract_number, kind)["failed"] == 0  # the right PINs gave their attempt back


def test_a_certificate_contract_obtains_its_certificate_as_today(app, web, walk):
    contract = walk.set_up("activated")
    assert walk.enroll_admin(contract)
    assert principal_of(app, contract.contract_number)["certificates"] == 1


def test_a_certificate_minted_for_a_password_contract_logs_nothing_on(app, walk):
    contract = walk.set_up("activated", **PASSWORD)
    made = api(app, "POST", f"/api/contracts/{contract.contract_number}/certificates", {"user_id": None})
    pem = cert_pem(opened_pkcs12(made.get_json())[1])
    walk.web.follow(walk.permission("admin", pem))
    assert (h1(walk.web.html), alert(walk.web.html)) == (
        "管理者ログオン", "このご契約の認証区分はID・パスワード方式です。ID・パスワード方式でログオンしてください。")


# -- a certificate contract at the password form ---------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["admin", "user"])
def test_a_certificate_contract_is_refused_at_the_password_form_and_nothing_is_counted(app, web, walk, kind):
    """Refused even with the right PIN, in the words of an unknown number (no oracle of the 認証区分), and nothing
    of the ID is judged or counted: guesses from a PC without the certificate lock nobody."""
    contract = walk.set_up("user_activated")
    pin, user_id = (ADMIN_PIN, None) if kind == "admin" else (USER_PIN, "keiri01")
    for _ in range(app.config["LOCKOUT_THRESHOLD"] + 1):
        response = password_form(web, kind, contract.contract_number, pin, user_id=user_id)
        assert response.status_code == 200 and alert(web.html) == passwordlogon.NOT_RIGHT[kind]
    unknown = password_form(web, kind, "99999999999", pin, user_id=user_id)
    assert alert(web.html) == passwordlogon.NOT_RIGHT[kind] and unknown.status_code == 200
    assert principal_of(app, contract.contract_number, kind) == {"failed": 0, "locked": False, "certificates": 1,
                                                                 "auth_method": "certificate"}
    assert open_logons(app) == []
    assert "電子証明書方式" in passwordlogon.NOT_RIGHT[kind]  # the customer is told where to log on


def test_a_certificate_contracts_session_still_needs_its_certificate(app, web, walk):
    contract, pem = walk.admin_ready()
    walk.admin_logon(contract, pem)
    web.present(None)
    response = web.get("/ib/admin/status")
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert "電子証明書が提示されなかった" in alert(web.html)


def test_a_password_logon_of_a_certificate_contract_can_never_be_made(app, walk):
    certificate_contract = walk.set_up("activated")
    password_contract = walk.set_up("activated", **PASSWORD)
    with app.app_context():
        admins = {c.number: c.admin for c in db.session.scalars(db.select(Contract))}
        with pytest.raises(ValueError):
            new_logon(admins[certificate_contract.contract_number], None)
        with pytest.raises(ValueError):
            new_logon(admins[password_contract.contract_number], "f" * 64)
        assert db.session.scalar(db.select(db.func.count(LogonSession.id))) == 0


def test_a_session_of_no_certificate_on_a_certificate_contract_is_ended(app, web, walk):
    """Should a logon without certificate of a 電子証明書方式 contract ever exist, its requests are refused."""
    contract = walk.set_up("activated", **PASSWORD)
    made = api(app, "POST", f"/api/contracts/{contract.contract_number}/logons", {"user_id": None}).get_json()
    web.client.set_cookie(made["cookie"]["name"], made["cookie"]["value"], domain="localhost")
    assert web.get("/ib/admin/status").status_code == 200
    with app.app_context():
        db.session.get(Contract, db.session.scalar(db.select(Contract.id))).auth_method = "certificate"
        db.session.commit()
    web.follow(web.get("/ib/admin/status"))
    assert h1(web.html) == "管理者ログオン" and issuance.CERTIFICATE_ONLY in alert(web.html)


# -- the counters, the throttle, the stops ---------------------------------------------------------------------------
@pytest.mark.parametrize("misses, locked", [(5, False), (6, True)], ids=["N-1", "N"])
@pytest.mark.parametrize("kind", ["admin", "user"])
def test_wrong_pins_at_the_password_form_lock_at_exactly_n(app, web, walk, kind, misses, locked):
    assert app.config["LOCKOUT_THRESHOLD"] == 6
    with app.app_context():
        locked_message = auth.locked_message()
    contract = walk.set_up("user_activated", **PASSWORD)
    pin, user_id = (ADMIN_PIN, None) if kind == "admin" else (USER_PIN, "keiri01")
    for i in range(misses):
        password_form(web, kind, contract.contract_number, "Wrong1234", user_id=user_id)
        if locked and i == misses - 1:
            assert "規定回数" in alert(web.html)
        else:
            assert alert(web.html) == passwordlogon.NOT_RIGHT[kind]
    assert principal_of(app, contract.contract_number, kind)["locked"] is locked
    response = password_form(web, kind, contract.contract_number, pin, user_id=user_id)
    if locked:
        assert response.status_code == 200 and alert(web.html) == locked_message
        assert open_logons(app) == []
    else:
        assert response.status_code == 302, alert(web.html)


def test_the_password_form_is_throttled_per_client(app, web, walk):
    app.config["CLIENT_MISS_LIMIT"] = 2
    contract = walk.set_up("activated", **PASSWORD)
    for _ in range(2):
        password_form(web, "admin", "99999999999", "Wrong1234")
    response = password_form(web, "admin", contract.contract_number, ADMIN_PIN)
    assert response.status_code == 429
    assert principal_of(app, contract.contract_number)["failed"] == 0


def test_the_password_form_checks_its_fields_before_anything_is_judged(app, web, walk):
    contract = walk.set_up("user_activated", **PASSWORD)
    password_form(web, "user", "12345", "", user_id="")
    assert field_error(web.html, "contract_number") and field_error(web.html, "user_id") and field_error(web.html, "pin")
    assert principal_of(app, contract.contract_number, "user")["failed"] == 0


def test_the_password_form_needs_its_csrf_token(web, walk):
    contract = walk.set_up("activated", **PASSWORD)
    response = web.client.post("/ib/admin/logon/password", base_url="https://localhost",
                               data={"contract_number": contract.contract_number, "pin": ADMIN_PIN})
    assert response.status_code == 400
    assert "画面の有効期限が切れたか" in response.get_data(as_text=True)


@pytest.mark.parametrize("action, message", [("accident", "事故登録中"), ("cancel", "解約されています")])
def test_a_stopped_password_contract_is_refused(app, web, walk, action, message):
    contract = walk.set_up("activated", **PASSWORD)
    assert api(app, "POST", f"/api/contracts/{contract.contract_number}/{action}").status_code == 200
    response = password_form(web, "admin", contract.contract_number, ADMIN_PIN)
    assert response.status_code == 200 and message in alert(web.html)
    assert open_logons(app) == []


def test_a_password_contract_logs_on_again_once_its_accident_is_released(app, web, walk):
    contract = walk.set_up("activated", **PASSWORD)
    api(app, "POST", f"/api/contracts/{contract.contract_number}/accident")
    api(app, "POST", f"/api/contracts/{contract.contract_number}/accident/release")
    admin_password_logon(web, contract)


@pytest.mark.parametrize("action, message", [("accident", "事故登録中"), ("cancel", "解約されています")])
def test_the_next_request_of_a_password_session_after_a_stop_ends_it(app, web, walk, action, message):
    contract = walk.set_up("activated", **PASSWORD)
    admin_password_logon(web, contract)
    assert web.get("/ib/admin/status").status_code == 200
    api(app, "POST", f"/api/contracts/{contract.contract_number}/{action}")
    response = web.get("/ib/admin/status")
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert message in alert(web.html) and "ログオフしました" in alert(web.html)
    assert open_logons(app) == []


def test_a_password_session_ends_when_its_id_is_locked(app, web, walk):
    contract = walk.set_up("activated", **PASSWORD)
    admin_password_logon(web, contract)
    with app.app_context():
        admin = db.session.scalar(db.select(Principal).where(Principal.kind == "admin"))
        admin.locked_at = clock.now()
        db.session.commit()
    web.follow(web.get("/ib/admin/status"))
    assert h1(web.html) == "管理者ログオン" and "規定回数" in alert(web.html)


def test_a_deleted_password_users_session_ends_and_the_form_answers_it_as_unknown(app, web, walk):
    contract = walk.set_up("user_activated", **PASSWORD)
    web.follow(password_form(web, "user", contract.contract_number, USER_PIN, user_id="keiri01"))
    assert h1(web.html) == "利用者ステータス"
    with app.app_context():
        admin, user = (db.session.scalar(db.select(Principal).where(Principal.kind == kind)) for kind in ("admin", "user"))
        lifecycle.delete_user(admin, user)
    web.follow(web.get("/ib/user/status"))
    assert h1(web.html) == "利用者ログオン"
    assert alert(web.html) == "この利用者IDは削除されています。ログオフしました。"
    password_form(web, "user", contract.contract_number, USER_PIN, user_id="keiri01")
    assert alert(web.html) == passwordlogon.NOT_RIGHT["user"]  # as an ID never registered: nothing tells it existed
    assert open_logons(app) == []


# -- the session rules -----------------------------------------------------------------------------------------------
def test_one_password_id_one_logon_the_second_pc_ends_the_first(app, web, walk, provision):
    contract = walk.set_up("activated", **PASSWORD)
    admin_password_logon(web, contract)
    home = WebClient(app)
    admin_password_logon(home, contract)
    web.follow(web.get("/ib/admin/status"))
    assert h1(web.html) == "管理者ログオン" and SUPERSEDED in alert(web.html)
    assert home.get("/ib/admin/status").status_code == 200


@pytest.mark.parametrize("idle, ends", [(9, False), (11, True)], ids=["9-minutes", "11-minutes"])
def test_an_idle_password_logon_ends_after_the_idle_timeout(app, web, walk, idle, ends):
    contract = walk.set_up("activated", **PASSWORD)
    admin_password_logon(web, contract)
    with app.app_context():
        clock.advance(idle / (24 * 60))
    response = web.get("/ib/admin/status")
    assert (response.status_code == 302) is ends
    if ends:
        web.follow(response)
        assert "操作がなかった" in alert(web.html)


def test_logoff_ends_a_password_logon(app, web, walk):
    contract = walk.set_up("activated", **PASSWORD)
    admin_password_logon(web, contract)
    web.follow(web.post("/ib/logoff"))
    assert web.get("/ib/admin/status").headers["Location"] == "/ib/admin/logon"
    assert open_logons(app) == []


def test_the_logons_api_makes_a_password_logon_without_certificate(app, web, walk):
    contract = walk.set_up("user_activated", **PASSWORD)
    made = api(app, "POST", f"/api/contracts/{contract.contract_number}/logons", {"user_id": "keiri01"})
    assert made.status_code == 201 and made.get_json()["path"] == "/ib/user/status"
    web.client.set_cookie(made.get_json()["cookie"]["name"], made.get_json()["cookie"]["value"], domain="localhost")
    assert web.get("/ib/user/status").status_code == 200


# -- the bank's API and CLI --------------------------------------------------------------------------------------------
def test_the_api_makes_a_contract_of_either_method_and_says_which(app, provision):
    for method in ("certificate", "password"):
        response = api(app, "POST", "/api/contracts", {"auth_method": method})
        assert response.status_code == 201 and response.get_json()["auth_method"] == method
        number = response.get_json()["contract_number"]
        assert api(app, "GET", f"/api/contracts/{number}").get_json()["auth_method"] == method
    assert api(app, "POST", "/api/contracts", {}).get_json()["auth_method"] == "certificate"  # the default


def test_a_password_contract_set_up_at_user_activated_has_no_certificates(app, walk):
    contract = walk.set_up("user_activated", **PASSWORD)
    assert contract.certificates == {}


@pytest.mark.parametrize("value", ["pin", "", "PASSWORD", 1, None, ["password"], True])
def test_an_unknown_auth_method_is_refused_in_japanese_and_nothing_is_made(app, value):
    response = api(app, "POST", "/api/contracts", {"auth_method": value, "contract_number": "12345678901"})
    assert response.status_code == 400
    assert "auth_method" in response.get_json()["error"] and "認証区分" in response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Contract.id))) == 0


@pytest.mark.parametrize("at", ["admin_certified", "user_certified"])
def test_a_password_contract_is_not_set_up_at_a_certificate_point(app, walk, at):
    body = {"at": at, "auth_method": "password",
            "admin": {"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN, "email": "k@example.co.jp"}}
    if at == "user_certified":
        body["user"] = {"user_id": "keiri01", "name": "経理 花子", "temporary_logon_pin": TEMP_PIN,
                        "temporary_confirmation_pin": TEMP_CONFIRMATION_PIN}
    response = api(app, "POST", "/api/contracts", body)
    assert response.status_code == 400 and "ID・パスワード方式" in response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Contract.id))) == 0


def test_capabilities_offer_both_methods(app):
    assert api(app, "GET", "/api/capabilities").get_json()["auth_methods"] == ["certificate", "password"]


def test_the_cli_makes_a_password_contract(app):
    result = app.test_cli_runner().invoke(args=["contract", "create", "--number", "12345678901",
                                                "--auth-method", "password"])
    assert result.exit_code == 0, result.output
    assert "■認証区分 ID・パスワード方式" in result.output
    assert principal_of(app, "12345678901")["auth_method"] == "password"
    refused = app.test_cli_runner().invoke(args=["contract", "create", "--auth-method", "pin"])
    assert refused.exit_code != 0


def test_recontract_keeps_the_method(app, walk):
    contract = walk.set_up("activated", **PASSWORD)
    made = api(app, "POST", f"/api/contracts/{contract.contract_number}/recontract").get_json()
    assert made["auth_method"] == "password"
    assert principal_of(app, made["contract_number"])["auth_method"] == "password"
