"""The bank's pages (I-1.1, I-1.2), the bank-side JSON API and CLI that provision contracts, and the testing clock."""

import datetime as dt
import re

import pytest

from conftest import OPERATOR_TOKEN, h1
from refserver import create_app

AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


def test_I_1_1_bank_home_links_to_the_corporate_service(web):
    response = web.get("/")
    assert response.status_code == 200
    assert h1(web.html) == "目黒信用金庫"
    assert '<a class="tile" href="/ib/">法人・個人事業主</a>' in web.html
    assert "<title>目黒信用金庫 | めぐるビジネス・インターネットバンキングサービス</title>" in web.html


def test_I_1_1_bank_name_is_configurable(tmp_path, pki):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PKI_DIR": str(pki.state_dir),
                      "SECRET_KEY": "x", "BANK_NAME": "目白信用金庫"})
    html = app.test_client().get("/").get_data(as_text=True)
    assert "<h1>目白信用金庫</h1>" in html


def test_I_1_2_service_top_has_both_logons(web):
    web.get("/ib/")
    assert h1(web.html) == "サービストップ"
    assert '<a class="tile" href="/ib/admin/logon">管理者ログオン</a>' in web.html
    assert '<a class="tile" href="/ib/user/logon">利用者ログオン</a>' in web.html


def test_healthz(web):
    response = web.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def post(app, body=None, headers=AUTH, **kwargs):
    return app.test_client().post("/api/contracts", json=body if body is not None else {}, headers=headers, **kwargs)


@pytest.mark.databases
def test_api_creates_a_contract_with_defaults(app):
    response = post(app)
    assert response.status_code == 201
    data = response.get_json()
    assert re.fullmatch(r"[0-9]{11}", data["contract_number"])
    assert re.fullmatch(r"[0-9]{4}", data["registration_pin"])
    assert list(data["card"]) == list("アイウエオカキク")
    assert data["otp"] == "card" and data["totp_secret"] is None
    assert dt.datetime.fromisoformat(data["applied_at"]).tzinfo is not None


def test_api_takes_every_value(app):
    card = {c: f"{i}{i}" for i, c in enumerate("アイウエオカキク", 1)}
    data = post(app, {"contract_number": "12345678901", "registration_pin": "4321", "card": card, "otp": "totp",
                      "applied_days_ago": 79, "challenge_cells": ["ウ", "カ"]}).get_json()
    assert data["contract_number"] == "12345678901" and data["registration_pin"] == "4321"
    assert data["card"] == card and data["otp"] == "totp" and re.fullmatch(r"[A-Z2-7]{32}", data["totp_secret"])
    with app.app_context():
        from refserver import clock
        applied = dt.datetime.fromisoformat(data["applied_at"])
        assert abs((clock.now() - applied) - dt.timedelta(days=79)) < dt.timedelta(minutes=1)


CELLS_PROBLEM = "challenge_cells には ア・イ・ウ・エ・オ・カ・キ・ク のうち異なる2つの欄を指定してください。"


@pytest.mark.parametrize("body, message", [
    ({"contract_number": "1234"}, "contract_number は11桁の数字の文字列で指定してください。"),
    ({"contract_number": 12345678901}, "contract_number は11桁の数字の文字列で指定してください。"),
    ({"registration_pin": "12345"}, "registration_pin は4桁の数字の文字列で指定してください。"),
    ({"card": {"ア": "11"}}, "card には ア・イ・ウ・エ・オ・カ・キ・ク の8つの欄をすべて指定してください。"),
    ({"card": {c: "1" for c in "アイウエオカキク"}}, "card の各欄は2桁の数字の文字列で指定してください。"),
    ({"card": {c: 11 for c in "アイウエオカキク"}}, "card の各欄は2桁の数字の文字列で指定してください。"),
    ({"otp": "sms"}, "otp は \"card\" または \"totp\" を指定してください。"),
    ({"applied_days_ago": -1}, "applied_days_ago は0以上の整数で指定してください。"),
    ({"applied_days_ago": "3"}, "applied_days_ago は0以上の整数で指定してください。"),
    ({"applied_days_ago": 10**9}, "applied_days_ago は36500以下で指定してください。"),
    ({"challenge_cells": ["ア"]}, CELLS_PROBLEM),
    ({"challenge_cells": ["ア", "ア"]}, CELLS_PROBLEM),
    ({"challenge_cells": ["ア", "ケ"]}, CELLS_PROBLEM),
    ({"challenge_cells": ["アイ", "ウ"]}, CELLS_PROBLEM),
    ({"challenge_cells": [{}, {}]}, CELLS_PROBLEM),
    ({"challenge_cells": [1, "ア"]}, CELLS_PROBLEM),
    ({"challenge_cells": "アイ"}, CELLS_PROBLEM),
    ({"surprise": 1}, "指定できない項目があります：surprise"),
])
def test_api_refuses_bad_input_with_a_japanese_message(app, body, message):
    response = post(app, body)
    assert response.status_code == 400
    assert response.get_json()["error"] == message


def test_api_refuses_a_body_that_is_not_a_json_object(app):
    response = app.test_client().post("/api/contracts", data="[", headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "リクエスト本文はJSONオブジェクトで指定してください。"


@pytest.mark.databases
def test_api_duplicate_contract_number_is_409(app):
    assert post(app, {"contract_number": "12345678901"}).status_code == 201
    response = post(app, {"contract_number": "12345678901"})
    assert response.status_code == 409
    assert response.get_json()["error"] == "利用者番号 12345678901 のご契約は既に登録されています。"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": OPERATOR_TOKEN}])
def test_api_wrong_or_missing_token_is_401(app, headers):
    response = post(app, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "運用者トークンが正しくありません。"


def test_api_without_an_operator_token_configured_is_403(tmp_path, pki):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PKI_DIR": str(pki.state_dir),
                      "SECRET_KEY": "x", "OPERATOR_TOKEN": None})
    response = post(app, headers={"Authorization": "Bearer "})
    assert response.status_code == 403
    assert "IBCERT_OPERATOR_TOKEN" in response.get_json()["error"]


def production_app(tmp_path, pki):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "PKI_DIR": str(pki.state_dir),
                       "SECRET_KEY": "x", "OPERATOR_TOKEN": OPERATOR_TOKEN})


def test_api_challenge_cells_only_in_testing_mode(tmp_path, pki):
    response = post(production_app(tmp_path, pki), {"challenge_cells": ["ウ", "カ"]})
    assert response.status_code == 400
    assert response.get_json()["error"] == "challenge_cells はテストモードでのみ指定できます。"


@pytest.mark.databases
def test_clock_can_be_read_advanced_and_set_in_testing_mode(app):
    client = app.test_client()
    before = dt.datetime.fromisoformat(client.get("/api/clock", headers=AUTH).get_json()["now"])
    after = client.post("/api/clock", json={"advance_days": 81}, headers=AUTH).get_json()["now"]
    assert dt.timedelta(days=81) <= dt.datetime.fromisoformat(after) - before < dt.timedelta(days=81, minutes=1)
    moved = client.post("/api/clock", json={"now": "2030-01-02T03:04:05+09:00"}, headers=AUTH).get_json()["now"]
    assert abs(dt.datetime.fromisoformat(moved) - dt.datetime(2030, 1, 1, 18, 4, 5, tzinfo=dt.timezone.utc)) < dt.timedelta(minutes=1)


@pytest.mark.parametrize("body", [{}, {"advance_days": "1"}, {"now": "yesterday"}, {"advance_days": 1, "now": "2030-01-01"},
                                  {"advance_days": 1e300}, {"advance_days": float("nan")},
                                  {"now": "0001-01-01T00:00:00+09:00"}, {"advance_days": 1e12},
                                  {"advance_days": -1e6}])
def test_clock_refuses_bad_moves(app, body):
    response = app.test_client().post("/api/clock", json=body, headers=AUTH)
    assert response.status_code == 400 and response.get_json()["error"]


def test_clock_needs_the_token(app):
    assert app.test_client().get("/api/clock").status_code == 401


def test_clock_cannot_move_outside_testing_mode(tmp_path, pki):
    client = production_app(tmp_path, pki).test_client()
    assert client.post("/api/clock", json={"advance_days": 1}, headers=AUTH).status_code == 404
    now = dt.datetime.fromisoformat(client.get("/api/clock", headers=AUTH).get_json()["now"])
    assert abs(now - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)


def test_frozen_clock_stands_still_and_moves_when_told(tmp_path, pki):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}", "PKI_DIR": str(pki.state_dir),
                      "SECRET_KEY": "x", "OPERATOR_TOKEN": OPERATOR_TOKEN, "TESTING": True,
                      "FROZEN_NOW": "2026-04-01T09:00:00+09:00"})
    client = app.test_client()
    assert client.get("/api/clock", headers=AUTH).get_json()["now"] == "2026-04-01T00:00:00+00:00"
    assert client.post("/api/clock", json={"advance_days": 1}, headers=AUTH).get_json()["now"] == "2026-04-02T00:00:00+00:00"
    assert client.get("/api/clock", headers=AUTH).get_json()["now"] == "2026-04-02T00:00:00+00:00"


def test_frozen_clock_is_refused_outside_testing_mode(tmp_path, pki):
    with pytest.raises(RuntimeError, match="testing mode"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}", "PKI_DIR": str(pki.state_dir),
                    "SECRET_KEY": "x", "FROZEN_NOW": "2026-04-01T09:00:00+09:00"})


def test_cli_prints_the_customer_card_and_registration_pin(app):
    result = app.test_cli_runner().invoke(args=["contract", "create", "--number", "12345678901",
                                                "--registration-pin", "2580"])
    assert result.exit_code == 0, result.output
    assert "■利用者番号 12345678901" in result.output
    assert "ア イ ウ エ オ カ キ ク" in result.output
    assert re.search(r"^   (\d\d ){7}\d\d$", result.output, re.M)
    assert "■ご契約先登録用暗証番号 2580" in result.output


def test_cli_totp_contract_prints_the_token_secret(app):
    result = app.test_cli_runner().invoke(args=["contract", "create", "--otp", "totp"])
    assert result.exit_code == 0 and "otpauth://totp/" in result.output


def test_cli_refuses_a_duplicate_number_in_japanese(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["contract", "create", "--number", "12345678901"])
    result = runner.invoke(args=["contract", "create", "--number", "12345678901"])
    assert result.exit_code != 0
    assert "既に登録されています" in result.output
