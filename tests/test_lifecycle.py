"""The certificate's life after 電子証明書取得 and the bank's back office (FAQ 12–15, 17, 18): 失効 and the CRL,
事故登録, reissue, unlock, 解約 / 再契約, renewal, the administrator's management of users, the staff screens, the
API and CLI, the audit log and the e-mail notices."""

from __future__ import annotations

import re
import threading

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from conftest import (ADMIN_CONFIRMATION_PIN, ADMIN_PIN, OPERATOR_TOKEN, TEMP_CONFIRMATION_PIN, TEMP_PIN,
                      USER_CONFIRMATION_PIN, USER_PIN, WebClient, alert, field_error, h1, user_pins)
from refserver import clock, lifecycle
from refserver.embedded import free_port
from refserver.models import AuditEntry, Certificate, Contract, Principal, db

AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
NEW_TEMP_PIN, NEW_TEMP_CONFIRMATION_PIN = "atar9753", "atar8642q"


def api(app, method: str, path: str, body: dict | None = None):
    return app.test_client().open(path, method=method, json=body, headers=AUTH, base_url="https://localhost")


def serial_of(app, number: str, kind: str = "admin") -> str:
    data = api(app, "GET", f"/api/contracts/{number}").get_json()
    principal = next(p for p in data["principals"] if p["kind"] == kind)
    return principal["certificates"][-1]["serial"]


def crl(web) -> x509.CertificateRevocationList:
    response = web.client.get("/crl/issuing-ca.crl", base_url="https://localhost")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pkix-crl"
    return x509.load_der_x509_crl(response.data)


def audit_actions(app, number: str) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(db.select(AuditEntry).filter_by(contract_number=number)
                                                     .order_by(AuditEntry.id))]


def logged_on_admin(walk, contract, pem) -> WebClient:
    walk.admin_logon(contract, pem)
    assert h1(walk.web.html) == "ご契約先ステータス"
    return walk.web


# -- 失効 and the CRL (FAQ 12, 17) ---------------------------------------------------------------------------------
@pytest.mark.databases
def test_a_revoked_certificate_is_on_the_crl_with_its_reason(app, web, walk, mail):
    contract, pem = walk.admin_ready()
    assert crl(web).get_revoked_certificate_by_serial_number(int(serial_of(app, contract.contract_number), 16)) is None
    before = crl(web).extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    serial = serial_of(app, contract.contract_number)
    assert api(app, "POST", f"/api/contracts/{contract.contract_number}/revoke", {"serial": serial}).status_code == 200
    listed = crl(web)
    entry = listed.get_revoked_certificate_by_serial_number(int(serial, 16))
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise
    assert listed.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == before + 1
    with app.app_context():
        issuing = app.extensions["ibcert_pki"].issuing_ca.cert
    assert listed.is_signature_valid(issuing.public_key()) and listed.issuer == issuing.subject
    notice = mail.wait_for(lambda m: m["X-Ibcert-Event"] == "revoked")
    assert notice["To"] == "keiri@example.co.jp" and serial in notice.get_content()


def test_issued_certificates_name_the_crl(app, walk):
    contract = walk.set_up("admin_certified")
    cert = x509.load_pem_x509_certificate(contract.certificates["admin"].encode())
    points = cert.extensions.get_extension_for_oid(ExtensionOID.CRL_DISTRIBUTION_POINTS).value
    assert points[0].full_name[0].value == "https://localhost/crl/issuing-ca.crl"


@pytest.mark.databases
def test_revocations_racing_in_threads_all_reach_the_crl(app, walk, web):
    numbers = [walk.set_up("admin_certified").contract_number for _ in range(6)]
    serials = [serial_of(app, number) for number in numbers]

    def revoke(number, serial):
        with app.app_context():
            lifecycle.revoke(db.session.scalar(db.select(Contract).filter_by(number=number)), serial, "lost", "test")

    threads = [threading.Thread(target=revoke, args=pair) for pair in zip(numbers, serials)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    listed = crl(web)
    assert all(listed.get_revoked_certificate_by_serial_number(int(s, 16)) is not None for s in serials)


def test_revocation_ends_the_open_session_and_refuses_the_next_logon(app, walk):
    contract, pem = walk.admin_ready()
    web = logged_on_admin(walk, contract, pem)
    api(app, "POST", f"/api/contracts/{contract.contract_number}/revoke",
        {"serial": serial_of(app, contract.contract_number)})
    web.follow(web.get("/ib/admin/status"))
    assert h1(web.html) == "管理者ログオン" and "失効" in alert(web.html)
    web.follow(walk.permission("admin", pem))
    assert alert(web.html) == "この電子証明書は失効しています。"


def test_a_revocation_refused_changes_nothing(app, walk):
    contract, _ = walk.admin_ready()
    number = contract.contract_number
    assert api(app, "POST", f"/api/contracts/{number}/revoke", {"serial": "abc"}).status_code == 409
    assert api(app, "POST", f"/api/contracts/{number}/revoke", {"serial": serial_of(app, number),
                                                                   "reason": "whim"}).status_code == 409
    assert api(app, "POST", "/api/contracts/00000000000/revoke", {"serial": "1"}).status_code == 404
    response = api(app, "POST", f"/api/contracts/{number}/revoke", {})
    assert response.status_code == 400 and "serial" in response.get_json()["error"]
    assert audit_actions(app, number) == []
    serial = serial_of(app, number)
    api(app, "POST", f"/api/contracts/{number}/revoke", {"serial": serial})
    again = api(app, "POST", f"/api/contracts/{number}/revoke", {"serial": serial})
    assert again.status_code == 409 and again.get_json()["error"] == "この電子証明書は既に失効しています。"
    assert audit_actions(app, number) == ["電子証明書の失効"]


# -- 事故登録 (FAQ 12, 17) -----------------------------------------------------------------------------------------
def test_accident_stops_the_whole_contract_until_released(app, walk, mail):
    contract, user_pem = walk.user_enrolled()
    number = contract.contract_number
    admin_pem = contract.certificates["admin"]
    web = logged_on_admin(walk, contract, admin_pem)
    assert api(app, "POST", f"/api/contracts/{number}/accident").status_code == 200
    web.follow(web.get("/ib/admin/status"))
    assert h1(web.html) == "管理者ログオン" and "事故登録中" in alert(web.html)
    web.follow(walk.permission("admin", admin_pem))  # and the next logon
    assert "事故登録中" in alert(web.html)
    web.follow(walk.permission("user", user_pem))
    assert "事故登録中" in alert(web.html)
    assert mail.wait_for(lambda m: m["X-Ibcert-Event"] == "accident")
    assert api(app, "POST", f"/api/contracts/{number}/accident").status_code == 409  # twice: refused
    assert api(app, "POST", f"/api/contracts/{number}/accident/release").status_code == 200
    walk.web.present(None)
    logged_on_admin(walk, contract, admin_pem)
    assert mail.wait_for(lambda m: m["X-Ibcert-Event"] == "released")
    assert audit_actions(app, number) == ["事故登録", "事故登録の解除"]


def test_no_certificate_is_obtained_under_accident(app, web, walk):
    contract = walk.set_up("user_registered")
    api(app, "POST", f"/api/contracts/{contract.contract_number}/accident")
    web.submit("/ib/user/certificate", {"contract_number": contract.contract_number, "user_id": "keiri01",
                                        "logon_pin": TEMP_PIN, "confirmation_pin": TEMP_CONFIRMATION_PIN})
    assert "事故登録中" in alert(web.html)


# -- reissue: the administrator's by the bank, a user's by the administrator (FAQ 14, 18) --------------------------
def test_the_banks_reissue_lets_the_administrator_obtain_a_new_certificate_within_a_new_window(app, web, walk, mail):
    contract, pem = walk.admin_ready()
    number = contract.contract_number
    old = serial_of(app, number)
    assert api(app, "POST", f"/api/contracts/{number}/reissue").status_code == 200
    assert crl(web).get_revoked_certificate_by_serial_number(int(old, 16)).extensions.get_extension_for_class(
        x509.CRLReason).value.reason == x509.ReasonFlags.superseded
    assert mail.wait_for(lambda m: m["X-Ibcert-Event"] == "reissue")
    with app.app_context():
        clock.advance(81)
    web.submit("/ib/admin/certificate", {"contract_number": number, "logon_pin": ADMIN_PIN,
                                         "confirmation_pin": ADMIN_CONFIRMATION_PIN})
    assert alert(web.html) == "電子証明書の取得期間（再発行のお手続きから80日間）を過ぎています。当金庫までご連絡ください。"
    api(app, "POST", f"/api/contracts/{number}/reissue")  # a new authorisation, a new window
    new_pem = walk.enroll_admin(contract)
    assert new_pem != pem
    logged_on_admin(walk, contract, new_pem)


def test_the_administrator_reissues_a_users_certificate_with_new_provisional_pins(app, walk, mail):
    contract, user_pem = walk.user_enrolled()
    number = contract.contract_number
    web = logged_on_admin(walk, contract, contract.certificates["admin"])
    web.get("/ib/admin/users/keiri01")
    assert h1(web.html) == "利用者情報変更"
    response = web.post("/ib/admin/users/keiri01/reissue", {"temp_pin": NEW_TEMP_PIN,
                                                            "temp_confirmation_pin": NEW_TEMP_CONFIRMATION_PIN,
                                                            "confirmation_pin": ADMIN_CONFIRMATION_PIN})
    assert response.status_code == 302, field_error(web.html, "temp_pin") or alert(web.html)
    notice = mail.wait_for(lambda m: m["X-Ibcert-Event"] == "reissue").get_content()
    assert "keiri01" in notice and not any(pin in notice for pin in (NEW_TEMP_PIN, NEW_TEMP_CONFIRMATION_PIN))
    walk.web = user = WebClient(app)  # the user's own PC
    user.follow(walk.permission("user", user_pem))
    assert alert(user.html) == "この電子証明書は失効しています。"
    fields = {"contract_number": number, "user_id": "keiri01", "logon_pin": TEMP_PIN,
              "confirmation_pin": TEMP_CONFIRMATION_PIN}
    user.submit("/ib/user/certificate", fields)  # the old 仮 PINs no longer
    assert alert(user.html).startswith("利用者番号、利用者IDまたは暗証番号が正しくありません。")
    new_pem = walk.enroll("user", {**fields, "logon_pin": NEW_TEMP_PIN, "confirmation_pin": NEW_TEMP_CONFIRMATION_PIN})
    user.follow(walk.certificate_logon("user", new_pem, NEW_TEMP_PIN))
    assert h1(user.html) == "利用者暗証番号設定"  # own PINs set again (II-2.5)
    assert "利用者の電子証明書の再発行" in audit_actions(app, number)


def test_a_user_cannot_authorise_a_reissue(app, walk):
    """Only the administrator may (FAQ 14): the user's logon opens none of the administrator's screens."""
    contract, user_pem = walk.user_enrolled()
    web = walk.web
    response = walk.certificate_logon("user", user_pem, TEMP_PIN)
    web.follow(response)
    web.follow(web.post("/ib/user/activation", user_pins({"logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN})))
    assert h1(web.html) == "利用者ステータス"  # the user's own screen, with its CSRF token
    response = web.post("/ib/admin/users/keiri01/reissue", {"temp_pin": NEW_TEMP_PIN,
                                                            "temp_confirmation_pin": NEW_TEMP_CONFIRMATION_PIN,
                                                            "confirmation_pin": USER_CONFIRMATION_PIN})
    assert response.status_code == 302 and response.headers["Location"] == "/ib/admin/logon"
    with app.app_context():
        assert db.session.scalar(db.select(Certificate).filter_by(revoked_at=None).join(Principal)
                                 .filter(Principal.user_id == "keiri01")) is not None


@pytest.mark.parametrize("action, data, key", [
    ("reissue", {"temp_pin": "ab", "temp_confirmation_pin": NEW_TEMP_CONFIRMATION_PIN}, "temp_pin"),
    ("reissue", {"temp_pin": NEW_TEMP_PIN, "temp_confirmation_pin": NEW_TEMP_PIN}, "temp_confirmation_pin"),
    ("permissions", {"permissions": []}, None),
    ("permissions", {"permissions": ["残高照会", "送金の全権"]}, None),
    ("delete", {"confirmation_pin": "Wrong12345"}, "delete-confirmation_pin"),
], ids=["short-pin", "same-pins", "no-permission", "unknown-permission", "wrong-confirmation-pin"])
def test_a_refused_change_of_a_user_changes_nothing(app, walk, action, data, key):
    contract, _ = walk.user_enrolled()
    web = logged_on_admin(walk, contract, contract.certificates["admin"])
    web.get("/ib/admin/users/keiri01")
    response = web.post(f"/ib/admin/users/keiri01/{action}", {"confirmation_pin": ADMIN_CONFIRMATION_PIN, **data})
    assert response.status_code == 400 and h1(web.html) == "利用者情報変更"
    if key:
        assert field_error(web.html, key)
    else:
        assert "権限" in web.html and re.search(r'id="permissions-error">[^<]+<', web.html)
    with app.app_context():
        user = db.session.scalar(db.select(Principal).filter_by(user_id="keiri01"))
        assert user.status == "provisional" and user.permissions == ["残高照会", "振込・振替"]
        assert all(c.revoked_at is None for c in user.certificates)
    assert audit_actions(app, contract.contract_number) == []


def test_permissions_unlock_and_delete_of_a_user(app, walk):
    contract, user_pem = walk.user_enrolled()
    number = contract.contract_number
    with app.app_context():
        user = db.session.scalar(db.select(Principal).filter_by(user_id="keiri01"))
        user.locked_at, user.failed_attempts = clock.now(), 2
        db.session.commit()
    web = logged_on_admin(walk, contract, contract.certificates["admin"])
    web.get("/ib/admin/users/keiri01")
    web.follow(web.post("/ib/admin/users/keiri01/permissions", {"permissions": ["入出金明細照会"],
                                                                "confirmation_pin": ADMIN_CONFIRMATION_PIN}))
    assert "権限を変更しました。" in web.html
    web.follow(web.post("/ib/admin/users/keiri01/unlock", {"confirmation_pin": ADMIN_CONFIRMATION_PIN}))
    assert "ロックを解除しました。" in web.html
    web.follow(web.post("/ib/admin/users/keiri01/delete", {"confirmation_pin": ADMIN_CONFIRMATION_PIN}))
    assert h1(web.html) == "利用者情報登録/変更" and "keiri01" not in web.html
    with app.app_context():
        user = db.session.scalar(db.select(Principal).filter_by(user_id="keiri01"))
        assert user.permissions == ["入出金明細照会"] and user.locked_at is None and user.status == "deleted"
        assert all(c.revoked_at is not None for c in user.certificates)
    assert audit_actions(app, number) == ["権限の変更", "ロック解除", "利用者の削除"]
    assert walk.register_user("keiri01").status_code == 200  # a deleted ID is never given again
    assert field_error(web.html, "user_id") == "この利用者IDは既に登録されています。別の利用者IDを指定してください。"


# -- ロック解除 by the bank ------------------------------------------------------------------------------------------
@pytest.mark.databases
def test_the_bank_unlocks_a_locked_administrator(app, walk, mail):
    contract, pem = walk.admin_ready()
    app.config["LOCKOUT_THRESHOLD"] = 2
    web = walk.web
    for _ in range(2):
        walk.certificate_logon("admin", pem, "Wrong12345")
    web.follow(walk.permission("admin", pem))
    assert "ご利用を停止" in alert(web.html)
    notice = mail.wait_for(lambda m: m["X-Ibcert-Event"] == "locked")
    assert ADMIN_PIN not in notice.get_content() and "Wrong12345" not in notice.get_content()
    number = contract.contract_number
    assert api(app, "POST", f"/api/contracts/{number}/unlock", {"user_id": None}).status_code == 200
    logged_on_admin(walk, contract, pem)
    assert api(app, "POST", f"/api/contracts/{number}/unlock", {}).status_code == 409  # not locked any more


# -- 解約 and 再契約 (FAQ 13) ------------------------------------------------------------------------------------------
@pytest.mark.databases
def test_recontract_cancels_every_certificate_and_opens_a_new_contract(app, walk, web):
    contract, user_pem = walk.user_enrolled()
    number = contract.contract_number
    response = api(app, "POST", f"/api/contracts/{number}/recontract")
    assert response.status_code == 201
    new = response.get_json()
    assert new["contract_number"] != number and new["replaces"] == number and re.fullmatch(r"\d{4}",
                                                                                            new["registration_pin"])
    old = api(app, "GET", f"/api/contracts/{number}").get_json()
    assert old["status"] == "cancelled" and old["successor"] == new["contract_number"]
    assert all(c["revoked_at"] for p in old["principals"] for c in p["certificates"])
    web.follow(walk.permission("admin", contract.certificates["admin"]))
    assert alert(web.html) == "この電子証明書は失効しています。"
    assert api(app, "GET", f"/api/contracts/{new['contract_number']}").get_json()["status"] == "pending"
    for action in ("accident", "reissue", "cancel", "recontract"):  # a cancelled contract is over
        assert api(app, "POST", f"/api/contracts/{number}/{action}").status_code == 409
    assert audit_actions(app, number) == ["解約"]
    assert audit_actions(app, new["contract_number"]) == ["再契約（新規）"]


@pytest.mark.parametrize("action", ["cancel", "recontract"])
def test_a_cancelled_contracts_administrator_obtains_nothing_and_is_told_of_the_new_contract(app, web, walk, action):
    contract = walk.set_up("activated")
    new = api(app, "POST", f"/api/contracts/{contract.contract_number}/{action}").get_json()
    web.submit("/ib/admin/certificate", {"contract_number": contract.contract_number, "logon_pin": ADMIN_PIN,
                                         "confirmation_pin": ADMIN_CONFIRMATION_PIN})
    told = f"新しいご契約（利用者番号 {new['contract_number']}）をご利用ください。" if action == "recontract" else ""
    assert alert(web.html) == f"このご契約は解約されています。{told}"
    old = api(app, "GET", f"/api/contracts/{contract.contract_number}").get_json()
    assert [c for p in old["principals"] for c in p["certificates"]] == []


# -- renewal (FAQ 15 before the expiry) ------------------------------------------------------------------------------
@pytest.mark.parametrize("days_before_expiry, renewable", [(31, False), (30, True)])
def test_renewal_only_within_its_window(app, walk, mail, days_before_expiry, renewable):
    contract, pem = walk.admin_ready()
    with app.app_context():
        clock.advance(365 - days_before_expiry)
    web = logged_on_admin(walk, contract, pem)
    assert ("電子証明書の有効期限が近づいています。" in web.html) == renewable
    response = web.get("/ib/admin/renewal")
    if not renewable:
        web.follow(response)
        assert alert(web.html) == "電子証明書の更新は有効期限の30日前から行えます。"
        with app.app_context():
            assert len(db.session.scalars(db.select(Certificate)).all()) == 1
        return
    web.post("/ib/admin/renewal", {"confirmation_pin": ADMIN_CONFIRMATION_PIN})
    assert h1(web.html) == "電子証明書更新完了" and "インポート用パスワード" in web.html
    with app.app_context():
        old, new = db.session.scalars(db.select(Certificate).order_by(Certificate.id)).all()
        assert old.revocation_reason == "superseded" and new.revoked_at is None
    assert mail.wait_for(lambda m: m["X-Ibcert-Event"] == "renewed")
    web.follow(web.get("/ib/admin/status"))  # this logon was made with the old one
    assert h1(web.html) != "ご契約先ステータス"


def test_renewal_with_a_wrong_confirmation_pin_issues_nothing(app, walk):
    contract, pem = walk.admin_ready()
    with app.app_context():
        clock.advance(340)
    web = logged_on_admin(walk, contract, pem)
    web.get("/ib/admin/renewal")
    web.post("/ib/admin/renewal", {"confirmation_pin": "Wrong12345"})
    assert h1(web.html) == "電子証明書の更新" and field_error(web.html, "confirmation_pin")
    with app.app_context():
        assert len(db.session.scalars(db.select(Certificate)).all()) == 1


# -- the staff screens ----------------------------------------------------------------------------------------------
@pytest.fixture
def staff(app):
    assert api(app, "POST", "/api/staff", {"login": "suzuki", "name": "鈴木 一郎",
                                           "password": "Honten2026pass"}).status_code == 201
    client = WebClient(app)
    client.submit("/staff/logon", {"login": "suzuki", "password": "Honten2026pass"})
    return client


def test_staff_screens_need_a_staff_logon(app, web):
    response = web.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/logon"
    api(app, "POST", "/api/staff", {"login": "suzuki", "name": "鈴木", "password": "Honten2026pass"})
    for login, password in (("suzuki", "Honten2026xxxx"), ("nobody", "Honten2026pass")):
        web.submit("/staff/logon", {"login": login, "password": password})
        assert alert(web.html) == "職員IDまたはパスワードが正しくありません。"
    assert api(app, "POST", "/api/staff", {"login": "suzuki", "name": "x", "password": "Honten2026pass"}
               ).status_code == 409
    assert api(app, "POST", "/api/staff", {"login": "sato", "name": "x", "password": "short1"}).status_code == 400


def test_staff_revoke_and_accident_on_screen_are_audited_with_their_id(app, walk, staff):
    contract, pem = walk.admin_ready()
    number = contract.contract_number
    staff.follow(staff.get(f"/staff/?number={number}"))
    assert h1(staff.html) == "ご契約の状況"
    serial = serial_of(app, number)
    staff.follow(staff.post(f"/staff/contracts/{number}/revoke", {"serial": serial}))
    assert "電子証明書を失効しました。" in staff.html and "失効（" in staff.html
    staff.follow(staff.post(f"/staff/contracts/{number}/accident"))
    assert "事故登録中" in staff.html
    staff.get("/staff/audit")
    assert "職員 suzuki" in staff.html and "電子証明書の失効" in staff.html
    with app.app_context():
        actors = {e.actor for e in db.session.scalars(db.select(AuditEntry).filter_by(contract_number=number))}
    assert actors == {"職員 suzuki"}


def test_staff_recontract_shows_the_new_card_once(app, walk, staff):
    contract, _ = walk.admin_ready()
    staff.get(f"/staff/contracts/{contract.contract_number}")
    response = staff.post(f"/staff/contracts/{contract.contract_number}/recontract")
    assert response.status_code == 200 and h1(staff.html) == "再契約完了"
    new_number = re.search(r"<dt>新しい利用者番号</dt><dd>(\d{11})</dd>", staff.html).group(1)
    assert api(app, "GET", f"/api/contracts/{new_number}").get_json()["status"] == "pending"


def test_staff_search_refuses_malformed_and_unknown_numbers(staff):
    staff.get("/staff/?number=12345")
    assert "11桁" in field_error(staff.html, "number")
    staff.get("/staff/?number=00000000000")
    assert "見つかりません" in field_error(staff.html, "number")


# -- the CLI ---------------------------------------------------------------------------------------------------------
def test_the_cli_revokes_and_shows(app, walk):
    contract, _ = walk.admin_ready()
    number, serial = contract.contract_number, serial_of(app, contract.contract_number)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["contract", "revoke", number, serial])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["contract", "show", number])
    assert f"{serial}  失効" in result.output and "(keyCompromise)" in result.output
    result = runner.invoke(args=["contract", "revoke", number, serial])
    assert result.exit_code != 0 and "既に失効" in result.output
    assert runner.invoke(args=["contract", "audit", number]).output.count("電子証明書の失効") == 1


# -- notices ---------------------------------------------------------------------------------------------------------
def test_a_certificate_issued_on_screen_is_told_without_any_pin(app, walk, mail):
    contract = walk.activate_admin()
    walk.enroll_admin(contract)
    notice = mail.wait_for(lambda m: m["X-Ibcert-Event"] == "issued")
    body = notice.get_content()
    assert notice["To"] == "keiri@example.co.jp" and contract.contract_number in body
    assert not any(secret in body for secret in (ADMIN_PIN, ADMIN_CONFIRMATION_PIN, contract.registration_pin))
    assert "暗証番号をお尋ねすることはございません" in body


def test_a_mail_server_that_is_down_does_not_stop_the_action(app, walk):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens
    contract, _ = walk.admin_ready()
    number = contract.contract_number
    assert api(app, "POST", f"/api/contracts/{number}/accident").status_code == 200
    assert api(app, "GET", f"/api/contracts/{number}").get_json()["status"] == "accident"


# -- CSRF on every new form --------------------------------------------------------------------------------------------
def test_every_form_of_the_back_office_and_the_users_screens_refuses_a_missing_token(app, walk, staff):
    contract, _ = walk.user_enrolled()
    number = contract.contract_number
    admin = logged_on_admin(walk, contract, contract.certificates["admin"])
    forms = [(staff, f"/staff/contracts/{number}/{action}") for action in ("accident", "cancel", "recontract")]
    forms += [(staff, "/staff/logoff"), (WebClient(app), "/staff/logon")]
    forms += [(admin, f"/ib/admin/users/keiri01/{action}") for action in ("permissions", "reissue", "delete")]
    forms += [(admin, "/ib/admin/renewal")]
    for client, path in forms:
        response = client.client.post(path, data={"confirmation_pin": ADMIN_CONFIRMATION_PIN},
                                      base_url="https://localhost", headers={"Referer": "https://localhost" + path})
        assert response.status_code == 400, path
    state = api(app, "GET", f"/api/contracts/{number}").get_json()
    assert state["status"] == "active" and all(p["status"] != "deleted" for p in state["principals"])
