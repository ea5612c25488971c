"""I.4 利用者登録: the administrator's certificate logon (I-4.1 … I-4.5) and user registration (I-4.6 … I-4.8)."""

import re

import pytest

from conftest import (ADMIN_CONFIRMATION_PIN, ADMIN_PIN, TEMP_PIN, alert, field_error, h1)
from refserver import clock
from refserver.models import Certificate, LogonSession, Principal, db


def dialog_named(html, name):
    return re.search(rf'<dialog open class="dialog" aria-labelledby="(\w+)-title">\s*<h2 id="\1-title" class="dialog-title">{name}</h2>(.*?)</dialog>', html, re.S)


def test_I_4_1_certificate_method_region_with_logon_button(web):
    web.get("/ib/admin/logon")
    assert re.search(r'<section aria-labelledby="certificate-method" class="panel">\s*<h2 id="certificate-method">電子証明書方式</h2>', web.html)
    assert '<button type="submit" >ログオン</button>' in web.html


def test_I_4_2_select_dialog_shows_the_presented_certificate(web, walk):
    contract, pem = walk.admin_ready()
    web.present(pem)
    web.follow(web.submit("/ib/admin/logon"))
    assert h1(web.html) == "管理者ログオン"
    body = dialog_named(web.html, "証明書の選択").group(2)
    assert "<th scope=\"col\">発行先</th><th scope=\"col\">発行者</th><th scope=\"col\">有効期限</th>" in body
    with walk.web.client.application.app_context():
        expiry = clock.jst_date(db.session.scalar(db.select(Certificate.not_after)))
    assert f"<td>{contract.contract_number} 管理者</td><td>目黒信用金庫 電子証明書発行局</td><td>{expiry}</td>" in body
    assert ">OK</button>" in body and ">キャンセル</button>" in body


def test_I_4_2_no_certificate_presented(web):
    web.present(None)
    web.follow(web.submit("/ib/admin/logon"))
    body = dialog_named(web.html, "証明書の選択").group(2)
    assert "提示できる電子証明書がありません。" in body
    assert ">OK</button>" not in body and ">キャンセル</button>" in body
    response = web.post("/ib/admin/logon/certificate", {"action": "ok"})  # a crafted OK changes nothing
    web.follow(response)
    assert "電子証明書が提示されなかった" in alert(web.html)


def test_I_4_2_cancel_aborts(web, walk):
    contract, pem = walk.admin_ready()
    web.present(pem)
    web.follow(web.submit("/ib/admin/logon"))
    web.follow(web.post("/ib/admin/logon/certificate", {"action": "cancel"}))
    assert alert(web.html) == "証明書の選択が取り消されたため、ログオンを中止しました。"


def test_I_4_3_permission_dialog_with_grant_and_deny(web, walk):
    contract, pem = walk.admin_ready()
    web.follow(walk.to_permission("admin", pem))
    body = dialog_named(web.html, "アクセス許可の付与").group(2)
    assert '<label for="access-grant">アクセス許可の付与</label>' in body
    assert '<label for="access-deny">アクセス許可の拒否</label>' in body
    assert '<button type="submit">OK</button>' in body


def test_I_4_3_deny_aborts_the_logon(app, web, walk):
    contract, pem = walk.admin_ready()
    web.follow(walk.to_permission("admin", pem))
    response = web.post("/ib/admin/logon/permission", {"access": "deny"})
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert alert(web.html) == "アクセス許可が拒否されたため、ログオンを中止しました。"
    assert web.get("/ib/admin/logon/pin").headers["Location"] == "/ib/admin/logon"


def test_I_4_3_neither_grant_nor_deny(web, walk):
    contract, pem = walk.admin_ready()
    web.follow(walk.to_permission("admin", pem))
    web.post("/ib/admin/logon/permission", {})
    assert "アクセス許可の付与または拒否を選択してください。" in web.html


@pytest.mark.parametrize("kind", ["valid", "expired", "not_yet_valid", "wrong_usage", "foreign"])
def test_I_4_3_certificates_not_bound_or_not_valid_are_refused(web, walk, pki, kind):
    walk.admin_ready()
    web.follow(walk.permission("admin", pki.mint_test_client(kind).cert_pem))
    expected = {
        "valid": "この電子証明書（ibcert test client）はどの ID にも登録されていません。",
        "expired": "電子証明書の有効期限が切れています。電子証明書を取得し直してください。",
        "not_yet_valid": "電子証明書の有効期間が始まっていません。",
        "wrong_usage": "この電子証明書はログオンに使用できません（用途がクライアント認証ではありません）。",
        "foreign": "当金庫が発行した電子証明書ではありません。",
    }[kind]
    assert h1(web.html) == "管理者ログオン" and alert(web.html) == expected


def test_I_4_3_a_users_certificate_cannot_log_on_as_administrator(web, walk):
    contract, user_pem = walk.user_enrolled()
    web.follow(walk.permission("admin", user_pem))
    assert alert(web.html) == "この電子証明書はkeiri01の電子証明書です。管理者ログオンには使用できません。"


def test_I_4_3_an_expired_issued_certificate_is_refused_by_the_app_clock(app, web, walk):
    contract, pem = walk.admin_ready()
    with app.app_context():
        clock.advance(366)
    web.follow(walk.permission("admin", pem))
    assert alert(web.html) == "電子証明書の有効期限が切れています。電子証明書を取得し直してください。"


def test_I_4_3_a_revoked_certificate_is_refused(app, web, walk):
    contract, pem = walk.admin_ready()
    with app.app_context():
        db.session.scalar(db.select(Certificate)).revoked_at = clock.now()
        db.session.commit()
    web.follow(walk.permission("admin", pem))
    assert alert(web.html) == "この電子証明書は失効しています。"


def test_I_4_3_changing_certificate_midway_restarts(web, walk, pki):
    contract, pem = walk.admin_ready()
    web.follow(walk.to_permission("admin", pem))
    web.present(pki.mint_test_client("valid").cert_pem)
    assert web.post("/ib/admin/logon/permission", {"access": "grant"}).headers["Location"] == "/ib/admin/logon"


def test_I_4_4_pin_screen(web, walk):
    contract, pem = walk.admin_ready()
    web.follow(walk.permission("admin", pem))
    assert h1(web.html) == "暗証番号入力"
    assert '<label for="pin">ご契約先暗証番号</label>' in web.html
    assert '<button type="submit">ログオン</button>' in web.html


def test_I_4_4_wrong_pin_counts_and_locks(app, web, walk):
    app.config["LOCKOUT_THRESHOLD"] = 2
    contract, pem = walk.admin_ready()
    walk.certificate_logon("admin", pem, "Wrong2024x")
    assert field_error(web.html, "pin") == "暗証番号が正しくありません。あと1回誤るとご利用を停止します。"
    response = web.post("/ib/admin/logon/pin", {"pin": ADMIN_PIN.swapcase()})
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert alert(web.html) == "暗証番号の誤りが規定回数（2回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"
    web.follow(walk.permission("admin", pem))
    assert "ご利用を停止しています" in alert(web.html)


def test_I_4_5_otp_after_the_pin_then_status(app, web, walk):
    contract, pem = walk.admin_ready()
    response = walk.certificate_logon("admin", pem, ADMIN_PIN)
    assert response.headers["Location"] == "/ib/admin/logon/otp"
    web.follow(response)
    assert h1(web.html) == "ワンタイムパスワード入力"
    response = web.post("/ib/admin/logon/otp", contract.answers(web.html))
    assert response.headers["Location"] == "/ib/admin/status"
    web.follow(response)
    assert h1(web.html) == "ご契約先ステータス"


def test_I_4_5_logon_needs_the_otp(web, walk):
    contract, pem = walk.admin_ready()
    web.follow(walk.certificate_logon("admin", pem, ADMIN_PIN))
    assert web.get("/ib/admin/status").headers["Location"] == "/ib/admin/logon"


def test_I_4_5_failure_count_resets_only_when_the_logon_completes(app, web, walk):
    contract, pem = walk.admin_ready()
    walk.certificate_logon("admin", pem, "Wrong2024x")
    web.post("/ib/admin/logon/pin", {"pin": ADMIN_PIN})
    with app.app_context():
        assert db.session.scalar(db.select(Principal.failed_attempts).filter_by(kind="admin")) == 1
    web.get("/ib/admin/logon/otp")
    web.post("/ib/admin/logon/otp", contract.answers(web.html))
    with app.app_context():
        assert db.session.scalar(db.select(Principal.failed_attempts).filter_by(kind="admin")) == 0


def logged_on(walk):
    contract, pem = walk.admin_ready()
    walk.admin_logon(contract, pem)
    return contract, pem


def test_I_4_6_status_management_users_new(web, walk):
    contract, _ = logged_on(walk)
    assert f"<dd>{contract.contract_number}</dd>" in web.html
    assert '<a href="/ib/admin/management">ご契約先管理情報変更</a>' in web.html
    web.get("/ib/admin/management")
    assert h1(web.html) == "ご契約先管理情報変更"
    assert '<a href="/ib/admin/users">利用者情報登録/変更</a>' in web.html
    web.get("/ib/admin/users")
    assert h1(web.html) == "利用者情報登録/変更"
    assert '<a href="/ib/admin/users/new">新規登録</a>' in web.html


def test_I_4_7_new_user_form(web, walk):
    logged_on(walk)
    web.get("/ib/admin/users/new")
    assert h1(web.html) == "利用者情報新規登録"
    for name, label in (("user_id", "利用者ID"), ("user_name", "利用者名"), ("temp_pin", "利用者暗証番号(仮)"),
                        ("temp_confirmation_pin", "利用者確認暗証番号(仮)"), ("confirmation_pin", "ご契約先確認暗証番号")):
        assert f'<label for="{name}">{label}</label>' in web.html
    assert "<legend>権限</legend>" in web.html
    for permission in ("残高照会", "入出金明細照会", "振込・振替"):
        assert f">{permission}</label>" in web.html


def test_I_4_7_and_I_4_8_registers_a_user(app, web, walk):
    logged_on(walk)
    response = walk.register_user()
    assert response.headers["Location"] == "/ib/admin/users/registered"
    web.follow(response)
    assert h1(web.html) == "利用者登録完了"
    assert "利用者の登録が完了しました。" in web.html
    assert '<button type="submit" class="secondary">ログオフ</button>' in web.html
    with app.app_context():
        user = db.session.scalar(db.select(Principal).filter_by(user_id="keiri01"))
        assert (user.name, user.permissions, user.status) == ("経理 花子", ["残高照会", "振込・振替"], "provisional")
    web.get("/ib/admin/users")
    assert ">keiri01</a></td>" in web.html and "開通確認待ち" in web.html


def users_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Principal).filter_by(kind="user"))


@pytest.mark.parametrize("overrides, field, message", [
    ({"user_id": ""}, "user_id", "利用者IDを入力してください。"),
    ({"user_id": "ｋｅｉｒｉ０１"}, "user_id", "全角文字は使用できません。半角英数字で入力してください。"),
    ({"user_id": "keiri_01"}, "user_id", "利用者IDは半角英数字で入力してください（記号・空白は使用できません）。"),
    ({"user_name": ""}, "user_name", "利用者名を入力してください。"),
    ({"temp_pin": "k4r"}, "temp_pin", "利用者暗証番号(仮)は4～12桁の半角英数字で入力してください。"),
    ({"temp_pin": "1111"}, "temp_pin", "推測されやすい暗証番号は使用できません。"),
    ({"temp_pin": "xkeiri01"}, "temp_pin", "推測されやすい暗証番号は使用できません。"),
    ({"temp_confirmation_pin": TEMP_PIN}, "temp_confirmation_pin", "利用者確認暗証番号(仮)は利用者暗証番号(仮)と異なるものを設定してください。"),
    ({"confirmation_pin": ""}, "confirmation_pin", "ご契約先確認暗証番号を入力してください。"),
])
def test_I_4_7_refusals_change_nothing(app, web, walk, overrides, field, message):
    logged_on(walk)
    response = walk.register_user(**overrides)
    assert response.status_code == 200
    assert field_error(web.html, field) == message
    assert users_count(app) == 0
    assert TEMP_PIN not in web.html and ADMIN_CONFIRMATION_PIN not in web.html
    if field != "user_name":
        assert 'value="経理 花子"' in web.html


def test_I_4_7_at_least_one_permission(app, web, walk):
    logged_on(walk)
    walk.register_user(permissions=[])
    assert '<fieldset class="group invalid" aria-describedby="permissions-error">' in web.html
    assert "権限を1つ以上選択してください。" in web.html
    assert users_count(app) == 0


def test_I_4_7_duplicate_user_id(app, web, walk):
    logged_on(walk)
    walk.register_user()
    walk.register_user()
    assert field_error(web.html, "user_id") == "この利用者IDは既に登録されています。別の利用者IDを指定してください。"
    assert users_count(app) == 1


def test_I_4_7_wrong_confirmation_pin_counts_and_locks_the_administrator(app, web, walk):
    app.config["LOCKOUT_THRESHOLD"] = 2
    logged_on(walk)
    walk.register_user(confirmation_pin="Wrong1234x")
    assert field_error(web.html, "confirmation_pin") == "暗証番号が正しくありません。あと1回誤るとご利用を停止します。"
    response = walk.register_user(confirmation_pin="Wrong1234x")
    assert response.headers["Location"] == "/ib/"
    web.follow(response)
    assert alert(web.html) == "暗証番号の誤りが規定回数（2回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"
    assert users_count(app) == 0
    assert web.get("/ib/admin/status").headers["Location"] == "/ib/admin/logon"


def test_I_4_8_logoff_ends_the_logon(app, web, walk):
    logged_on(walk)
    web.follow(walk.register_user())
    response = web.post("/ib/logoff")
    assert response.headers["Location"] == "/ib/"
    web.follow(response)
    assert re.search(r'role="status">ログオフしました。</p>', web.html)
    assert web.get("/ib/admin/status").headers["Location"] == "/ib/admin/logon"
    with app.app_context():
        assert db.session.scalar(db.select(LogonSession)).ended_at is not None


def test_I_4_8_registered_screen_needs_a_registration(web, walk):
    logged_on(walk)
    assert web.get("/ib/admin/users/registered").headers["Location"] == "/ib/admin/users"


@pytest.mark.parametrize("path", ["/ib/admin/status", "/ib/admin/management", "/ib/admin/users", "/ib/admin/users/new"])
def test_admin_screens_need_a_logon(web, path):
    response = web.get(path)
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert "もう一度ログオンしてください" in alert(web.html)


@pytest.mark.parametrize("presented", ["none", "other"])
def test_session_is_bound_to_the_certificate(app, web, walk, pki, presented):
    logged_on(walk)
    web.present(None if presented == "none" else pki.mint_test_client("valid").cert_pem)
    response = web.get("/ib/admin/users")
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert alert(web.html) == "ログオン時と異なる電子証明書が提示されたか、電子証明書が提示されなかったため、ログオフしました。"
    with app.app_context():
        assert db.session.scalar(db.select(LogonSession)).ended_at is not None


def test_a_copied_session_cookie_is_worthless_after_logoff(web, walk):
    logged_on(walk)
    cookie = web.client.get_cookie("__Host-ibcert_session").value
    web.post("/ib/logoff")
    web.client.set_cookie("__Host-ibcert_session", cookie, domain="localhost")
    assert web.get("/ib/admin/status").headers["Location"] == "/ib/admin/logon"


@pytest.mark.parametrize("days, says", [(400, "有効期限が切れています"), (-2, "有効期間が始まっていません")],
                         ids=["expired", "not-yet-valid"])
def test_session_ends_when_its_certificate_stops_being_valid(app, web, walk, days, says):
    """Every protected request judges the certificate as a logon would: a session never outlives its certificate."""
    logged_on(walk)
    with app.app_context():
        clock.advance(days)
    response = web.get("/ib/admin/users")
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert says in alert(web.html) and "ログオフしました" in alert(web.html)
    with app.app_context():
        assert db.session.scalar(db.select(LogonSession)).ended_at is not None


@pytest.mark.parametrize("idle, ends", [(9, False), (11, True)], ids=["9-minutes", "11-minutes"])
def test_an_idle_logon_ends_after_the_idle_timeout(app, web, walk, idle, ends):
    """ASVS 3.3: a logon left idle longer than IBCERT_IDLE_TIMEOUT_MINUTES (10) ends, with a message."""
    logged_on(walk)
    with app.app_context():
        clock.advance(idle / (24 * 60))
    response = web.get("/ib/admin/users")
    if not ends:
        assert response.status_code == 200
        return
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert "10分以上操作がなかったため、ログオフしました" in alert(web.html)


def test_requests_within_the_grain_write_no_activity_and_the_idle_timeout_still_holds(app, web, walk):
    """The last request is written at most every web.ACTIVITY_GRAIN (15 s): clicks 10 s apart write once, and the
    idle timeout counts from the last write, so it may end a logon at most that grain early — never late."""
    logged_on(walk)

    def last_seen():
        with app.app_context():
            return db.session.scalar(db.select(LogonSession)).last_seen_at

    def click_after(seconds: float) -> int:
        with app.app_context():
            clock.advance(seconds / (24 * 60 * 60))
        return web.get("/ib/admin/users").status_code

    assert click_after(20) == 200
    written = last_seen()
    assert click_after(10) == 200
    assert last_seen() == written  # within the grain: not written again
    assert click_after(10) == 200
    assert last_seen() > written  # 20 s after the last write: written
    assert click_after(9 * 60 + 50) == 200  # 10 min less 10 s after the last write: on
    assert click_after(10 * 60 + 1) == 302  # over 10 min: ended


def test_a_busy_logon_still_ends_after_its_lifetime(app, web, walk):
    """ASVS 3.3.2: however busy, a logon ends IBCERT_SESSION_LIFETIME_MINUTES after it began."""
    app.config["SESSION_LIFETIME_MINUTES"] = 30
    logged_on(walk)
    for _ in range(3):  # a click every 9 minutes: never idle, 27 minutes in
        with app.app_context():
            clock.advance(9 / (24 * 60))
        assert web.get("/ib/admin/users").status_code == 200
    with app.app_context():
        clock.advance(9 / (24 * 60))
    response = web.get("/ib/admin/users")
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert alert(web.html) == "ログオンから30分を過ぎたため、ログオフしました。もう一度ログオンしてください。"


def test_a_success_elsewhere_does_not_reset_the_one_time_password_misses(app, web, walk):
    """Issue 12 #4: wrong one-time passwords at logon, then the right PINs posted to 電子証明書取得 (refused: a
    certificate exists) — that right answer must not wipe the misses, or the lockout never comes."""
    app.config["LOCKOUT_THRESHOLD"] = 3
    contract, pem = walk.admin_ready()
    web.follow(walk.certificate_logon("admin", pem, ADMIN_PIN))
    wrong = {k: "00" if v != "00" else "01" for k, v in contract.answers(web.html).items()}
    web.post("/ib/admin/logon/otp", wrong)
    web.submit("/ib/admin/certificate", {"contract_number": contract.contract_number, "logon_pin": ADMIN_PIN,
                                         "confirmation_pin": ADMIN_CONFIRMATION_PIN})
    assert "発行済" in alert(web.html)
    web.follow(walk.certificate_logon("admin", pem, ADMIN_PIN))  # the right PIN gives its own attempt back only
    wrong = {k: "00" if v != "00" else "01" for k, v in contract.answers(web.html).items()}
    web.post("/ib/admin/logon/otp", wrong)
    response = web.post("/ib/admin/logon/otp", {k: "00" if v != "00" else "01"
                                                 for k, v in contract.answers(web.html).items()})
    assert response.headers["Location"] == "/ib/admin/logon"
    with app.app_context():
        assert db.session.scalar(db.select(Principal).filter_by(kind="admin")).locked_at is not None


def test_a_revoked_certificate_ends_its_open_session(app, web, walk):
    """Issue 12 #6: revoked after logon, the certificate's session ends at its next request."""
    logged_on(walk)
    with app.app_context():
        db.session.scalar(db.select(Certificate)).revoked_at = clock.now()
        db.session.commit()
    response = web.get("/ib/admin/users")
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert "失効" in alert(web.html) and "ログオフしました" in alert(web.html)
