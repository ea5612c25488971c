"""振込, the transaction that needs チ and 権限 (refserver/transfer.py): only a user whose 権限 has 振込・振替 sees and
reaches it; the input's rules; a wrong チ counts towards the lockout (N−1 leaves the ID open, N locks); one
confirmation makes at most one transfer, however often or however concurrently it is submitted; 受付番号 are unique."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import (ADMIN_CONFIRMATION_PIN, USER_CONFIRMATION_PIN, USER_PIN, Provisioned, WebClient, alert,
                      field_error, h1)
from refserver import transfer
from refserver.models import Principal, Transfer, db
from spec.cases import case_changed

ENTRY, CONFIRM, DONE = "/ib/user/transfer", "/ib/user/transfer/confirm", "/ib/user/transfer/done"
PAYEE = {"account_number": "1234567", "payee_name": "メグロシヨウジ", "amount": "50000"}
REFUSED = "権限に「振込・振替」がないため、振込はご利用いただけません。"


def logged_on_user(walk, user_id: str = "keiri01", permissions=("残高照会", "振込・振替")) -> Provisioned:
    """A user who set ト and チ (II-2.5), logged on at 利用者ステータス in walk.web."""
    contract = walk.set_up("user_activated", user_id, permissions)
    walk.web.follow(walk.certificate_logon("user", contract.certificates["user"], USER_PIN))
    assert h1(walk.web.html) == "利用者ステータス"
    return contract


def at_confirmation(web, payee: dict = PAYEE):
    """振込 entered: on 振込内容確認."""
    response = web.submit(ENTRY, payee)
    assert response.headers.get("Location") == CONFIRM, field_error(web.html, "amount") or web.html
    web.get(CONFIRM)
    assert h1(web.html) == "振込内容確認"


def transfers(app) -> list[tuple]:
    with app.app_context():
        return [(t.account_number, t.payee_name, t.amount, t.receipt_number)
                for t in db.session.scalars(db.select(Transfer).where(Transfer.accepted_at.is_not(None)))]


def user_row(app, user_id: str = "keiri01") -> Principal:
    with app.app_context():
        user = db.session.scalar(db.select(Principal).filter_by(user_id=user_id))
        db.session.expunge(user)
        return user


# -- who may --------------------------------------------------------------------------------------------------------
@pytest.mark.databases
def test_a_user_with_the_permission_transfers_with_chi(app, web, walk):
    logged_on_user(walk)
    assert f'<a href="{ENTRY}">振込</a>' in web.html
    at_confirmation(web, {"account_number": "１２３４５６７", "payee_name": "ﾒｸﾞﾛ　ｼｮｳｼﾞ", "amount": "1,000"})
    assert "メグロ ショウジ" in web.html and "1,000円" in web.html and transfers(app) == []  # nothing before チ
    response = web.post(CONFIRM, {"confirmation_pin": USER_CONFIRMATION_PIN})
    assert response.headers["Location"] == DONE
    web.get(DONE)
    assert h1(web.html) == "振込受付完了" and "振込を受け付けました。" in web.html
    [(number, name, amount, receipt)] = transfers(app)
    assert (number, name, amount) == ("1234567", "メグロ ショウジ", 1000)
    assert re.fullmatch(r"\d{8}-\d{8}", receipt) and f'aria-label="受付番号">{receipt}</output>' in web.html


def test_a_user_without_the_permission_sees_no_link_and_is_refused_at_every_screen(app, web, walk):
    logged_on_user(walk, permissions=("残高照会", "入出金明細照会"))
    assert ENTRY not in web.html
    posted = {**PAYEE, "confirmation_pin": USER_CONFIRMATION_PIN}
    for method, path in (("get", ENTRY), ("post", ENTRY), ("get", CONFIRM), ("post", CONFIRM), ("get", DONE)):
        web.get("/ib/user/status")  # a screen of the user's, for its CSRF token
        response = web.post(path, posted) if method == "post" else web.get(path)
        assert response.status_code == 403 and h1(web.html) == "ご利用いただけない取引", (method, path)
        assert REFUSED in alert(web.html) and "<input id=" not in web.html  # never the form
    assert transfers(app) == [] and user_row(app).failed_attempts == 0


def test_the_permission_is_judged_at_every_request_the_administrators_change_included(app, web, walk):
    """The administrator takes 振込・振替 away on 利用者情報変更 while the user is at 振込内容確認: the right チ then
    transfers nothing; given back, the link shows again."""
    contract = logged_on_user(walk)
    at_confirmation(web)
    walk.web = admin = WebClient(app)
    walk.admin_logon(contract, contract.certificates["admin"])

    def change(*permissions):
        admin.get("/ib/admin/users/keiri01")
        response = admin.post("/ib/admin/users/keiri01/permissions",
                              {"permissions": list(permissions), "confirmation_pin": ADMIN_CONFIRMATION_PIN})
        assert response.status_code == 302, alert(admin.html)

    change("残高照会")
    assert web.post(CONFIRM, {"confirmation_pin": USER_CONFIRMATION_PIN}).status_code == 403
    web.get("/ib/user/status")
    assert ENTRY not in web.html and transfers(app) == []
    change("残高照会", "振込・振替")
    web.get("/ib/user/status")
    assert f'<a href="{ENTRY}">振込</a>' in web.html


def test_the_administrator_has_no_transfer_screen(web, walk):
    """The manual gives チ, the PIN of transactions, to users alone: an administrator's logon is no user's."""
    contract, pem = walk.admin_ready()
    walk.admin_logon(contract, pem)
    response = web.get(ENTRY)
    assert response.status_code == 302 and response.headers["Location"] == "/ib/user/logon"


def test_no_transfer_or_another_users_is_out_of_order(app, web, walk):
    """振込内容確認 and 振込受付完了 show only the transfer this browser entered, of the user logged on in it."""
    walk.web = WebClient(app)
    logged_on_user(walk, "keiri02")
    at_confirmation(walk.web)
    with walk.web.client.session_transaction() as session:
        someone_elses = session["transfer"]
    walk.web = web
    logged_on_user(walk)
    for path in (CONFIRM, DONE):
        assert web.get(path).headers["Location"] == ENTRY
    with web.client.session_transaction() as session:
        session["transfer"] = someone_elses
    assert web.get(CONFIRM).headers["Location"] == ENTRY
    web.get("/ib/user/status")  # for a CSRF token
    assert web.post(CONFIRM, {"confirmation_pin": USER_CONFIRMATION_PIN}).headers["Location"] == ENTRY
    assert transfers(app) == []


# -- the input's rules ----------------------------------------------------------------------------------------------
LIMIT = 10_000_000


def _case(name: str, field: str, value: str, message: str):
    return pytest.param(field, value, message, id=name)


@pytest.mark.parametrize("field, value, message", [
    _case("account:empty", "account_number", "", "振込先口座番号を入力してください。"),
    _case("account:min-1", "account_number", "123456",
          "振込先口座番号は7桁の数字で入力してください（全角数字は半角として扱います）。"),
    _case("account:max+1", "account_number", "12345678", "振込先口座番号は7桁の数字で入力してください"),
    _case("account:letter", "account_number", "12a4567", "振込先口座番号は7桁の数字で入力してください"),
    _case("payee:blank", "payee_name", " 　", "受取人名を入力してください。"),
    _case("payee:latin", "payee_name", "Meguro", "受取人名はカタカナで入力してください（漢字・英数字・記号は使用できません）。"),
    _case("payee:kanji", "payee_name", "目黒商事", "受取人名はカタカナで入力してください"),
    _case("payee:symbol", "payee_name", "メグロ<script>", "受取人名はカタカナで入力してください"),
    _case("payee:max+1", "payee_name", "ア" * 31, "受取人名は30文字以内で入力してください。"),
    _case("amount:empty", "amount", "", "振込金額を入力してください。"),
    _case("amount:min-1", "amount", "0", "振込金額は1円以上10,000,000円以下で入力してください。"),
    _case("amount:max+1", "amount", str(LIMIT + 1), "振込金額は1円以上10,000,000円以下で入力してください。"),
    _case("amount:5000-digits", "amount", "9" * 5000, "振込金額は1円以上10,000,000円以下で入力してください。"),
    _case("amount:zeros-then-4400-digits", "amount", "0" * 5000 + "1" * 4400,
          "振込金額は1円以上10,000,000円以下で入力してください。"),
    _case("amount:negative", "amount", "-1", "振込金額は円単位の数字で入力してください。"),
    _case("amount:decimal", "amount", "1.5", "振込金額は円単位の数字で入力してください。"),
])
def test_refused_input_says_why_in_japanese_and_changes_nothing(app, web, walk, field, value, message):
    logged_on_user(walk)
    response = web.submit(ENTRY, {**PAYEE, field: value})
    assert response.status_code == 200 and h1(web.html) == "振込"
    assert message in field_error(web.html, field)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Transfer)) == 0


@pytest.mark.parametrize("value", ["1", str(LIMIT), "10,000,000", "０１０００"])
def test_amounts_from_one_yen_to_the_limit_are_taken(web, walk, value):
    logged_on_user(walk)
    at_confirmation(web, {**PAYEE, "amount": value})


def test_the_limit_is_the_banks_setting(app, web, walk):
    app.config["TRANSFER_LIMIT"] = 500
    logged_on_user(walk)
    web.submit(ENTRY, {**PAYEE, "amount": "501"})
    assert field_error(web.html, "amount") == "振込金額は1円以上500円以下で入力してください。"
    at_confirmation(web, {**PAYEE, "amount": "500"})


# -- チ and the lockout ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("misses", ["N-1", "N"])
def test_wrong_chi_counts_towards_the_lockout(app, web, walk, misses):
    """Wrong チ (the first with its case changed: rule:チ:case) at 振込内容確認: N−1 leave the ID open and the right
    チ transfers; N lock it, end the logon and transfer nothing."""
    app.config["LOCKOUT_THRESHOLD"] = 3
    logged_on_user(walk)
    at_confirmation(web)
    count = 2 if misses == "N-1" else 3
    for n in range(1, count + 1):
        wrong = case_changed(USER_CONFIRMATION_PIN) if n == 1 else f"Wrong{n}x"
        response = web.post(CONFIRM, {"confirmation_pin": wrong})
        assert transfers(app) == []
    if misses == "N-1":
        assert field_error(web.html, "confirmation_pin") == ("利用者確認暗証番号が正しくありません。"
                                                             "あと1回誤るとご利用を停止します。")
        assert web.post(CONFIRM, {"confirmation_pin": USER_CONFIRMATION_PIN}).headers["Location"] == DONE
        assert len(transfers(app)) == 1 and user_row(app).failed_attempts == 0
        return
    assert response.headers["Location"] == "/ib/user/logon"
    web.follow(response)
    assert alert(web.html) == ("利用者確認暗証番号の誤りが規定回数（3回）に達したため、ご利用を停止しました。"
                               "当金庫までご連絡ください。")
    assert user_row(app).locked_at is not None
    assert web.get(CONFIRM).headers["Location"] == "/ib/user/logon"  # the logon has ended
    assert transfers(app) == []


def test_an_empty_or_overlong_chi_is_refused_before_it_is_judged(app, web, walk):
    logged_on_user(walk)
    at_confirmation(web)
    for pin, message in (("", "利用者確認暗証番号を入力してください。"), ("a1" * 20, "利用者確認暗証番号は12桁以内の半角英数字です。")):
        web.post(CONFIRM, {"confirmation_pin": pin})
        assert field_error(web.html, "confirmation_pin") == message
    assert user_row(app).failed_attempts == 0 and transfers(app) == []


# -- one confirmation, one transfer -----------------------------------------------------------------------------------
def test_a_confirmation_submitted_again_transfers_nothing_more_and_is_not_judged(app, web, walk):
    logged_on_user(walk)
    at_confirmation(web)
    confirmation = web.html
    assert web.post(CONFIRM, {"confirmation_pin": USER_CONFIRMATION_PIN}).headers["Location"] == DONE
    for pin in (USER_CONFIRMATION_PIN, "Wrong1x"):  # the back button, then 振込を実行 again
        web.html = confirmation
        response = web.post(CONFIRM, {"confirmation_pin": pin})
        assert response.headers["Location"] == DONE
        web.follow(response)
        assert "この振込は受付済みです。" in alert(web.html)
    assert len(transfers(app)) == 1 and user_row(app).failed_attempts == 0


@pytest.mark.databases
def test_concurrent_confirmations_make_exactly_one_transfer(app, web, walk):
    """Five submits of one confirmation at once (a double click, several workers; fewer than the lockout's 6, whose
    reserved attempts they share): one accepts the transfer, the others are told it is accepted already."""
    contract = logged_on_user(walk)
    at_confirmation(web)
    cookie = web.client.get_cookie("__Host-ibcert_session", domain="localhost")
    start = threading.Barrier(5)

    def submit(_) -> tuple[str | None, str | None]:
        browser = WebClient(app)
        browser.present(contract.certificates["user"])
        browser.client.set_cookie(cookie.key, cookie.value, domain="localhost")
        browser.html = web.html
        start.wait()
        response = browser.post(CONFIRM, {"confirmation_pin": USER_CONFIRMATION_PIN})
        location = response.headers.get("Location")
        browser.follow(response)
        return location, alert(browser.html)

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(submit, range(5)))
    assert [location for location, _ in answers] == [DONE] * 5
    assert sorted(bool(told) and "この振込は受付済みです。" in told for _, told in answers) == [False] + [True] * 4
    assert len(transfers(app)) == 1


@pytest.mark.databases
def test_one_transfer_is_accepted_once_however_many_race(app, walk):
    """Six acceptances of one entered transfer at once, on the shared database (as six workers would): one takes it."""
    logged_on_user(walk)
    at_confirmation(walk.web)
    with app.app_context():
        transfer_id = db.session.scalar(db.select(Transfer.id))
    start = threading.Barrier(6)

    def accept(_) -> bool:
        with app.app_context():
            mine = db.session.get(Transfer, transfer_id)
            start.wait()
            return transfer.accept(mine)

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sorted(pool.map(accept, range(6))) == [False] * 5 + [True]


@pytest.mark.databases
def test_receipt_numbers_are_unique(app, walk):
    for user_id in ("keiri01", "keiri02"):
        walk.web = WebClient(app)
        logged_on_user(walk, user_id)
        for amount in ("1", "2", "3"):
            at_confirmation(walk.web, {**PAYEE, "amount": amount})
            assert walk.web.post(CONFIRM, {"confirmation_pin": USER_CONFIRMATION_PIN}).headers["Location"] == DONE
    receipts = [receipt for *_, receipt in transfers(app)]
    assert len(receipts) == 6 and len(set(receipts)) == 6


def test_every_form_refuses_a_missing_csrf_token(app, web, walk):
    logged_on_user(walk)
    at_confirmation(web)
    for path, data in ((ENTRY, PAYEE), (CONFIRM, {"confirmation_pin": USER_CONFIRMATION_PIN})):
        response = web.client.post(path, data=data, base_url="https://localhost",
                                   headers={"Referer": "https://localhost" + path})
        assert response.status_code == 400, path
        assert "画面の有効期限が切れたか" in response.get_data(as_text=True)
    assert transfers(app) == []
