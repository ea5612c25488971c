"""I.2 開通確認 (the administrator): I-2.1 … I-2.5, and every refusal on the way."""

import hashlib

import pytest

from conftest import ADMIN_CONFIRMATION_PIN, ADMIN_PIN, alert, field_error, h1, typed_again
from refserver.models import ACTIVE, PENDING, Contract, db

pytestmark = pytest.mark.databases


def admin_of(app, number):
    with app.app_context():
        contract = db.session.scalar(db.select(Contract).filter_by(number=number))
        admin = contract.admin
        return {"status": admin.status, "failed": admin.failed_attempts, "locked": admin.locked_at is not None,
                "pin": admin.logon_pin_hash, "email": contract.email, "activated": contract.activated_at}


def start(web, contract, pin=None):
    return web.submit("/ib/admin/activation", {"contract_number": contract.contract_number,
                                                "registration_pin": pin or contract.registration_pin})


def test_I_2_1_admin_logon_screen_links_to_activation(web):
    web.get("/ib/admin/logon")
    assert h1(web.html) == "管理者ログオン"
    assert '<a href="/ib/admin/activation">開通確認</a>' in web.html
    assert '<a href="/ib/admin/certificate">電子証明書取得</a>' in web.html


def test_I_2_2_asks_contract_number_and_registration_pin(web):
    web.get("/ib/admin/activation")
    assert h1(web.html) == "開通確認"
    assert '<label for="contract_number">利用者番号</label>' in web.html
    assert '<label for="registration_pin">ご契約先登録用暗証番号</label>' in web.html


def test_I_2_2_right_answers_lead_to_I_2_3(web, provision):
    response = start(web, provision())
    assert response.headers["Location"] == "/ib/admin/activation/pins"
    web.follow(response)
    assert h1(web.html) == "暗証番号・Eメールアドレス設定"
    for label in ("ご契約先暗証番号", "ご契約先確認暗証番号", "ご契約先Eメールアドレス"):
        assert f">{label}</label>" in web.html


def test_I_2_2_full_width_contract_number_is_accepted(web, provision):
    contract = provision()
    full_width = contract.contract_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert start(web, contract.__class__(**{**contract.__dict__, "contract_number": full_width})).status_code == 302


def test_I_2_2_unknown_contract_number(web, provision):
    provision(contract_number="12345678901")
    response = web.submit("/ib/admin/activation", {"contract_number": "12345678902", "registration_pin": "1234"})
    assert response.status_code == 200
    assert alert(web.html) == "利用者番号またはご契約先登録用暗証番号が正しくありません。お客様カードと申込書控えをご確認ください。"
    assert 'value="12345678902"' in web.html  # kept: it is safe to show again


def test_I_2_2_wrong_registration_pin_counts_towards_lockout(app, web, provision):
    contract = provision(registration_pin="2580")
    start(web, contract, pin="0852")
    # the same answer as for an unknown number (issue 12: no oracle of which numbers exist), no count left shown
    assert alert(web.html) == "利用者番号またはご契約先登録用暗証番号が正しくありません。お客様カードと申込書控えをご確認ください。"
    assert "0852" not in web.html
    state = admin_of(app, contract.contract_number)
    assert state["failed"] == 1 and state["status"] == PENDING


def test_I_2_2_lockout_after_the_configured_count(app, web, provision):
    contract = provision(registration_pin="2580")
    for _ in range(5):
        start(web, contract, pin="0000")
    start(web, contract, pin="0000")
    assert alert(web.html) == "暗証番号の誤りが規定回数（6回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"
    assert admin_of(app, contract.contract_number)["locked"]
    # Locked: even the right PIN is refused now.
    assert start(web, contract).status_code == 200
    assert "ご利用を停止しています" in alert(web.html)


def test_I_2_2_lockout_count_is_configurable(app, web, provision):
    app.config["LOCKOUT_THRESHOLD"] = 2
    contract = provision(registration_pin="2580")
    start(web, contract, pin="0000")
    assert alert(web.html) == "利用者番号またはご契約先登録用暗証番号が正しくありません。お客様カードと申込書控えをご確認ください。"
    start(web, contract, pin="0000")
    assert alert(web.html) == "暗証番号の誤りが規定回数（2回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"


@pytest.mark.parametrize("data, field, message", [
    ({"contract_number": "123", "registration_pin": "1234"}, "contract_number", "利用者番号は11桁の数字で入力してください（全角数字は半角として扱います）。"),
    ({"contract_number": "12345678901", "registration_pin": "１２３４"}, "registration_pin", "全角文字は使用できません。ご契約先登録用暗証番号は半角数字4桁で入力してください。"),
    ({"contract_number": "12345678901", "registration_pin": ""}, "registration_pin", "ご契約先登録用暗証番号を入力してください。"),
])
def test_I_2_2_malformed_input_is_refused_without_counting(app, web, provision, data, field, message):
    provision(contract_number="12345678901")
    web.submit("/ib/admin/activation", data)
    assert field_error(web.html, field) == message
    assert 'aria-describedby="%s-error"' % field in web.html
    assert admin_of(app, "12345678901")["failed"] == 0


def test_I_2_3_cannot_be_reached_without_I_2_2(web):
    response = web.get("/ib/admin/activation/pins")
    assert response.headers["Location"] == "/ib/admin/activation"
    web.follow(response)
    assert "最初からやり直してください" in alert(web.html)


@pytest.mark.parametrize("data, field, message", [
    ({"logon_pin": "abcdefg", "confirmation_pin": ADMIN_CONFIRMATION_PIN}, "logon_pin", "英字と数字を組み合わせてください。"),
    ({"logon_pin": "abc123", "confirmation_pin": ADMIN_CONFIRMATION_PIN}, "logon_pin", "推測されやすい暗証番号は使用できません。"),
    ({"logon_pin": "Ｋａｎｒｉ２０２４", "confirmation_pin": ADMIN_CONFIRMATION_PIN}, "logon_pin", "全角文字は使用できません。半角英数字で入力してください。"),
    ({"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_PIN}, "confirmation_pin", "ご契約先確認暗証番号はご契約先暗証番号と異なるものを設定してください。"),
    ({"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN, "email": "keiri@"}, "email", "Eメールアドレスの形式が正しくありません（例：keiri@example.co.jp）。"),
    ({"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN, "email": ""}, "email", "ご契約先Eメールアドレスを入力してください。"),
    ({"logon_pin": ADMIN_PIN, "logon_pin_again": ADMIN_PIN.upper(), "confirmation_pin": ADMIN_CONFIRMATION_PIN},
     "logon_pin_again", "ご契約先暗証番号（確認のため再入力）がご契約先暗証番号と一致しません。同じ暗証番号を入力してください。"),
    ({"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN, "confirmation_pin_again": ""},
     "confirmation_pin_again", "ご契約先確認暗証番号（確認のため再入力）がご契約先確認暗証番号と一致しません。同じ暗証番号を入力してください。"),
])
def test_I_2_3_refusals_change_nothing(app, web, provision, data, field, message):
    contract = provision()
    web.follow(start(web, contract))
    response = web.post("/ib/admin/activation/pins", typed_again({"email": "keiri@example.co.jp", **data}))
    assert response.status_code == 200
    assert field_error(web.html, field) == message
    for pin in (data["logon_pin"], data["confirmation_pin"]):
        assert pin not in web.html  # PINs are never filled in again
    if field != "email":
        assert 'value="keiri@example.co.jp"' in web.html  # what is safe to keep is kept
    state = admin_of(app, contract.contract_number)
    assert state["pin"] is None and state["email"] is None


def test_I_2_3_pin_containing_the_contract_number_is_refused(web, provision):
    contract = provision()
    web.follow(start(web, contract))
    web.post("/ib/admin/activation/pins", typed_again({"logon_pin": "a" + contract.contract_number, "confirmation_pin": ADMIN_CONFIRMATION_PIN,
                                          "email": "keiri@example.co.jp"}))
    assert field_error(web.html, "logon_pin") == "推測されやすい暗証番号は使用できません。"


def to_otp(web, contract):
    web.follow(start(web, contract))
    web.follow(web.post("/ib/admin/activation/pins", typed_again({"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN,
                                                     "email": "keiri@example.co.jp"})))


def test_I_2_4_asks_the_fixed_cells_of_the_card(web, provision):
    contract = provision(challenge_cells=["ウ", "カ"])
    to_otp(web, contract)
    assert h1(web.html) == "ワンタイムパスワード入力"
    assert "<legend>ワンタイムパスワード</legend>" in web.html
    assert '<label for="cell0">確認用パスワード（ウ）</label>' in web.html
    assert '<label for="cell1">確認用パスワード（カ）</label>' in web.html


def test_I_2_4_and_I_2_5_right_answer_completes_activation(app, web, provision):
    contract = provision()
    to_otp(web, contract)
    response = web.post("/ib/admin/activation/otp", contract.answers(web.html))
    assert response.headers["Location"] == "/ib/admin/activation/done"
    web.follow(response)
    assert h1(web.html) == "開通確認完了"
    assert "管理者の開通確認が完了しました。" in web.html
    assert '<form method="get" action="/ib/">' in web.html and '<button type="submit">閉じる</button>' in web.html
    state = admin_of(app, contract.contract_number)
    assert state["status"] == ACTIVE and state["activated"] and state["email"] == "keiri@example.co.jp"


def test_I_2_4_totp_contract_asks_the_token_code(web, provision):
    contract = provision(otp="totp")
    to_otp(web, contract)
    assert '<label for="token">ワンタイムパスワード</label>' in web.html
    assert web.post("/ib/admin/activation/otp", contract.answers(web.html)).headers["Location"] == "/ib/admin/activation/done"


def test_I_2_4_wrong_answer_counts_and_asks_other_cells(app, web, provision):
    contract = provision()
    to_otp(web, contract)
    answers = {k: "00" if v != "00" else "01" for k, v in contract.answers(web.html).items()}
    response = web.post("/ib/admin/activation/otp", answers)
    assert response.status_code == 200
    assert alert(web.html).startswith("ワンタイムパスワードが正しくありません。あと5回誤るとご利用を停止します。")
    state = admin_of(app, contract.contract_number)
    assert state["failed"] == 1 and state["status"] == PENDING and state["activated"] is None


def test_I_2_4_a_challenge_cannot_be_answered_twice(app, web, provision):
    contract = provision()
    to_otp(web, contract)
    first_answers = contract.answers(web.html)
    replayed_session = web.client.get_cookie("__Host-ibcert_session").value
    wrong = {k: "00" if v != "00" else "01" for k, v in first_answers.items()}
    web.post("/ib/admin/activation/otp", wrong)
    # Even with the session of the first screen restored, its (now used) challenge cannot be answered again.
    web.client.set_cookie("__Host-ibcert_session", replayed_session, domain="localhost")
    response = web.post("/ib/admin/activation/otp", first_answers)
    assert response.status_code == 200
    assert alert(web.html) == "確認用パスワードの入力欄が更新されました。表示された欄の確認用パスワードを入力してください。"
    assert admin_of(app, contract.contract_number)["activated"] is None


def test_I_2_4_lockout_by_one_time_passwords(app, web, provision):
    app.config["LOCKOUT_THRESHOLD"] = 3
    contract = provision()
    to_otp(web, contract)
    for _ in range(3):
        answers = {k: "00" if v != "00" else "01" for k, v in contract.answers(web.html).items()}
        response = web.post("/ib/admin/activation/otp", answers)
    assert response.headers["Location"] == "/ib/admin/activation"
    web.follow(response)
    assert alert(web.html) == "ワンタイムパスワードの誤りが規定回数（3回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"
    assert admin_of(app, contract.contract_number)["locked"]


def test_I_2_4_malformed_answer_does_not_use_the_challenge(app, web, provision):
    contract = provision(challenge_cells=["ア", "イ"])
    to_otp(web, contract)
    web.post("/ib/admin/activation/otp", {"cell0": "1", "cell1": ""})
    assert field_error(web.html, "cell0") == "確認用パスワード（ア）はお客様カードに記載の2桁の数字で入力してください。"
    assert field_error(web.html, "cell1") == "確認用パスワード（イ）を入力してください。"
    assert admin_of(app, contract.contract_number)["failed"] == 0
    assert web.post("/ib/admin/activation/otp", {"cell0": contract.card["ア"], "cell1": contract.card["イ"]}).status_code == 302


def test_I_2_5_cannot_be_shown_without_the_steps_before(web):
    assert web.get("/ib/admin/activation/done").headers["Location"] == "/ib/admin/activation"


def test_I_2_2_activation_is_done_once(web, walk):
    contract = walk.activate_admin()
    start(web, contract)
    assert alert(web.html) == "この利用者番号の開通確認は完了しています。"


def test_I_2_4_wrong_one_time_password_count_resets_on_success(app, web, provision):
    contract = provision()
    to_otp(web, contract)
    wrong = {k: "00" if v != "00" else "01" for k, v in contract.answers(web.html).items()}
    web.post("/ib/admin/activation/otp", wrong)
    web.post("/ib/admin/activation/otp", contract.answers(web.html))
    assert admin_of(app, contract.contract_number)["failed"] == 0


def test_I_2_3_changes_nothing_before_the_one_time_password(app, web, provision):
    contract = provision()
    to_otp(web, contract)
    assert admin_of(app, contract.contract_number) == {"status": PENDING, "failed": 0, "locked": False, "pin": None,
                                                        "email": None, "activated": None}


@pytest.mark.parametrize("kept_at", ["pins", "otp"])
def test_a_kept_cookie_cannot_redo_the_activation_of_an_active_administrator(app, web, provision, kept_at):
    """Issue 12 #1: a cookie kept from I-2.2 (or I-2.3), posted again after the real administrator finished 開通確認,
    changes nothing: no new PINs, no new e-mail address — with or without a one-time password."""
    contract = provision()
    web.follow(start(web, contract))
    if kept_at == "otp":
        web.follow(web.post("/ib/admin/activation/pins", typed_again({"logon_pin": "Attack1234x", "confirmation_pin": "Attack5678y",
                                                          "email": "attacker@example.com"})))
    kept = web.client.get_cookie("__Host-ibcert_session").value
    attacker_answers = contract.answers(web.html) if kept_at == "otp" else None
    web.client.delete_cookie("__Host-ibcert_session", domain="localhost")
    to_otp(web, contract)  # the real administrator
    web.follow(web.post("/ib/admin/activation/otp", contract.answers(web.html)))
    before = admin_of(app, contract.contract_number)
    assert before["status"] == ACTIVE

    web.client.set_cookie("__Host-ibcert_session", kept, domain="localhost")
    web.get("/ib/admin/activation")  # a CSRF token for the replay
    if kept_at == "pins":
        response = web.post("/ib/admin/activation/pins", typed_again({"logon_pin": "Attack1234x", "confirmation_pin": "Attack5678y",
                                                          "email": "attacker@example.com"}))
    else:
        response = web.post("/ib/admin/activation/otp", attacker_answers)
    assert response.headers["Location"] == "/ib/admin/activation"
    assert admin_of(app, contract.contract_number) == before


def test_an_unknown_number_is_answered_as_a_known_one_with_a_wrong_pin_at_the_same_cost(app, web, provision,
                                                                                         monkeypatch):
    """Issue 12: the form is no oracle of which 利用者番号 exist — same screen, same words, and the same work: an
    unknown number costs the PIN hash a known one's wrong PIN costs (counted, not timed: the scrypt calls and their
    cost, whatever the machine's load)."""
    contract = provision(registration_pin="2580")
    unknown = f"{(int(contract.contract_number) + 1) % 10**11:011d}"
    hashed, scrypt = [], hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *args, **kw: hashed.append(kw["n"]) or scrypt(*args, **kw))

    def answer(number):
        hashed.clear()
        web.submit("/ib/admin/activation", {"contract_number": number, "registration_pin": "0852"})
        return alert(web.html), field_error(web.html, "contract_number"), list(hashed)

    answer(unknown)  # the first makes the stand-in hash it checks against (made once, kept)
    known, unknowns = answer(contract.contract_number), answer(unknown)
    assert known[:2] == unknowns[:2]
    assert known[2] == unknowns[2] == [2 ** app.config["PIN_KDF_COST"]]
