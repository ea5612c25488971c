"""Set up through the API (testing mode): POST /api/contracts with "at" makes a contract at a named point of the
manual with the screens' own state changes, POST /api/contracts/<number>/certificates mints certificates bound to an
ID, GET /api/capabilities says what a suite can set up — and the client of pages/provisioning.py that calls them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask

from conftest import (ADMIN_CONFIRMATION_PIN, ADMIN_PIN, OPERATOR_TOKEN, TEMP_CONFIRMATION_PIN, TEMP_PIN,
                      USER_CONFIRMATION_PIN, USER_PIN, Provisioned, alert, cert_pem, h1, opened_pkcs12, user_pins)
from pages.provisioning import BankOperator, ProvisioningError, RegisteredUser
from refserver import auth, clock, jumps
from refserver.models import Certificate, Contract, Principal, db
from test_bank import production_app

AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
POINTS = ["applied", "activated", "admin_certified", "user_registered", "user_certified", "user_activated"]
PERMISSIONS = ["残高照会", "入出金明細照会", "振込・振替"]  # the menu's, in its order
ADMIN = {"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN, "email": "keiri@example.co.jp"}
USER = {"user_id": "keiri01", "name": "経理 花子", "temporary_logon_pin": TEMP_PIN,
        "temporary_confirmation_pin": TEMP_CONFIRMATION_PIN}
USER_OWN_PINS = {"logon_pin": USER_PIN, "confirmation_pin": USER_CONFIRMATION_PIN}
DROP = object()  # a value left out of the body

EXPIRED = "電子証明書の有効期限が切れています。電子証明書を取得し直してください。"
NOT_YET_VALID = "電子証明書の有効期間が始まっていません。"
WRONG_USAGE = "この電子証明書はログオンに使用できません（用途がクライアント認証ではありません）。"


def reaches(at: str, point: str) -> bool:
    return POINTS.index(at) >= POINTS.index(point)


def body_for(at: str, *, admin: dict | None = None, user: dict | None = None, **extra) -> dict:
    """The values *at* needs and no more, with *admin* / *user* changes on top (DROP leaves a value out)."""
    body = {"at": at, **extra}
    if reaches(at, "activated"):
        body["admin"] = ADMIN
    if reaches(at, "user_registered"):
        body["user"] = {**USER, **(USER_OWN_PINS if at == "user_activated" else {})}
    for section, changes in (("admin", admin), ("user", user)):
        if changes is not None:
            values = {**body.get(section, {}), **changes}
            body[section] = {key: value for key, value in values.items() if value is not DROP}
    return body


def post(app, path: str, body: dict):
    return app.test_client().post(path, json=body, headers=AUTH)


def set_up(app, at: str, **kwargs) -> dict:
    response = post(app, "/api/contracts", body_for(at, **kwargs))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def mint(app, contract_number: str, **body):
    return post(app, f"/api/contracts/{contract_number}/certificates", body)


def provisioned(data: dict) -> Provisioned:
    return Provisioned(data["contract_number"], data["registration_pin"], data["card"], data["otp"],
                       data["totp_secret"])


def opened(certificate: dict) -> x509.Certificate:
    """The certificate of a PKCS#12 file the API handed out, opened with the password handed out with it."""
    _key, cert, _chain = opened_pkcs12(certificate)
    assert cert.fingerprint(hashes.SHA256()).hex() == certificate["fingerprint"]
    assert f"{cert.serial_number:x}" == certificate["serial"]
    return cert


def rows(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                     for model in (Contract, Principal, Certificate))


def japanese(text: str) -> bool:
    return bool(re.search(r"[ぁ-んァ-ヶ一-龠]", text))


# -- each point of the manual ---------------------------------------------------------------------------------------
# at: (administrator's status, its certificates, the user's status or None, the user's certificates)
STATES = {
    "applied": ("pending", 0, None, 0),
    "activated": ("active", 0, None, 0),
    "admin_certified": ("active", 1, None, 0),
    "user_registered": ("active", 1, "provisional", 0),
    "user_certified": ("active", 1, "provisional", 1),
    "user_activated": ("active", 1, "active", 1),
}


@pytest.mark.databases
@pytest.mark.parametrize("at", POINTS)
def test_each_point_leaves_the_state_the_screens_would(app, at):
    data = set_up(app, at)
    admin_status, admin_certificates, user_status, user_certificates = STATES[at]
    with app.app_context():
        contract = db.session.scalar(db.select(Contract).filter_by(number=data["contract_number"]))
        admin = contract.admin
        assert (admin.status, len(admin.certificates)) == (admin_status, admin_certificates)
        activated = admin_status == "active"
        assert (contract.activated_at is not None, contract.email) == (activated, ADMIN["email"] if activated else None)
        assert auth.pin_matches(admin.logon_pin_hash, ADMIN_PIN) is activated
        assert auth.pin_matches(admin.confirmation_pin_hash, ADMIN_CONFIRMATION_PIN) is activated
        assert [user.status for user in contract.users] == ([user_status] if user_status else [])
        if user_status:
            user = contract.users[0]
            own = user_status == "active"
            assert (user.user_id, user.name, user.permissions) == ("keiri01", "経理 花子", PERMISSIONS)
            assert auth.pin_matches(user.logon_pin_hash, USER_PIN if own else TEMP_PIN)
            assert auth.pin_matches(user.confirmation_pin_hash, USER_CONFIRMATION_PIN if own else TEMP_CONFIRMATION_PIN)
            assert len(user.certificates) == user_certificates
    assert data["at"] == at
    assert ("admin_certificate" in data, "user" in data, "user_certificate" in data) == (
        admin_certificates > 0, user_status is not None, user_certificates > 0)


def test_no_pin_is_echoed(app):
    text = post(app, "/api/contracts", body_for("user_activated")).get_data(as_text=True)
    assert not any(pin in text for pin in (ADMIN_PIN, ADMIN_CONFIRMATION_PIN, TEMP_PIN, TEMP_CONFIRMATION_PIN,
                                           USER_PIN, USER_CONFIRMATION_PIN))


def test_the_user_is_answered_as_kept(app):
    data = set_up(app, "user_registered", user={"name": "  経理 花子 ", "permissions": ["振込・振替", "残高照会"]})
    assert data["user"] == {"user_id": "keiri01", "name": "経理 花子", "permissions": ["残高照会", "振込・振替"]}


def test_the_administrators_certificate_opens_and_logs_on(app, walk, pki):
    data = set_up(app, "admin_certified")
    cert = opened(data["admin_certificate"])
    cert.verify_directly_issued_by(pki.issuing_ca.cert)
    walk.admin_logon(provisioned(data), cert_pem(cert))
    assert h1(walk.web.html) == "ご契約先ステータス"
    assert walk.register_user("keiri02").status_code == 302  # the ご契約先確認暗証番号 (ロ) works on I-4.7 too


@pytest.mark.parametrize("at, pin, screen", [("user_certified", TEMP_PIN, "利用者暗証番号設定"),
                                             ("user_activated", USER_PIN, "利用者ステータス")])
def test_the_users_certificate_opens_and_logs_on(app, web, walk, at, pin, screen):
    cert = opened(set_up(app, at)["user_certificate"])
    web.follow(walk.certificate_logon("user", cert_pem(cert), pin))
    assert h1(web.html) == screen


def test_the_screens_go_on_from_activated(app, walk):
    contract = provisioned(set_up(app, "activated"))
    assert "BEGIN CERTIFICATE" in walk.enroll_admin(contract)  # I-3 with イ and ロ


def test_the_screens_go_on_from_user_registered(app, web, walk):
    data = set_up(app, "user_registered")
    pem = walk.enroll("user", {"contract_number": data["contract_number"], "user_id": "keiri01",
                               "logon_pin": TEMP_PIN, "confirmation_pin": TEMP_CONFIRMATION_PIN})  # II-1 with ホ, ヘ
    web.follow(walk.certificate_logon("user", pem, TEMP_PIN))
    web.follow(web.post("/ib/user/activation", user_pins(USER_OWN_PINS)))  # II-2.5
    assert h1(web.html) == "利用者ステータス"


def test_applied_is_the_default_and_todays_behaviour(app):
    data = post(app, "/api/contracts", {}).get_json()
    assert data["at"] == "applied" and not {"admin_certificate", "user", "user_certificate"} & set(data)


# -- refusals: a Japanese message naming the key, nothing created ---------------------------------------------------
REFUSED = [
    ({"at": "hired"}, "at"),
    ({"at": ["activated"]}, "at"),
    ({"at": "activated"}, "admin.logon_pin"),
    (body_for("activated", admin={"email": DROP}), "admin.email"),
    ({"at": "activated", "admin": "Kanri2024x"}, "admin"),
    (body_for("activated", admin={"nickname": "x"}), "nickname"),
    (body_for("activated", admin={"logon_pin": 20240101}), "admin.logon_pin"),
    (body_for("activated", admin={"logon_pin": "kanrisha"}), "admin.logon_pin"),
    (body_for("activated", admin={"logon_pin": "abc123"}), "admin.logon_pin"),
    (body_for("activated", admin={"logon_pin": "Ｋａｎｒｉ２０２４"}), "admin.logon_pin"),
    (body_for("activated", contract_number="12345678901", admin={"logon_pin": "x12345678901"}), "admin.logon_pin"),
    (body_for("activated", admin={"confirmation_pin": ADMIN_PIN}), "admin.confirmation_pin"),
    (body_for("activated", admin={"email": "keiri@"}), "admin.email"),
    (body_for("applied", admin=ADMIN), "admin.logon_pin"),
    (body_for("activated", user=USER), "user.user_id"),
    ({**body_for("user_registered"), "admin": {}}, "admin.logon_pin"),
    ({**body_for("user_registered"), "user": ["keiri01"]}, "user"),
    (body_for("user_registered", user={"name": DROP}), "user.name"),
    (body_for("user_registered", user={"user_id": "経理01"}), "user.user_id"),
    (body_for("user_registered", user={"user_id": "keiri-01"}), "user.user_id"),
    (body_for("user_registered", user={"name": " "}), "user.name"),
    (body_for("user_registered", user={"name": "あ" * 31}), "user.name"),
    (body_for("user_registered", user={"temporary_logon_pin": "k4r"}), "user.temporary_logon_pin"),
    (body_for("user_registered", user={"temporary_logon_pin": "keiri01x"}), "user.temporary_logon_pin"),
    (body_for("user_registered", user={"temporary_confirmation_pin": TEMP_PIN}), "user.temporary_confirmation_pin"),
    (body_for("user_registered", user={"permissions": []}), "user.permissions"),
    (body_for("user_registered", user={"permissions": ["外国送金"]}), "user.permissions"),
    (body_for("user_registered", user={"permissions": "残高照会"}), "user.permissions"),
    (body_for("user_certified", user={"logon_pin": USER_PIN}), "user.logon_pin"),
    (body_for("user_activated", user={"confirmation_pin": DROP}), "user.confirmation_pin"),
    (body_for("user_activated", user={"logon_pin": "riyousha"}), "user.logon_pin"),
    (body_for("user_activated", user={"logon_pin": TEMP_PIN}), "user.logon_pin"),
    (body_for("user_activated", user={"confirmation_pin": TEMP_CONFIRMATION_PIN}), "user.confirmation_pin"),
    (body_for("user_activated", user={"confirmation_pin": USER_PIN}), "user.confirmation_pin"),
    (body_for("admin_certified", applied_days_ago=81), "at"),  # past the 80-day window: I-3.3 would refuse
    (body_for("user_activated", applied_days_ago=81), "at"),
]


@pytest.mark.parametrize("body, key", REFUSED, ids=[f"{key}-{i}" for i, (_, key) in enumerate(REFUSED)])
def test_a_missing_or_refused_value_is_400_naming_its_key_and_creates_nothing(app, body, key):
    before = rows(app)
    response = post(app, "/api/contracts", body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert key in error and japanese(error), error
    assert rows(app) == before


def test_values_are_judged_by_the_screens_rules_with_their_messages(app):
    error = post(app, "/api/contracts", body_for("activated", admin={"logon_pin": "abc123"})).get_json()["error"]
    assert error == "admin.logon_pin：推測されやすい暗証番号は使用できません。"
    error = post(app, "/api/contracts", body_for("user_activated", user={"logon_pin": TEMP_PIN})).get_json()["error"]
    assert error == "user.logon_pin：仮の利用者暗証番号と同じ暗証番号は設定できません。"


def test_a_point_within_the_window_is_set_up(app):
    assert set_up(app, "user_certified", applied_days_ago=79)["user_certificate"]


@pytest.mark.parametrize("body, message", [
    (body_for("activated"), "at・admin はテストモードでのみ指定できます。"),
    ({"admin": ADMIN}, "admin はテストモードでのみ指定できます。"),
    ({"at": "applied", "user": USER}, "user はテストモードでのみ指定できます。"),
])
def test_setting_up_is_for_testing_mode_only(tmp_path, pki, body, message):
    app = production_app(tmp_path, pki)
    response = post(app, "/api/contracts", body)
    assert (response.status_code, response.get_json()["error"]) == (400, message)
    assert rows(app) == (0, 0, 0)


def test_applied_is_accepted_outside_testing_mode(tmp_path, pki):
    response = post(production_app(tmp_path, pki), "/api/contracts", {"at": "applied"})
    assert response.status_code == 201 and response.get_json()["at"] == "applied"


# -- test certificates bound to an ID -------------------------------------------------------------------------------
def minted_row(app, fingerprint: str) -> tuple[str, str | None, dt.datetime, dt.datetime, dt.datetime]:
    with app.app_context():
        record = db.session.scalar(db.select(Certificate).filter_by(fingerprint=fingerprint))
        return record.principal.kind, record.principal.user_id, record.not_before, record.not_after, clock.now()


@pytest.mark.databases
@pytest.mark.parametrize("kind, refusal", [("valid", None), ("expired", EXPIRED), ("not_yet_valid", NOT_YET_VALID),
                                           ("wrong_usage", WRONG_USAGE)])
def test_a_minted_certificate_is_bound_and_refused_only_for_its_kind(app, web, walk, pki, kind, refusal):
    number = set_up(app, "activated")["contract_number"]
    response = mint(app, number, kind=kind)
    assert response.status_code == 201
    minted = response.get_json()
    cert = opened(minted)
    cert.verify_directly_issued_by(pki.issuing_ca.cert)
    principal, user_id, not_before, not_after, now = minted_row(app, minted["fingerprint"])
    assert (principal, user_id) == ("admin", None)
    assert (not_before, not_after) == (cert.not_valid_before_utc, cert.not_valid_after_utc)
    assert (minted["not_before"], minted["not_after"]) == (not_before.isoformat(), not_after.isoformat())
    in_date = {"expired": not_after < now, "not_yet_valid": now < not_before}.get(kind, not_before <= now <= not_after)
    assert in_date
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert (ExtendedKeyUsageOID.CLIENT_AUTH in usages) == (kind != "wrong_usage")
    web.follow(walk.permission("admin", cert_pem(cert)))
    assert alert(web.html) == refusal
    assert h1(web.html) == ("暗証番号入力" if refusal is None else "管理者ログオン")


def test_a_certificate_without_extended_key_usage_is_refused_as_one_not_for_client_authentication(app, web, walk, pki):
    """No extendedKeyUsage means any usage to RFC 5280; the bank's logon takes only what says clientAuth."""
    number = set_up(app, "activated")["contract_number"]
    bound = opened(mint(app, number).get_json())
    key = ec.generate_private_key(ec.SECP256R1())
    unmarked = (x509.CertificateBuilder().subject_name(bound.subject).issuer_name(bound.issuer)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(bound.not_valid_before_utc).not_valid_after(bound.not_valid_after_utc)
                .sign(pki.issuing_ca.private_key, hashes.SHA256()))
    with app.app_context():  # bound to the administrator as the API binds a minted one
        fingerprint = bound.fingerprint(hashes.SHA256()).hex()
        record = db.session.scalar(db.select(Certificate).filter_by(fingerprint=fingerprint))
        record.fingerprint, record.serial = unmarked.fingerprint(hashes.SHA256()).hex(), f"{unmarked.serial_number:x}"
        db.session.commit()
    web.follow(walk.permission("admin", cert_pem(unmarked)))
    assert (h1(web.html), alert(web.html)) == ("管理者ログオン", WRONG_USAGE)


@pytest.mark.parametrize("edge, seconds, valid", [("before", -1, False), ("before", 0, True), ("after", 0, True),
                                                 ("after", 1, False)],
                         ids=["notBefore-1s", "notBefore", "notAfter", "notAfter+1s"])
def test_a_certificate_is_valid_from_its_not_before_to_its_not_after_inclusive(app, web, walk, edge, seconds, valid):
    """RFC 5280 4.1.2.5: the validity period is the time from notBefore through notAfter, both included."""
    app.config["FROZEN_NOW"] = "2026-04-01T09:00:00+09:00"  # a clock that stays where the test puts it
    cert = opened(mint(app, set_up(app, "activated")["contract_number"]).get_json())
    edge_at = cert.not_valid_before_utc if edge == "before" else cert.not_valid_after_utc
    assert post(app, "/api/clock", {"now": (edge_at + dt.timedelta(seconds=seconds)).isoformat()}).status_code == 200
    web.follow(walk.permission("admin", cert_pem(cert)))
    assert h1(web.html) == ("暗証番号入力" if valid else "管理者ログオン"), alert(web.html)


@pytest.mark.parametrize("configured", [None, "http://crl.bank.example/issuing-ca.crl"])
def test_an_issued_certificate_names_its_id_and_where_the_crl_is(app, configured):
    """発行先 as 証明書の選択 shows it (利用者番号 管理者), and the CRL: the bank's own address of it over HTTPS, or
    IBCERT_CRL_URL where the bank publishes it elsewhere."""
    app.config["CRL_URL"] = configured
    number = set_up(app, "activated")["contract_number"]
    cert = opened(mint(app, number).get_json())
    names = {attribute.oid: attribute.value for attribute in cert.subject}
    assert (names[NameOID.COMMON_NAME], names[NameOID.ORGANIZATIONAL_UNIT_NAME]) == (f"{number} 管理者", number)
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [name.value for point in points for name in point.full_name] == [
        configured or "https://localhost/crl/issuing-ca.crl"]


@pytest.mark.parametrize("kind, days", [("expired", -2), ("not_yet_valid", 2)])
def test_a_minted_certificate_logs_on_once_the_clock_is_within_its_dates(app, web, walk, kind, days):
    number = set_up(app, "activated")["contract_number"]
    cert = opened(mint(app, number, kind=kind).get_json())
    assert post(app, "/api/clock", {"advance_days": days}).status_code == 200
    web.follow(walk.permission("admin", cert_pem(cert)))
    assert h1(web.html) == "暗証番号入力", alert(web.html)


def test_a_certificate_is_minted_for_a_user(app, web, walk):
    number = set_up(app, "user_registered")["contract_number"]
    minted = mint(app, number, user_id="keiri01").get_json()
    assert minted_row(app, minted["fingerprint"])[:2] == ("user", "keiri01")
    pem = cert_pem(opened(minted))
    web.follow(walk.permission("admin", pem))
    assert alert(web.html) == "この電子証明書はkeiri01の電子証明書です。管理者ログオンには使用できません。"
    web.follow(walk.certificate_logon("user", pem, TEMP_PIN))
    assert h1(web.html) == "利用者暗証番号設定"


def test_minting_is_not_refused_while_the_id_holds_a_valid_certificate(app):
    number = set_up(app, "admin_certified")["contract_number"]
    assert mint(app, number).status_code == 201
    with app.app_context():
        admin = db.session.scalar(db.select(Contract).filter_by(number=number)).admin
        assert [record.valid_at(clock.now()) for record in admin.certificates] == [True, True]


@pytest.mark.parametrize("number, body, status, key", [
    ("99999999999", {}, 404, "99999999999"),
    (None, {"user_id": "keiri99"}, 404, "keiri99"),
    (None, {"kind": "revoked"}, 400, "kind"),
    (None, {"user_id": 1}, 400, "user_id"),
    (None, {"user": "keiri01"}, 400, "user"),
])
def test_minting_refuses_unknown_ids_and_bad_values(app, number, body, status, key):
    number = number or set_up(app, "user_registered")["contract_number"]
    before = rows(app)
    response = mint(app, number, **body)
    error = response.get_json()["error"]
    assert response.status_code == status and key in error and japanese(error), error
    assert rows(app) == before


def test_minting_needs_the_token(app):
    number = set_up(app, "activated")["contract_number"]
    assert app.test_client().post(f"/api/contracts/{number}/certificates", json={}).status_code == 401


def test_minting_is_for_testing_mode_only(tmp_path, pki):
    app = production_app(tmp_path, pki)
    number = post(app, "/api/contracts", {}).get_json()["contract_number"]
    response = mint(app, number)
    assert response.status_code == 404
    assert response.get_json()["error"] == "テスト用の電子証明書はテストモードでのみ利用できます。"
    assert rows(app)[2] == 0


def test_an_unbound_certificate_is_the_issuing_cas_valid_one_bound_to_no_id_and_refused_for_that(app, web, walk, pki):
    """cert:no_id: everything about it is right but its binding, which is what refuses it at logon."""
    set_up(app, "activated")
    before = rows(app)
    response = post(app, "/api/certificates", {})
    assert response.status_code == 201
    minted = response.get_json()
    cert = opened(minted)
    cert.verify_directly_issued_by(pki.issuing_ca.cert)
    assert ExtendedKeyUsageOID.CLIENT_AUTH in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert rows(app) == before  # recorded nowhere
    web.follow(walk.permission("admin", cert_pem(cert)))
    assert alert(web.html) == "この電子証明書（テスト用 ID なし）はどの ID にも登録されていません。"
    assert h1(web.html) == "管理者ログオン"


@pytest.mark.parametrize("body, error", [({"kind": "valid"}, "指定できない項目があります：kind"),
                                         ([], "リクエスト本文はJSONオブジェクトで指定してください。")])
def test_an_unbound_certificate_takes_no_values(app, body, error):
    response = post(app, "/api/certificates", body)
    assert (response.status_code, response.get_json()["error"]) == (400, error)


def test_an_unbound_certificate_needs_the_token_and_testing_mode(app, tmp_path, pki):
    assert app.test_client().post("/api/certificates", json={}).status_code == 401
    response = post(production_app(tmp_path, pki), "/api/certificates", {})
    assert response.status_code == 404
    assert response.get_json()["error"] == "テスト用の電子証明書はテストモードでのみ利用できます。"


# -- capabilities ---------------------------------------------------------------------------------------------------
def test_capabilities_in_testing_mode(app):
    response = app.test_client().get("/api/capabilities", headers=AUTH)
    assert response.get_json() == {"fast_forward": POINTS, "clock": True, "certificates": True,
                                   "unbound_certificates": True, "logons": True,
                                   "steps": list(jumps.STEPS), "lockout_threshold": 6,
                                   "idle_timeout_minutes": 10, "back_office": True, "renewal_window_days": 30,
                                   "certificate_validity_days": 365, "auth_methods": ["certificate", "password"],
                                   "user_email": "optional", "transfer_limit": 10_000_000}


def test_capabilities_outside_testing_mode(tmp_path, pki):
    response = production_app(tmp_path, pki).test_client().get("/api/capabilities", headers=AUTH)
    assert response.get_json() == {"fast_forward": [], "clock": False, "certificates": False,
                                   "unbound_certificates": False, "logons": False,
                                   "steps": [], "lockout_threshold": 6, "idle_timeout_minutes": 10,
                                   "back_office": True, "renewal_window_days": 30, "certificate_validity_days": 365,
                                   "auth_methods": ["certificate", "password"], "user_email": "optional",
                                   "transfer_limit": 10_000_000}


def test_capabilities_need_the_token(app):
    assert app.test_client().get("/api/capabilities").status_code == 401


# -- the client of pages/provisioning.py ----------------------------------------------------------------------------
class FlaskTransport(requests.adapters.BaseAdapter):
    """Hands requests' calls to a Flask app's test client: the client tested against the app, no server needed."""

    def __init__(self, app: Flask):
        super().__init__()
        self.client = app.test_client()

    def send(self, request, **kwargs):
        answer = self.client.open(request.path_url, method=request.method, headers=dict(request.headers),
                                  data=request.body)
        response = requests.Response()
        response.status_code, response._content = answer.status_code, answer.get_data()
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers)
        response.url, response.request = request.url, request
        return response

    def close(self):
        pass


def operator_for(app: Flask) -> BankOperator:
    operator = BankOperator("https://bank.test", OPERATOR_TOKEN)
    operator.session.mount("https://bank.test", FlaskTransport(app))
    return operator


def test_client_sets_a_contract_up_with_its_certificates(app):
    contract = operator_for(app).create_contract(at="user_certified", admin=ADMIN, user=USER, otp="totp")
    assert contract.at == "user_certified" and contract.otp == "totp" and contract.token is not None
    assert contract.user == RegisteredUser("keiri01", "経理 花子", tuple(PERMISSIONS))
    for delivered in (contract.admin_certificate, contract.user_certificate):
        _key, cert, _chain = pkcs12.load_key_and_certificates(delivered.pkcs12, delivered.password.encode())
        assert cert.fingerprint(hashes.SHA256()).hex() == delivered.fingerprint


def test_client_of_a_plain_contract_has_no_set_up(app):
    contract = operator_for(app).create_contract()
    assert (contract.at, contract.admin_certificate, contract.user, contract.user_certificate) == (
        "applied", None, None, None)


def test_client_mints_a_certificate(app):
    operator = operator_for(app)
    number = operator.create_contract(at="user_registered", admin=ADMIN, user=USER).contract_number
    minted = operator.mint_certificate(number, "expired", user_id="keiri01")
    _key, cert, _chain = pkcs12.load_key_and_certificates(minted.pkcs12, minted.password.encode())
    assert cert.not_valid_after_utc.isoformat() == minted.not_after
    assert minted_row(app, minted.fingerprint)[:2] == ("user", "keiri01")


def test_client_mints_a_certificate_bound_to_no_id(app):
    minted = operator_for(app).mint_unbound_certificate()
    _key, cert, _chain = pkcs12.load_key_and_certificates(minted.pkcs12, minted.password.encode())
    assert cert.fingerprint(hashes.SHA256()).hex() == minted.fingerprint
    assert rows(app)[2] == 0


def test_client_reads_capabilities_and_takes_a_server_without_them_as_none(app):
    assert operator_for(app).capabilities()["fast_forward"] == POINTS
    assert operator_for(Flask("vendor")).capabilities() == {}


def test_client_refusals_carry_the_status(app):
    with pytest.raises(ProvisioningError) as refused:
        operator_for(app).create_contract(at="activated")
    assert refused.value.status == 400 and "admin.logon_pin" in str(refused.value)


# -- logons made by the API (testing mode) ---------------------------------------------------------------------------
@pytest.mark.parametrize("at, user_id, screen", [("admin_certified", None, "ご契約先ステータス"),
                                                 ("user_activated", "keiri01", "利用者ステータス"),
                                                 ("user_certified", "keiri01", "利用者暗証番号設定")])
def test_a_logon_made_by_the_api_opens_the_screens_with_its_certificate_only(app, web, at, user_id, screen):
    data = set_up(app, at)

    def logon() -> dict:
        response = post(app, f"/api/contracts/{data['contract_number']}/logons", {"user_id": user_id})
        assert response.status_code == 201, response.get_json()
        made = response.get_json()
        web.client.set_cookie(made["cookie"]["name"], made["cookie"]["value"], domain="localhost")
        return made

    made = logon()
    assert web.get(made["path"]).status_code == 302  # without its certificate the logon is refused and ended
    made = logon()
    web.present(cert_pem(opened(data["user_certificate" if user_id else "admin_certificate"])))
    response = web.get(made["path"])
    if response.status_code == 302:  # a user still on 仮 PINs is sent on to replace them
        response = web.follow(response)
    assert h1(web.html) == screen


def test_a_logon_needs_a_valid_certificate_and_testing_mode(app, tmp_path, pki):
    number = set_up(app, "activated")["contract_number"]
    response = post(app, f"/api/contracts/{number}/logons", {})
    assert response.status_code == 409 and japanese(response.get_json()["error"])
    assert post(app, f"/api/contracts/{number}/logons", {"user_id": "nobody"}).status_code == 404
    production = production_app(tmp_path, pki)
    number = post(production, "/api/contracts", {}).get_json()["contract_number"]
    assert post(production, f"/api/contracts/{number}/logons", {}).status_code == 404


# -- a browser at a step inside a flow (testing mode) ----------------------------------------------------------------
JUMPS = [("I-2.3", "applied", None, "暗証番号・Eメールアドレス設定", None),
         ("I-2.4", "applied", None, "ワンタイムパスワード入力", None),
         ("I-3.4", "activated", None, "電子証明書取得", "電子証明書の取得"),
         ("I-3.7", "activated", None, "電子証明書発行", "証明書のインストール"),
         ("II-1.5", "user_registered", "keiri01", "電子証明書取得", "セキュリティレベルの確認"),
         ("I-4.3", "admin_certified", None, "管理者ログオン", "アクセス許可の付与"),
         ("I-4.5", "admin_certified", None, "ワンタイムパスワード入力", None),
         ("II-2.4", "user_certified", "keiri01", "暗証番号入力", None)]


@pytest.mark.parametrize("step, at, user_id, heading, dialog", JUMPS, ids=[j[0] for j in JUMPS])
def test_a_browser_at_a_step_sees_that_steps_screen(app, web, step, at, user_id, heading, dialog):
    data = set_up(app, at)
    body = {"step": step, "user_id": user_id, **({"admin": ADMIN} if step == jumps.NEEDS_ADMIN_VALUES else {})}
    response = post(app, f"/api/contracts/{data['contract_number']}/steps", body)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    web.client.set_cookie(made["cookie"]["name"], made["cookie"]["value"], domain="localhost")
    certificate = data.get("user_certificate" if user_id else "admin_certificate")
    if certificate and step.startswith(("I-4", "II-2")):
        web.present(cert_pem(opened(certificate)))
    response = web.get(made["path"])
    assert response.status_code == 200 and h1(web.html) == heading
    if dialog:
        assert f">{dialog}</h2>" in web.html


@pytest.mark.parametrize("body, at, status", [({"step": "I-9.9"}, "admin_certified", 400),
                                              ({"step": "II-2.3"}, "admin_certified", 409),
                                              ({"step": "I-3.4"}, "admin_certified", 409),
                                              ({"step": "I-4.2"}, "activated", 409),
                                              ({"step": "I-2.3"}, "activated", 409),
                                              ({"step": "I-2.4"}, "applied", 400),
                                              ({"step": "I-2.4", "admin": {**ADMIN, "logon_pin": "abc123"}},
                                               "applied", 400),
                                              ({"step": "I-2.3", "admin": ADMIN}, "applied", 400)],
                         ids=["unknown-step", "other-side", "certificate-issued-already", "no-certificate-yet",
                              "activated-already", "otp-without-its-pins", "otp-with-a-bad-pin",
                              "pins-given-where-not-asked"])
def test_a_step_the_id_cannot_be_at_is_refused_in_japanese(app, body, at, status):
    number = set_up(app, at)["contract_number"]
    response = post(app, f"/api/contracts/{number}/steps", body)
    assert response.status_code == status and japanese(response.get_json()["error"])


def test_a_step_of_電子証明書取得_before_開通確認_says_to_activate_first(app):
    number = set_up(app, "applied")["contract_number"]
    response = post(app, f"/api/contracts/{number}/steps", {"step": "I-3.4"})
    assert (response.status_code, response.get_json()["error"]) == (
        409, "開通確認が完了していません。先に開通確認を行ってください。")


@pytest.mark.databases
def test_the_one_time_password_at_a_made_step_activates_with_its_pins(app, web):
    """I-2.4 opened by the API holds I-2.3's PINs server-side, as the screens leave them: the card's answer activates
    the administrator with exactly those, and a second answer finds nothing to activate."""
    data = set_up(app, "applied")
    made = post(app, f"/api/contracts/{data['contract_number']}/steps", {"step": "I-2.4", "admin": ADMIN}).get_json()
    web.client.set_cookie(made["cookie"]["name"], made["cookie"]["value"], domain="localhost")
    web.get(made["path"])
    contract = Provisioned(data["contract_number"], data["registration_pin"], data["card"], data["otp"],
                           data["totp_secret"])
    response = web.post(made["path"], contract.answers(web.html))
    assert response.headers["Location"].endswith("/ib/admin/activation/done"), alert(web.html)
    with app.app_context():
        admin = db.session.scalar(db.select(Contract).filter_by(number=data["contract_number"])).admin
        assert auth.pin_matches(admin.logon_pin_hash, ADMIN_PIN)
        assert auth.pin_matches(admin.confirmation_pin_hash, ADMIN_CONFIRMATION_PIN)
        assert admin.contract.email == ADMIN["email"]
    assert web.get(made["path"]).status_code == 302  # the flow is over: the step's screen is not shown again
