"""I.3 and II.1 電子証明書取得: I-3.3 … I-3.8 (administrator), II-1.1 … II-1.8 (user), and their refusals."""

import base64
import datetime as dt
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import (ADMIN_CONFIRMATION_PIN, ADMIN_PIN, TEMP_CONFIRMATION_PIN, TEMP_PIN, alert, field_error, h1,
                      load_pkcs12)
from refserver import clock, lifecycle
from refserver.models import Certificate, Contract, Principal, db


def admin_fields(contract, **overrides):
    return {"contract_number": contract.contract_number, "logon_pin": ADMIN_PIN,
            "confirmation_pin": ADMIN_CONFIRMATION_PIN, **overrides}


def certificates(app):
    with app.app_context():
        return [(c.principal.kind, c.principal.user_id, c.serial, c.fingerprint)
                for c in db.session.scalars(db.select(Certificate))]


def dialog(html, name):
    """The in-page dialog named *name* (its labelling heading), or None."""
    match = re.search(r'<dialog open class="dialog" aria-labelledby="([^"]+)">\s*<h2 id="\1" class="dialog-title">(.*?)</h2>(.*?)</dialog>', html, re.S)
    return match.group(3) if match and match.group(2) == name else None


def to_step(web, kind, fields, step):
    """Go from I-3.3 to the screen of *step* (confirm, security, issue, install)."""
    web.follow(web.submit(f"/ib/{kind}/certificate", fields))
    for current, answer in (("confirm", {"answer": "yes"}), ("security", {}), ("issue", {})):
        if current == step:
            return
        web.follow(web.post(f"/ib/{kind}/certificate/{current}", answer))


def test_I_3_1_and_I_3_2_service_top_to_admin_logon_to_enrollment(web):
    web.get("/ib/")
    assert 'href="/ib/admin/logon">管理者ログオン</a>' in web.html
    web.get("/ib/admin/logon")
    assert '<a href="/ib/admin/certificate">電子証明書取得</a>' in web.html


def test_I_3_3_admin_form(web):
    web.get("/ib/admin/certificate")
    assert h1(web.html) == "電子証明書取得"
    for name, label in (("contract_number", "利用者番号"), ("logon_pin", "ご契約先暗証番号"), ("confirmation_pin", "ご契約先確認暗証番号")):
        assert f'<label for="{name}">{label}</label>' in web.html
    assert 'for="user_id"' not in web.html


def test_I_3_4_confirm_dialog_after_the_right_pins(web, walk):
    contract = walk.activate_admin()
    to_step(web, "admin", admin_fields(contract), "confirm")
    assert h1(web.html) == "電子証明書取得"
    body = dialog(web.html, "電子証明書の取得")
    assert '>はい</button>' in body and '>いいえ</button>' in body


def test_I_3_5_security_dialog_shows_level_medium(web, walk):
    contract = walk.activate_admin()
    to_step(web, "admin", admin_fields(contract), "security")
    body = dialog(web.html, "セキュリティレベルの確認")
    assert "セキュリティレベル：中" in body and '<button type="submit">OK</button>' in body


def test_I_3_6_issuing_screen(web, walk):
    contract = walk.activate_admin()
    to_step(web, "admin", admin_fields(contract), "issue")
    assert h1(web.html) == "電子証明書発行"
    assert "電子証明書の発行処理が始まります。" in web.html
    assert '<button type="submit">発行</button>' in web.html


def test_I_3_7_install_dialog(app, web, walk):
    contract = walk.activate_admin()
    to_step(web, "admin", admin_fields(contract), "install")
    assert h1(web.html) == "電子証明書発行"
    body = dialog(web.html, "証明書のインストール")
    assert '>はい</button>' in body and '>いいえ</button>' in body
    assert certificates(app) == []  # nothing is issued before the last はい


def test_I_3_8_issues_a_pkcs12_once_with_a_one_time_password(app, web, walk):
    contract = walk.activate_admin()
    walk.enroll_admin(contract)
    assert h1(web.html) == "電子証明書取得完了"
    assert "電子証明書の取得が完了しました。" in web.html
    link = re.search(r'<a class="tile" href="data:application/x-pkcs12;base64,([^"]+)" download="([^"]+)"', web.html)
    assert link.group(2) == f"ibcert-{contract.contract_number}-管理者.p12"
    cert, key, chain, password = load_pkcs12(web.html)
    assert re.fullmatch(r"[A-HJ-NP-Za-km-z2-9]{12}", password)  # read off the screen: no 0/O, 1/l/I to mix up
    # the name the PC's certificate store shows after the import
    friendly = pkcs12.load_pkcs12(base64.b64decode(link.group(1)), password.encode()).cert.friendly_name
    assert friendly == f"めぐるビジネス {contract.contract_number} 管理者".encode()
    assert cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])
    # the names 証明書の選択 shows the customer (発行先, 発行者): the manual's words and the bank's, no developer's
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == f"{contract.contract_number} 管理者"
    assert cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "目黒信用金庫 電子証明書発行局"
    assert cert.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "目黒信用金庫"
    assert dt.timedelta(days=364) < cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=366)
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    [(kind, user_id, serial, fingerprint)] = certificates(app)
    assert kind == "admin" and serial == f"{cert.serial_number:x}"
    from cryptography.hazmat.primitives import hashes
    assert fingerprint == cert.fingerprint(hashes.SHA256()).hex()


def test_I_3_8_the_private_key_is_never_stored(app, web, walk, tmp_path):
    contract = walk.activate_admin()
    walk.enroll_admin(contract)
    cert, key, chain, password = load_pkcs12(web.html)
    secret = key.private_numbers().private_value.to_bytes(32, "big")
    with app.app_context():
        db.session.execute(db.text("PRAGMA wal_checkpoint(FULL)"))
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("ibcert.db*"))
    assert secret not in stored and password.encode() not in stored


@pytest.mark.parametrize("revoked", [False, True], ids=["valid", "revoked-meanwhile"])
def test_I_3_8_the_completion_is_not_cached_and_not_repeatable(app, web, walk, revoked):
    """The flow ends with the file: a reload of the completion screen issues nothing, even when the certificate was
    revoked meanwhile (so the one-per-ID rule would not stop it)."""
    contract = walk.activate_admin()
    walk.enroll_admin(contract)
    if revoked:
        with app.app_context():
            db.session.scalar(db.select(Certificate)).revoked_at = clock.now()
            db.session.commit()
    web.get("/ib/admin/certificate")  # for a CSRF token, as the reloaded form would carry
    response = web.post("/ib/admin/certificate/install", {"answer": "yes"})  # reload of the completion screen
    assert response.headers["Location"] == "/ib/admin/certificate"
    web.follow(response)
    assert "最初からやり直してください" in alert(web.html)
    assert len(certificates(app)) == 1


@pytest.mark.parametrize("minutes, goes_on", [(14, True), (16, False)])
def test_I_3_the_prompts_expire_15_minutes_after_the_pins_by_the_app_clock(app, web, walk, minutes, goes_on):
    contract = walk.activate_admin()
    to_step(web, "admin", admin_fields(contract), "confirm")
    with app.app_context():
        clock.advance(minutes / (24 * 60))
    response = web.post("/ib/admin/certificate/confirm", {"answer": "yes"})
    assert response.headers["Location"] == ("/ib/admin/certificate/security" if goes_on else "/ib/admin/certificate")


def test_I_3_8_certificate_validity_is_configurable(app, web, walk):
    app.config["CERT_VALIDITY_DAYS"] = 30
    contract = walk.activate_admin()
    walk.enroll_admin(contract)
    cert = load_pkcs12(web.html)[0]
    assert dt.timedelta(days=29) < cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=31)


@pytest.mark.parametrize("step, answer, message", [
    ("confirm", {"answer": "no"}, "電子証明書の取得を中止しました。電子証明書は発行されていません。"),
    ("install", {"answer": "no"}, "電子証明書のインストールを中止しました。電子証明書は発行されていません。"),
])
def test_I_3_no_at_a_dialog_cancels_and_issues_nothing(app, web, walk, step, answer, message):
    contract = walk.activate_admin()
    to_step(web, "admin", admin_fields(contract), step)
    response = web.post(f"/ib/admin/certificate/{step}", answer)
    assert response.headers["Location"] == "/ib/admin/certificate"
    web.follow(response)
    assert alert(web.html) == message
    assert certificates(app) == []


@pytest.mark.parametrize("step", ["confirm", "security", "issue", "install"])
def test_I_3_skipping_steps_is_refused(app, web, walk, step):
    web.get("/ib/admin/certificate")
    response = web.post(f"/ib/admin/certificate/{step}", {"answer": "yes"})
    assert response.headers["Location"] == "/ib/admin/certificate"
    web.follow(response)
    assert "最初からやり直してください" in alert(web.html)
    assert certificates(app) == []


def test_I_3_a_user_flow_cannot_finish_as_administrator(app, web, walk):
    contract = walk.activate_admin()
    to_step(web, "admin", admin_fields(contract), "install")
    assert web.post("/ib/user/certificate/install", {"answer": "yes"}).headers["Location"] == "/ib/user/certificate"
    assert certificates(app) == []


def test_I_3_3_before_activation_is_refused(web, provision):
    contract = provision()
    web.submit("/ib/admin/certificate", admin_fields(contract))
    assert alert(web.html) == "利用者番号または暗証番号が正しくありません。開通確認がお済みでない場合は、先に開通確認を行ってください。"


def test_I_3_3_wrong_pin_counts_towards_lockout(app, web, walk):
    contract = walk.activate_admin()
    web.submit("/ib/admin/certificate", admin_fields(contract, confirmation_pin="Wrong1234x"))
    assert alert(web.html) == "利用者番号または暗証番号が正しくありません。開通確認がお済みでない場合は、先に開通確認を行ってください。"
    assert f'value="{contract.contract_number}"' in web.html
    with app.app_context():
        assert db.session.scalar(db.select(Principal.failed_attempts).filter_by(kind="admin")) == 1


def test_I_3_3_pins_are_case_sensitive(web, walk):
    contract = walk.activate_admin()
    web.submit("/ib/admin/certificate", admin_fields(contract, logon_pin=ADMIN_PIN.swapcase()))
    assert alert(web.html) == "利用者番号または暗証番号が正しくありません。開通確認がお済みでない場合は、先に開通確認を行ってください。"


def test_I_3_3_lockout(app, web, walk):
    app.config["LOCKOUT_THRESHOLD"] = 2
    contract = walk.activate_admin()
    for _ in range(2):
        web.submit("/ib/admin/certificate", admin_fields(contract, logon_pin="Wrong1234x"))
    assert alert(web.html) == "暗証番号の誤りが規定回数（2回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"
    web.submit("/ib/admin/certificate", admin_fields(contract))
    assert "ご利用を停止しています" in alert(web.html)
    assert certificates(app) == []


def test_I_3_second_acquisition_is_refused_while_one_is_valid(app, web, walk):
    contract, _ = walk.admin_ready()
    web.submit("/ib/admin/certificate", admin_fields(contract))
    assert alert(web.html) == "この ID には有効な電子証明書が発行済みです。再発行の手続き後に取得してください。"
    assert len(certificates(app)) == 1


def test_I_3_a_new_certificate_after_the_old_one_expired(app, web, walk):
    contract, _ = walk.admin_ready()
    with app.app_context():
        clock.advance(366)
    walk.enroll_admin(contract)
    assert len(certificates(app)) == 2


def test_I_3_a_revoked_certificate_needs_a_reissue_before_a_new_one(app, web, walk):
    """FAQ 14: a certificate the bank revoked is not replaced by 電子証明書取得 alone; once the bank has authorised
    the reissue, it is."""
    contract, _ = walk.admin_ready()
    with app.app_context():
        record = db.session.scalar(db.select(Certificate))
        lifecycle.revoke(record.principal.contract, record.serial, "lost", "test")
    web.submit("/ib/admin/certificate", admin_fields(contract))
    assert alert(web.html) == "電子証明書が失効しています。当金庫に再発行を依頼してから取得してください。"
    assert len(certificates(app)) == 1
    with app.app_context():
        lifecycle.reissue_admin(db.session.scalar(db.select(Certificate)).principal.contract, "test")
    walk.enroll_admin(contract)
    assert len(certificates(app)) == 2


def test_II_1_a_users_revoked_certificate_needs_the_administrators_reissue(app, web, walk):
    """FAQ 14: the user asks the administrator, not the bank (who reissues a user's certificate)."""
    contract, _ = walk.user_enrolled()
    with app.app_context():
        record = db.session.scalar(db.select(Certificate).join(Principal).filter(Principal.kind == "user"))
        lifecycle.revoke(record.principal.contract, record.serial, "lost", "test")
    web.submit("/ib/user/certificate", user_fields(contract))
    assert alert(web.html) == "電子証明書が失効しています。管理者に再発行を依頼してから取得してください。"


@pytest.mark.parametrize("days_ago, allowed", [(0, True), (80, True), (81, False)])
def test_I_3_first_certificate_only_within_80_days_of_the_application(app, web, walk, days_ago, allowed):
    contract = walk.activate_admin(applied_days_ago=days_ago)
    web.submit("/ib/admin/certificate", admin_fields(contract))
    if allowed:
        assert web.client.get("/ib/admin/certificate/confirm", base_url="https://localhost").status_code == 200
    else:
        assert alert(web.html) == "電子証明書の取得期間（お申込みから80日間）を過ぎています。当金庫までご連絡ください。"


def test_I_3_80_day_window_follows_the_app_clock(app, web, walk):
    contract = walk.activate_admin(applied_days_ago=70)
    with app.app_context():
        clock.advance(11)
    web.submit("/ib/admin/certificate", admin_fields(contract))
    assert "取得期間" in alert(web.html)


def test_I_3_window_is_configurable(app, web, walk):
    app.config["ENROLLMENT_WINDOW_DAYS"] = 10
    contract = walk.activate_admin(applied_days_ago=11)
    web.submit("/ib/admin/certificate", admin_fields(contract))
    assert alert(web.html) == "電子証明書の取得期間（お申込みから10日間）を過ぎています。当金庫までご連絡ください。"


# -- II.1: the user ------------------------------------------------------------------------------------------------
def user_fields(contract, **overrides):
    return {"contract_number": contract.contract_number, "user_id": "keiri01", "logon_pin": TEMP_PIN,
            "confirmation_pin": TEMP_CONFIRMATION_PIN, **overrides}


def test_II_1_7_a_user_deleted_during_the_flow_gets_no_certificate(app, web, walk):
    """The last はい judges the ID again: one the administrator deleted meanwhile is told so, and nothing is issued."""
    contract, _ = walk.user_registered()
    to_step(web, "user", user_fields(contract), "install")
    with app.app_context():
        admin, user = (db.session.scalar(db.select(Principal).filter_by(kind=kind)) for kind in ("admin", "user"))
        lifecycle.delete_user(admin, user)
    web.follow(web.post("/ib/user/certificate/install", {"answer": "yes"}))
    assert alert(web.html) == "この利用者IDは削除されています。"
    assert [c for c in certificates(app) if c[0] == "user"] == []


def test_II_1_1_and_II_1_2_user_logon_screen_links_to_enrollment_only(web):
    web.get("/ib/user/logon")
    assert h1(web.html) == "利用者ログオン"
    assert '<a href="/ib/user/certificate">電子証明書取得</a>' in web.html
    assert ">開通確認</a>" not in web.html


def test_II_1_3_user_form(web):
    web.get("/ib/user/certificate")
    for name, label in (("contract_number", "利用者番号"), ("user_id", "利用者ID"), ("logon_pin", "利用者暗証番号"),
                        ("confirmation_pin", "利用者確認暗証番号")):
        assert f'<label for="{name}">{label}</label>' in web.html


def test_II_1_3_to_II_1_8_user_obtains_a_certificate_with_the_provisional_pins(app, web, walk):
    contract, _ = walk.user_registered()
    to_step(web, "user", user_fields(contract), "confirm")
    assert dialog(web.html, "電子証明書の取得")
    web.follow(web.post("/ib/user/certificate/confirm", {"answer": "yes"}))
    assert "セキュリティレベル：中" in dialog(web.html, "セキュリティレベルの確認")
    web.follow(web.post("/ib/user/certificate/security"))
    assert h1(web.html) == "電子証明書発行"
    web.follow(web.post("/ib/user/certificate/issue"))
    assert dialog(web.html, "証明書のインストール")
    web.post("/ib/user/certificate/install", {"answer": "yes"})
    assert h1(web.html) == "電子証明書取得完了"
    cert = load_pkcs12(web.html)[0]
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == f"{contract.contract_number} keiri01 経理 花子"  # 利用者ID and 利用者名
    assert [(kind, uid) for kind, uid, *_ in certificates(app)] == [("admin", None), ("user", "keiri01")]


def test_II_1_3_unknown_user_id(web, walk):
    contract, _ = walk.user_registered()
    web.submit("/ib/user/certificate", user_fields(contract, user_id="nobody"))
    assert alert(web.html) == "利用者番号、利用者IDまたは暗証番号が正しくありません。管理者から通知された内容をご確認ください。"


def test_II_1_3_full_width_user_id_is_refused(web):
    web.submit("/ib/user/certificate", {"contract_number": "12345678901", "user_id": "ｋｅｉｒｉ", "logon_pin": "x",
                                        "confirmation_pin": "y"})
    assert field_error(web.html, "user_id") == "全角文字は使用できません。半角英数字で入力してください。"


def test_II_1_3_wrong_provisional_pin_counts_for_the_user_only(app, web, walk):
    contract, _ = walk.user_registered()
    web.submit("/ib/user/certificate", user_fields(contract, logon_pin="nope1234"))
    assert alert(web.html) == "利用者番号、利用者IDまたは暗証番号が正しくありません。管理者から通知された内容をご確認ください。"
    with app.app_context():
        assert db.session.scalar(db.select(Principal.failed_attempts).filter_by(user_id="keiri01")) == 1
        assert db.session.scalar(db.select(Principal.failed_attempts).filter_by(kind="admin")) == 0


def test_II_1_second_acquisition_by_the_user_is_refused(web, walk):
    contract, _ = walk.user_enrolled()
    web.submit("/ib/user/certificate", user_fields(contract))
    assert alert(web.html) == "この ID には有効な電子証明書が発行済みです。再発行の手続き後に取得してください。"


def test_II_1_users_window_runs_from_their_registration(app, web, walk):
    """Told beforehand and when refused: from the registration, for the bank's number of days (a setting)."""
    app.config["ENROLLMENT_WINDOW_DAYS"] = 60
    contract, _ = walk.user_registered()
    web.get("/ib/user/certificate")
    assert "管理者による利用者登録から60日を過ぎると取得できなくなります。" in web.html
    web.get("/ib/admin/certificate")
    assert "お申込みから60日を過ぎると取得できなくなります。" in web.html
    with app.app_context():
        clock.advance(61)
    web.submit("/ib/user/certificate", user_fields(contract))
    assert alert(web.html) == "電子証明書の取得期間（利用者登録から60日間）を過ぎています。当金庫までご連絡ください。"


def test_II_1_a_user_cannot_enroll_through_the_admin_form(web, walk):
    contract, _ = walk.user_registered()
    web.submit("/ib/admin/certificate", admin_fields(contract, logon_pin=TEMP_PIN, confirmation_pin=TEMP_CONFIRMATION_PIN))
    assert alert(web.html).startswith("利用者番号または暗証番号が正しくありません。")  # the admin's PINs are judged


def test_II_1_a_users_window_runs_from_their_registration_not_the_application(app, web, walk):
    """A user registered late in the administrator's window still has their own 80 days."""
    contract, _ = walk.user_registered()
    with app.app_context():
        db.session.scalar(db.select(Contract).filter_by(number=contract.contract_number)).applied_at -= \
            dt.timedelta(days=79)
        db.session.commit()
        clock.advance(5)
    walk.enroll("user", user_fields(contract))  # day 84 of the application, day 5 of the registration
