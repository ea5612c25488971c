"""II.2 開通確認 (the user): certificate logon with the 仮 PIN (II-2.1 … II-2.4), setting ト and チ (II-2.5) and
利用者ステータス (II-2.6); afterwards the user logs on with ト."""

import re

import pytest

from conftest import TEMP_CONFIRMATION_PIN, TEMP_PIN, USER_CONFIRMATION_PIN, USER_PIN, alert, field_error, h1, user_pins
from refserver.models import Principal, db


def user_row(app):
    with app.app_context():
        user = db.session.scalar(db.select(Principal).filter_by(kind="user"))
        return {"status": user.status, "pin": user.logon_pin_hash, "failed": user.failed_attempts,
                "locked": user.locked_at is not None}


def test_II_2_1_user_logon_screen_has_the_certificate_method(web):
    web.get("/ib/user/logon")
    assert h1(web.html) == "利用者ログオン"
    assert '<h2 id="certificate-method">電子証明書方式</h2>' in web.html
    assert '<form method="post" action="/ib/user/logon">' in web.html


def test_II_2_2_and_II_2_3_dialogs_on_the_user_logon_screen(web, walk):
    contract, pem = walk.user_enrolled()
    web.present(pem)
    web.follow(web.submit("/ib/user/logon"))
    assert h1(web.html) == "利用者ログオン"
    assert f"<td>{contract.contract_number} keiri01 経理 花子</td>" in web.html
    web.follow(web.post("/ib/user/logon/certificate", {"action": "ok"}))
    assert h1(web.html) == "利用者ログオン"
    assert 'class="dialog-title">アクセス許可の付与</h2>' in web.html


def test_II_2_3_deny_aborts(web, walk):
    contract, pem = walk.user_enrolled()
    web.follow(walk.permission("user", pem, "deny"))
    assert alert(web.html) == "アクセス許可が拒否されたため、ログオンを中止しました。"


def test_II_2_3_the_administrators_certificate_cannot_log_on_as_user(web, walk):
    contract, admin_pem = walk.admin_ready()
    web.follow(walk.permission("user", admin_pem, "grant"))
    assert alert(web.html) == "この電子証明書は管理者の電子証明書です。利用者ログオンには使用できません。"


def test_II_2_4_pin_screen_asks_the_user_pin(web, walk):
    contract, pem = walk.user_enrolled()
    web.follow(walk.permission("user", pem, "grant"))
    assert h1(web.html) == "暗証番号入力"
    assert '<label for="pin">利用者暗証番号</label>' in web.html


def test_II_2_4_provisional_pin_leads_to_II_2_5(web, walk):
    contract, pem = walk.user_enrolled()
    response = walk.certificate_logon("user", pem, TEMP_PIN)
    web.follow(response)
    assert h1(web.html) == "利用者暗証番号設定"
    assert '<label for="logon_pin">利用者暗証番号</label>' in web.html
    assert '<label for="confirmation_pin">利用者確認暗証番号</label>' in web.html


def test_II_2_4_wrong_pin_counts_and_locks_the_user(app, web, walk):
    app.config["LOCKOUT_THRESHOLD"] = 2
    contract, pem = walk.user_enrolled()
    walk.certificate_logon("user", pem, "wrong1")
    assert field_error(web.html, "pin") == "暗証番号が正しくありません。あと1回誤るとご利用を停止します。"
    web.follow(web.post("/ib/user/logon/pin", {"pin": "wrong2"}))
    assert alert(web.html) == "暗証番号の誤りが規定回数（2回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"
    assert user_row(app)["locked"]


def to_II_2_5(web, walk):
    contract, pem = walk.user_enrolled()
    web.follow(walk.certificate_logon("user", pem, TEMP_PIN))
    return contract, pem


def test_II_2_5_and_II_2_6_set_own_pins_then_status(app, web, walk):
    to_II_2_5(web, walk)
    response = web.post("/ib/user/activation", user_pins({"logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN}))
    assert response.headers["Location"] == "/ib/user/status"
    web.follow(response)
    assert h1(web.html) == "利用者ステータス"
    assert "各種取引サービスをご利用いただける準備が整いました。" in web.html
    assert user_row(app)["status"] == "active"


@pytest.mark.parametrize("data, field, message", [
    ({"logon_pin": "riyouonly", "confirmation_pin": USER_CONFIRMATION_PIN}, "logon_pin", "英字と数字を組み合わせてください。"),
    ({"logon_pin": "xyz789", "confirmation_pin": USER_CONFIRMATION_PIN}, "logon_pin", "推測されやすい暗証番号は使用できません。"),
    ({"logon_pin": "Keiri01abc", "confirmation_pin": USER_CONFIRMATION_PIN}, "logon_pin", "推測されやすい暗証番号は使用できません。"),
    ({"logon_pin": "Ｒｉｙｏｕ２０２４", "confirmation_pin": USER_CONFIRMATION_PIN}, "logon_pin", "全角文字は使用できません。半角英数字で入力してください。"),
    ({"logon_pin": USER_PIN, "confirmation_pin": USER_PIN}, "confirmation_pin", "利用者確認暗証番号は利用者暗証番号と異なるものを設定してください。"),
    ({"logon_pin": TEMP_PIN, "confirmation_pin": USER_CONFIRMATION_PIN}, "logon_pin", "仮の利用者暗証番号と同じ暗証番号は設定できません。"),
    ({"logon_pin": USER_PIN, "confirmation_pin": TEMP_CONFIRMATION_PIN}, "confirmation_pin", "仮の利用者確認暗証番号と同じ暗証番号は設定できません。"),
    ({"logon_pin": USER_PIN, "logon_pin_again": USER_PIN[:-1], "confirmation_pin": USER_CONFIRMATION_PIN},
     "logon_pin_again", "利用者暗証番号（確認のため再入力）が利用者暗証番号と一致しません。同じ暗証番号を入力してください。"),
    ({"logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN, "confirmation_pin_again": USER_PIN},
     "confirmation_pin_again", "利用者確認暗証番号（確認のため再入力）が利用者確認暗証番号と一致しません。同じ暗証番号を入力してください。"),
    ({"logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN, "temp_confirmation_pin": ""},
     "temp_confirmation_pin", "利用者確認暗証番号(仮)を入力してください。"),
])
def test_II_2_5_refusals_change_nothing(app, web, walk, data, field, message):
    to_II_2_5(web, walk)
    before = user_row(app)
    web.post("/ib/user/activation", user_pins(data))
    assert field_error(web.html, field) == message
    assert user_row(app) == before
    for pin in filter(None, data.values()):
        assert pin not in web.html


def test_II_2_5_a_wrong_he_is_a_miss_counted_towards_the_lockout(app, web, walk):
    """ヘ, the 仮 利用者確認暗証番号, is judged at II-2.5 as every PIN is: a wrong one is refused with the misses left
    and counted; N of them lock the ID and end the session; the new PINs are kept nowhere."""
    app.config["LOCKOUT_THRESHOLD"] = 2
    to_II_2_5(web, walk)
    web.post("/ib/user/activation", user_pins({"logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN},
                                              "Wrong2468"))
    assert field_error(web.html, "temp_confirmation_pin") == \
        "利用者確認暗証番号(仮)が正しくありません。あと1回誤るとご利用を停止します。"
    assert user_row(app)["failed"] == 1 and user_row(app)["status"] == "provisional"
    response = web.post("/ib/user/activation", user_pins({"logon_pin": USER_PIN,
                                                          "confirmation_pin": USER_CONFIRMATION_PIN}, "Wrong2468"))
    assert response.headers["Location"] == "/ib/user/logon"
    web.follow(response)
    assert "ご利用を停止しました" in alert(web.html)
    assert user_row(app)["locked"] and user_row(app)["status"] == "provisional"


def test_II_2_5_pin_containing_the_contract_number(app, web, walk):
    contract, _ = to_II_2_5(web, walk)
    web.post("/ib/user/activation", user_pins({"logon_pin": "u" + contract.contract_number, "confirmation_pin": USER_CONFIRMATION_PIN}))
    assert field_error(web.html, "logon_pin") == "推測されやすい暗証番号は使用できません。"


def test_II_2_6_status_is_closed_until_the_pins_are_set(web, walk):
    to_II_2_5(web, walk)
    assert web.get("/ib/user/status").headers["Location"] == "/ib/user/activation"


def test_II_2_afterwards_the_user_logs_on_with_own_pin_straight_to_status(app, web, walk):
    contract, pem = to_II_2_5(web, walk)
    web.post("/ib/user/activation", user_pins({"logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN}))
    web.get("/ib/user/status")
    web.follow(web.post("/ib/logoff"))
    assert walk.certificate_logon("user", pem, TEMP_PIN).status_code == 200  # the 仮 PIN is gone
    response = web.post("/ib/user/logon/pin", {"pin": USER_PIN})
    assert response.headers["Location"] == "/ib/user/status"
    web.follow(response)
    assert h1(web.html) == "利用者ステータス"
    assert user_row(app)["failed"] == 0
    assert web.get("/ib/user/activation").headers["Location"] == "/ib/user/status"


def test_II_2_user_screens_need_a_user_logon(web, walk):
    contract, pem = walk.admin_ready()
    walk.admin_logon(contract, pem)
    assert web.get("/ib/user/status").headers["Location"] == "/ib/user/logon"


def test_II_2_logoff_button_in_the_header(web, walk):
    to_II_2_5(web, walk)
    assert re.search(r'<header class="banner">.*<form method="post" action="/ib/logoff" class="logoff">.*>ログオフ</button>.*</header>', web.html, re.S)
