"""The bank's side: creating a contract application (what the branch does when the customer's form comes in), as a
`flask --app refserver contract create` command and as a JSON API for test suites, plus the testing clock.

In testing mode the API also sets a new contract up at a named point of the manual (the administrator activated, the
user registered, …) with the screens' own state changes (refserver/onboarding.py), and mints certificates bound to
an ID whose dates or usage are wrong, so that a browser test starts where it needs to instead of walking there.

The API is for machines holding the operator token (Authorization: Bearer …), so it is exempt from CSRF: no browser
sends that header by itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
from dataclasses import dataclass, replace
from typing import Any

import click
import pyotp
from cryptography.x509.oid import ExtendedKeyUsageOID
from flask import Blueprint, current_app, jsonify, request, url_for

from . import auth, clock, issuance, jumps, onboarding, otp, rules
from .applications import Application, ProvisioningError, create_contract, unused_number
from .models import AUTH_METHODS, CERTIFICATE_METHOD, PASSWORD_METHOD, PENDING, Certificate, Contract, Principal, db
from .web import new_logon, w

bp = Blueprint("backoffice", __name__, url_prefix="/api", cli_group="contract")


# -- set up at a point of the manual (testing mode) -----------------------------------------------------------------
POINTS = ("applied", "activated", "admin_certified", "user_registered", "user_certified", "user_activated")

# The values of the body's "admin" and "user" objects, each with the point from which it is needed (and refused
# before it: a value that would be ignored is a mistake in the test).
ADMIN_VALUES = {"logon_pin": "activated", "confirmation_pin": "activated", "email": "activated"}
USER_VALUES = {"user_id": "user_registered", "name": "user_registered", "temporary_logon_pin": "user_registered",
               "temporary_confirmation_pin": "user_registered", "permissions": "user_registered",
               "logon_pin": "user_activated", "confirmation_pin": "user_activated"}
OPTIONAL_VALUES = {"user.permissions"}  # default: every 権限 of the menu

# The PIN pairs the screens set: (body key, legend rule, wording key of the screen's label) of each PIN.
Pin = tuple[str, str, str]
ADMIN_PINS = (("logon_pin", "イ", "activation.logon_pin"), ("confirmation_pin", "ロ", "activation.confirmation_pin"))
TEMPORARY_PINS = (("temporary_logon_pin", "ホ", "admin_menu.temporary_logon_pin"),
                  ("temporary_confirmation_pin", "ヘ", "admin_menu.temporary_confirmation_pin"))
USER_PINS = (("logon_pin", "ト", "user_activation.logon_pin"),
             ("confirmation_pin", "チ", "user_activation.confirmation_pin"))


def _reaches(at: str, point: str) -> bool:
    return POINTS.index(at) >= POINTS.index(point)


def _refuse(name: str, problem: str | None) -> None:
    """A screen's message for a value, named by its key in the body."""
    if problem:
        raise ProvisioningError(f"{name}：{problem}")


def _text(section: str, values: dict, key: str) -> str:
    if not isinstance(values[key], str):
        raise ProvisioningError(f"{section}.{key} は文字列で指定してください。")
    return values[key]


def _section(body: dict, section: str, needed: dict[str, str], at: str) -> dict:
    """body[section] as an object holding exactly the values *at* needs."""
    values = body.get(section, {})
    if not isinstance(values, dict):
        raise ProvisioningError(f"{section} はJSONオブジェクトで指定してください。")
    if unknown := set(values) - set(needed):
        raise ProvisioningError(f"{section} に指定できない項目があります：{', '.join(sorted(unknown))}")
    for key, point in needed.items():
        name = f"{section}.{key}"
        if key in values and not _reaches(at, point):
            raise ProvisioningError(f"{name} は at が \"{point}\" 以降のときだけ指定できます。")
        if key not in values and _reaches(at, point) and name not in OPTIONAL_VALUES:
            raise ProvisioningError(f"at が \"{at}\" のときは {name} を指定してください。")
    return values


def _check_pins(section: str, values: dict, pins: tuple[Pin, Pin], *, contract_number: str, user_id: str = "") -> None:
    """A pair of PINs as the screen that sets them judges it: each by its legend rule, and the two different."""
    (first, _, _), (second, _, _) = pins
    labels = [w(label) for _, _, label in pins]
    for (key, rule, _), label in zip(pins, labels):
        _refuse(f"{section}.{key}", rules.new_pin(_text(section, values, key), label, rule=rule,
                                                  contract_number=contract_number, user_id=user_id))
    _refuse(f"{section}.{second}", rules.different_pins(values[first], values[second], *labels))


def _checked_admin(admin: dict, contract_number: str) -> dict:
    """I-2.3's checks."""
    _check_pins("admin", admin, ADMIN_PINS, contract_number=contract_number)
    email, problem = rules.email(_text("admin", admin, "email"))
    _refuse("admin.email", problem)
    return {**admin, "email": email}


def _checked_user(user: dict, contract_number: str, at: str) -> dict:
    """I-4.7's checks, and II-2.5's for "user_activated"."""
    user_id = _text("user", user, "user_id")
    _refuse("user.user_id", rules.user_id(user_id))
    _refuse("user.name", rules.user_name(_text("user", user, "name")))
    _check_pins("user", user, TEMPORARY_PINS, contract_number=contract_number, user_id=user_id)
    allowed = w("admin_menu.permission_names")
    permissions = user.get("permissions", allowed)
    if not (isinstance(permissions, list) and all(isinstance(name, str) for name in permissions)):
        raise ProvisioningError("user.permissions は文字列の配列で指定してください。")
    _refuse("user.permissions", rules.permissions(permissions, allowed))
    if at == "user_activated":
        _check_pins("user", user, USER_PINS, contract_number=contract_number, user_id=user_id)
        for (own, _, label), (provisional, _, _) in zip(USER_PINS, TEMPORARY_PINS):
            if user[own] == user[provisional]:
                _refuse(f"user.{own}", onboarding.same_as_provisional(w(label)))
    return {**user, "permissions": permissions}


@dataclass(frozen=True)
class SetUp:
    """How far a new contract is taken, with the values the screens would have been given on the way."""

    at: str
    admin: dict  # the checked values, empty when the point does not need them
    user: dict

    @classmethod
    def asked(cls, body: dict, contract_number: str) -> SetUp:
        """The set-up *body* asks for, every value judged by the screens' rules before anything is written."""
        at = body.get("at", "applied")
        if at not in POINTS:
            raise ProvisioningError(f"at は {', '.join(POINTS)} のいずれかで指定してください。")
        testing_only = (["at"] if at != "applied" else []) + [key for key in ("admin", "user") if key in body]
        if testing_only and not current_app.config["TESTING"]:
            raise ProvisioningError(f"{'・'.join(testing_only)} はテストモードでのみ指定できます。")
        admin = _section(body, "admin", ADMIN_VALUES, at)
        user = _section(body, "user", USER_VALUES, at)
        return cls(at, _checked_admin(admin, contract_number) if _reaches(at, "activated") else {},
                   _checked_user(user, contract_number, at) if _reaches(at, "user_registered") else {})

    def reaches(self, point: str) -> bool:
        return _reaches(self.at, point)


def _certificate_json(record: Certificate, pkcs12: bytes, password: str) -> dict:
    """A certificate as the API hands it out: the PKCS#12 file (base64), its import password, and what binds it."""
    return {"pkcs12": base64.b64encode(pkcs12).decode(), "password": password, "fingerprint": record.fingerprint,
            "serial": record.serial, "not_before": record.not_before.isoformat(),
            "not_after": record.not_after.isoformat()}


def _enrol(principal: Principal) -> dict:
    """電子証明書取得 as the screens end it: refused for the same reasons (the enrollment window), then issued."""
    if refusal := issuance.refusal(principal):
        raise ProvisioningError(f"at：{principal.label}の電子証明書を発行できません。{refusal}")
    delivery = issuance.issue(principal)
    return _certificate_json(delivery.record, delivery.pkcs12, delivery.password)


def fast_forward(contract: Contract, set_up: SetUp) -> dict:
    """Take a newly opened *contract* to set_up.at, in the manual's order, with the screens' own state changes; commits
    and returns what the API's answer adds. PINs are not in it: the caller chose them."""
    admin, user_values = set_up.admin, set_up.user
    added: dict[str, Any] = {"at": set_up.at}
    if set_up.reaches("activated"):
        onboarding.activate_admin(contract, auth.hash_pin(admin["logon_pin"]), auth.hash_pin(admin["confirmation_pin"]),
                                  admin["email"])
    certified = contract.auth_method == CERTIFICATE_METHOD  # ID・パスワード方式: no certificate to obtain
    if set_up.reaches("admin_certified") and certified:
        added["admin_certificate"] = _enrol(contract.admin)
    if set_up.reaches("user_registered"):
        user = onboarding.register_user(contract, user_values["user_id"], user_values["name"],
                                        user_values["temporary_logon_pin"],
                                        user_values["temporary_confirmation_pin"], user_values["permissions"])
        added["user"] = {"user_id": user.user_id, "name": user.name, "permissions": user.permissions}
    if set_up.reaches("user_certified") and certified:
        added["user_certificate"] = _enrol(user)
    if set_up.reaches("user_activated"):
        onboarding.activate_user(user, user_values["logon_pin"], user_values["confirmation_pin"])
    db.session.commit()
    return added


# -- test certificates (testing mode) --------------------------------------------------------------------------------
CERTIFICATE_KINDS = ("valid", "expired", "not_yet_valid", "wrong_usage")


def _validity(kind: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """A certificate's dates by the app clock: as issued now, or wholly in the past or in the future."""
    day, lifetime = dt.timedelta(days=1), dt.timedelta(days=current_app.config["CERT_VALIDITY_DAYS"])
    if kind == "expired":
        return now - lifetime - day, now - day
    if kind == "not_yet_valid":
        return now + day, now + lifetime + day
    return now - dt.timedelta(minutes=5), now + lifetime


def mint(principal: Principal, kind: str) -> dict:
    """A certificate of *kind* bound to *principal*: signed by the issuing CA and recorded like an issued one, so that
    only the judgement under test (its dates, its usage) can refuse it at logon. Never refused because the ID holds a
    valid one already: it is a test fixture, not an acquisition."""
    usage = ExtendedKeyUsageOID.SERVER_AUTH if kind == "wrong_usage" else ExtendedKeyUsageOID.CLIENT_AUTH
    delivery = issuance.issue(principal, validity=_validity(kind, clock.now()), usage=usage)
    return _certificate_json(delivery.record, delivery.pkcs12, delivery.password)


# -- JSON API ------------------------------------------------------------------------------------------------------
def _error(message: str, status: int):
    return jsonify(error=message), status


@bp.before_request
def _operator_only():
    token = current_app.config["OPERATOR_TOKEN"]
    if not token:
        return _error("運用者トークン（IBCERT_OPERATOR_TOKEN）が設定されていないため、APIは利用できません。", 403)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = jsonify(error="運用者トークンが正しくありません。")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response, 401
    return None


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if body is None and not request.get_data():
        return {}
    if not isinstance(body, dict):
        raise ProvisioningError("リクエスト本文はJSONオブジェクトで指定してください。")
    return body


@bp.errorhandler(413)
def _too_large(error):
    return _error("リクエスト本文が大きすぎます。", 413)


@bp.errorhandler(ProvisioningError)
def _provisioning_error(error: ProvisioningError):
    db.session.rollback()  # a refused request leaves nothing behind
    return _error(error.message, error.status)


API_KEYS = {"contract_number", "registration_pin", "card", "otp", "applied_days_ago", "challenge_cells", "at", "admin",
            "user", "auth_method"}


@bp.post("/contracts")
def contracts():
    body = _json_body()
    if unknown := set(body) - API_KEYS:
        raise ProvisioningError(f"指定できない項目があります：{', '.join(sorted(unknown))}")
    application = Application(
        contract_number=body.get("contract_number"),
        registration_pin=body.get("registration_pin"),
        card=body.get("card"),
        otp_kind=body.get("otp", otp.CARD),
        applied_days_ago=body.get("applied_days_ago", 0),
        challenge_cells=body.get("challenge_cells"),
        auth_method=body.get("auth_method", CERTIFICATE_METHOD),
    )
    application.check()
    application = replace(application, contract_number=application.contract_number or unused_number())
    set_up = SetUp.asked(body, application.contract_number)  # its PIN rules look for the 利用者番号
    if application.auth_method == PASSWORD_METHOD and set_up.at in ("admin_certified", "user_certified"):
        raise ProvisioningError(f"at：ID・パスワード方式のご契約には電子証明書を発行しないため、{set_up.at} は指定できません。"
                                "applied、activated、user_registered、user_activated のいずれかを指定してください。")
    contract, registration_pin = application.open()
    added = fast_forward(contract, set_up)
    return jsonify(
        contract_number=contract.number,
        registration_pin=registration_pin,
        card=contract.card,
        otp=contract.otp_kind,
        totp_secret=contract.totp_secret,
        applied_at=contract.applied_at.isoformat(),
        auth_method=contract.auth_method,
        **added,
    ), 201


def _testing_only(what: str) -> None:
    if not current_app.config["TESTING"]:
        raise ProvisioningError(f"{what}はテストモードでのみ利用できます。", 404)


def _testing_principal(contract_number: str, body: dict, what: str) -> Principal:
    """The administrator ({"user_id": null}) or the user of the contract a testing-mode call names."""
    _testing_only(what)
    user_id = body.get("user_id")
    if user_id is not None and not isinstance(user_id, str):
        raise ProvisioningError("user_id は文字列（管理者は null）で指定してください。")
    contract = db.session.scalar(db.select(Contract).filter_by(number=contract_number))
    if contract is None:
        raise ProvisioningError(f"利用者番号 {contract_number} のご契約が見つかりません。", 404)
    principal = contract.admin if user_id is None else next((u for u in contract.users if u.user_id == user_id), None)
    if principal is None:
        raise ProvisioningError(f"利用者ID {user_id} はこのご契約に登録されていません。", 404)
    return principal


def body_of(*keys: str) -> dict:
    body = _json_body()
    if unknown := set(body) - set(keys):
        raise ProvisioningError(f"指定できない項目があります：{', '.join(sorted(unknown))}")
    return body


@bp.post("/contracts/<contract_number>/certificates")
def certificates(contract_number: str):
    """A test certificate bound to the administrator ({"user_id": null}) or a user of the contract."""
    body = body_of("user_id", "kind")
    principal = _testing_principal(contract_number, body, "テスト用の電子証明書")
    kind = body.get("kind", "valid")
    if kind not in CERTIFICATE_KINDS:
        raise ProvisioningError(f"kind は {', '.join(CERTIFICATE_KINDS)} のいずれかで指定してください。")
    return jsonify(mint(principal, kind)), 201


@bp.post("/certificates")
def unbound_certificate():
    """A valid certificate of the bank's issuing CA bound to no ID (cert:no_id): only the binding can refuse it."""
    _testing_only("テスト用の電子証明書")
    body_of()
    delivery = issuance.unbound(_validity("valid", clock.now()))
    return jsonify(_certificate_json(delivery.record, delivery.pkcs12, delivery.password)), 201


@bp.post("/contracts/<contract_number>/logons")
def logons(contract_number: str):
    """A logon of the administrator or a user, as their certificate logon (I-4.1 … I-4.5, II-2.1 … II-2.4) would
    make it, bound to their valid certificate: a test of what comes after opens only its own screens. Returns the
    session cookie a browser then sends, and the screen the logon lands on."""
    principal = _testing_principal(contract_number, body_of("user_id"), "ログオンの作成")
    if principal.contract.auth_method == PASSWORD_METHOD:  # ID・パスワード方式: the logon its PIN would make
        if principal.status == PENDING or principal.locked_at is not None or issuance.contract_refusal(
                principal.contract):
            raise ProvisioningError("この ID はログオンできる状態ではありません。", 409)
        logon = new_logon(principal, None)
        return _browser_session({"logon": logon.id}, url_for(f"{principal.kind}.status"))
    certificate = issuance.valid_certificate(principal, clock.now())
    if certificate is None or principal.status == PENDING or principal.locked_at is not None:
        raise ProvisioningError("この ID は有効な電子証明書でログオンできる状態ではありません。", 409)
    logon = new_logon(principal, certificate.fingerprint)
    return _browser_session({"logon": logon.id}, url_for(f"{principal.kind}.status"))


@bp.post("/contracts/<contract_number>/steps")
def steps(contract_number: str):
    """The browser session of the administrator or a user at a step inside one of the manual's flows ({"step":
    "I-3.6"}, see refserver/jumps.py): a test of that step opens its screen at once."""
    body = body_of("user_id", "step", "admin")
    principal = _testing_principal(contract_number, body, "手順の作成")
    step = body.get("step")
    if step not in jumps.STEPS:
        raise ProvisioningError(f"step は {', '.join(jumps.STEPS)} のいずれかで指定してください。")
    admin = None
    if step == jumps.NEEDS_ADMIN_VALUES:  # I-2.3's PINs and e-mail, which wait for I-2.4's one-time password
        admin = _checked_admin(_section(body, "admin", ADMIN_VALUES, "activated"), contract_number)
    elif "admin" in body:
        raise ProvisioningError(f"admin は step が {jumps.NEEDS_ADMIN_VALUES} のときだけ指定できます。")
    try:
        data, path = jumps.session_at(principal, step, admin)
    except jumps.JumpRefused as refused:
        raise ProvisioningError(str(refused), 409) from None
    return _browser_session(data, path)


def _browser_session(data: dict, path: str):
    """The session cookie a browser holding `data` sends (signed as the app signs its own), and where to go."""
    value = current_app.session_interface.get_signing_serializer(current_app).dumps(data)
    return jsonify(cookie={"name": current_app.config["SESSION_COOKIE_NAME"], "value": value}, path=path), 201


@bp.get("/capabilities")
def capabilities():
    """What this server sets up for a suite, and the settings a suite checks against (the lockout's count: the manual
    names no number). A vendor's server may have no such call: the suite walks the screens and assumes 6."""
    testing = current_app.config["TESTING"]
    return jsonify(fast_forward=list(POINTS) if testing else [], clock=testing, certificates=testing,
                   unbound_certificates=testing, logons=testing,
                   back_office=True, renewal_window_days=current_app.config["RENEWAL_WINDOW_DAYS"],
                   certificate_validity_days=current_app.config["CERT_VALIDITY_DAYS"],
                   steps=list(jumps.STEPS) if testing else [], lockout_threshold=auth.threshold(),
                   idle_timeout_minutes=current_app.config["IDLE_TIMEOUT_MINUTES"], auth_methods=list(AUTH_METHODS),
                   user_email="required" if current_app.config["USER_EMAIL_REQUIRED"] else "optional",
                   transfer_limit=current_app.config["TRANSFER_LIMIT"])


@bp.route("/clock", methods=["GET", "POST"])
def clock_api():
    if request.method == "POST":
        if not current_app.config["TESTING"]:
            return _error("時計はテストモードでのみ変更できます。", 404)
        body = _json_body()
        if set(body) == {"advance_days"} and isinstance(body["advance_days"], (int, float)) \
                and not isinstance(body["advance_days"], bool):
            try:
                clock.advance(body["advance_days"])
            except (OverflowError, ValueError):  # beyond the calendar, or NaN
                raise ProvisioningError("advance_days は時計を動かせる範囲の日数で指定してください。") from None
        elif set(body) == {"now"} and isinstance(body["now"], str):
            try:
                clock.set_now(clock.parse_instant(body["now"]))
            except (OverflowError, ValueError):
                raise ProvisioningError("now はISO 8601形式の日時で指定してください。") from None
        else:
            raise ProvisioningError("advance_days（日数）または now（ISO 8601形式の日時）のどちらか一方を指定してください。")
    return jsonify(now=clock.now().isoformat())


# -- CLI -----------------------------------------------------------------------------------------------------------
def customer_card(contract: Contract, registration_pin: str) -> str:
    """The お客様カード and the 申込書控え as the branch prints them for the customer."""
    lines = [
        "■お客様カード■",
        f" ■利用者番号 {contract.number}",
        " ■確認用パスワード",
        "   " + " ".join(otp.CELLS),
        "   " + " ".join(contract.card[cell] for cell in otp.CELLS),
    ]
    if contract.totp_secret:
        uri = pyotp.TOTP(contract.totp_secret).provisioning_uri(name=contract.number, issuer_name="ibcert")
        lines += [" ■ワンタイムパスワード（ソフトウェアトークン）", f"   秘密鍵 {contract.totp_secret}", f"   {uri}"]
    lines += [
        "■申込書控え■",
        f" ■ご契約先登録用暗証番号 {registration_pin}",
        f" ■お申込日 {clock.jst_date(contract.applied_at)}",
        f" ■認証区分 {'ID・パスワード方式' if contract.auth_method == PASSWORD_METHOD else '電子証明書方式'}",
    ]
    return "\n".join(lines)


@bp.cli.command("create")
@click.option("--number", "contract_number", help="利用者番号（11桁）。省略時は未使用の番号を採番します。")
@click.option("--registration-pin", help="ご契約先登録用暗証番号（4桁）。省略時はランダム。")
@click.option("--otp", "otp_kind", type=click.Choice([otp.CARD, otp.TOTP]), default=otp.CARD, show_default=True,
              help="ワンタイムパスワードの方式：お客様カード（card）またはソフトウェアトークン（totp）。")
@click.option("--applied-days-ago", type=click.IntRange(min=0), default=0, show_default=True,
              help="お申込日を何日前とするか（電子証明書の取得期間の確認用）。")
@click.option("--auth-method", type=click.Choice(list(AUTH_METHODS)), default=CERTIFICATE_METHOD, show_default=True,
              help="認証区分：電子証明書方式（certificate）またはID・パスワード方式（password）。")
def create_command(contract_number, registration_pin, otp_kind, applied_days_ago, auth_method):
    """ご契約（利用申込）を登録し、お客様カードとご契約先登録用暗証番号を表示します。"""
    try:
        contract, pin = create_contract(contract_number=contract_number, registration_pin=registration_pin,
                                        otp_kind=otp_kind, applied_days_ago=applied_days_ago,
                                        auth_method=auth_method)
    except ProvisioningError as error:
        raise click.ClickException(error.message) from None
    click.echo(customer_card(contract, pin))
