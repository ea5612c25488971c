"""The bank's side: creating a contract application (what the branch does when the customer's form comes in), as a
`flask --app refserver contract create` command and as a JSON API for test suites, plus the testing clock.

The API is for machines holding the operator token (Authorization: Bearer …), so it is exempt from CSRF: no browser
sends that header by itself.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets

import click
import pyotp
from flask import Blueprint, current_app, jsonify, request

from . import auth, clock, otp
from .models import ADMIN, PENDING, Contract, Principal, db

bp = Blueprint("backoffice", __name__, url_prefix="/api", cli_group="contract")


class ProvisioningError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _unused_number() -> str:
    while True:
        number = f"{secrets.randbelow(10**11):011d}"
        if not db.session.scalar(db.select(Contract.id).filter_by(number=number)):
            return number


def create_contract(*, contract_number=None, registration_pin=None, card=None, otp_kind=otp.CARD,
                    applied_days_ago=0, challenge_cells=None) -> tuple[Contract, str]:
    """A new contract application and its administrator (not yet activated). Returns the contract and the
    registration PIN in clear — the only moment it exists in clear, to be printed for the customer."""
    if contract_number is not None and not (isinstance(contract_number, str) and re.fullmatch(r"[0-9]{11}", contract_number)):
        raise ProvisioningError("contract_number は11桁の数字の文字列で指定してください。")
    if registration_pin is not None and not (isinstance(registration_pin, str) and re.fullmatch(r"[0-9]{4}", registration_pin)):
        raise ProvisioningError("registration_pin は4桁の数字の文字列で指定してください。")
    if card is not None and (problem := otp.card_problem(card)):
        raise ProvisioningError(problem)
    if otp_kind not in (otp.CARD, otp.TOTP):
        raise ProvisioningError("otp は \"card\" または \"totp\" を指定してください。")
    if isinstance(applied_days_ago, bool) or not isinstance(applied_days_ago, int) or applied_days_ago < 0:
        raise ProvisioningError("applied_days_ago は0以上の整数で指定してください。")
    if challenge_cells is not None:
        if not current_app.config["TESTING"]:
            raise ProvisioningError("challenge_cells はテストモードでのみ指定できます。")
        if problem := otp.challenge_cells_problem(challenge_cells):
            raise ProvisioningError(problem)
    if contract_number and db.session.scalar(db.select(Contract.id).filter_by(number=contract_number)):
        raise ProvisioningError(f"利用者番号 {contract_number} のご契約は既に登録されています。", 409)

    registration_pin = registration_pin or f"{secrets.randbelow(10**4):04d}"
    now = clock.now()
    contract = Contract(
        number=contract_number or _unused_number(),
        registration_pin_hash=auth.hash_pin(registration_pin),
        card=card or otp.random_card(),
        otp_kind=otp_kind,
        totp_secret=pyotp.random_base32() if otp_kind == otp.TOTP else None,
        fixed_challenge=challenge_cells,
        applied_at=now - dt.timedelta(days=applied_days_ago),
    )
    contract.principals.append(Principal(kind=ADMIN, status=PENDING, permissions=[], created_at=now))
    db.session.add(contract)
    db.session.commit()
    return contract, registration_pin


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


@bp.errorhandler(ProvisioningError)
def _provisioning_error(error: ProvisioningError):
    return _error(error.message, error.status)


API_KEYS = {"contract_number", "registration_pin", "card", "otp", "applied_days_ago", "challenge_cells"}


@bp.post("/contracts")
def contracts():
    body = _json_body()
    if unknown := set(body) - API_KEYS:
        raise ProvisioningError(f"指定できない項目があります：{', '.join(sorted(unknown))}")
    contract, registration_pin = create_contract(
        contract_number=body.get("contract_number"),
        registration_pin=body.get("registration_pin"),
        card=body.get("card"),
        otp_kind=body.get("otp", otp.CARD),
        applied_days_ago=body.get("applied_days_ago", 0),
        challenge_cells=body.get("challenge_cells"),
    )
    return jsonify(
        contract_number=contract.number,
        registration_pin=registration_pin,
        card=contract.card,
        otp=contract.otp_kind,
        totp_secret=contract.totp_secret,
        applied_at=contract.applied_at.isoformat(),
    ), 201


@bp.route("/clock", methods=["GET", "POST"])
def clock_api():
    if request.method == "POST":
        if not current_app.config["TESTING"]:
            return _error("時計はテストモードでのみ変更できます。", 404)
        body = _json_body()
        if set(body) == {"advance_days"} and isinstance(body["advance_days"], (int, float)) \
                and not isinstance(body["advance_days"], bool):
            clock.advance(body["advance_days"])
        elif set(body) == {"now"} and isinstance(body["now"], str):
            try:
                clock.set_now(clock.parse_instant(body["now"]))
            except ValueError:
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
    ]
    return "\n".join(lines)


@bp.cli.command("create")
@click.option("--number", "contract_number", help="利用者番号（11桁）。省略時は未使用の番号を採番します。")
@click.option("--registration-pin", help="ご契約先登録用暗証番号（4桁）。省略時はランダム。")
@click.option("--otp", "otp_kind", type=click.Choice([otp.CARD, otp.TOTP]), default=otp.CARD, show_default=True,
              help="ワンタイムパスワードの方式：お客様カード（card）またはソフトウェアトークン（totp）。")
@click.option("--applied-days-ago", type=click.IntRange(min=0), default=0, show_default=True,
              help="お申込日を何日前とするか（電子証明書の取得期間の確認用）。")
def create_command(contract_number, registration_pin, otp_kind, applied_days_ago):
    """ご契約（利用申込）を登録し、お客様カードとご契約先登録用暗証番号を表示します。"""
    try:
        contract, pin = create_contract(contract_number=contract_number, registration_pin=registration_pin,
                                        otp_kind=otp_kind, applied_days_ago=applied_days_ago)
    except ProvisioningError as error:
        raise click.ClickException(error.message) from None
    click.echo(customer_card(contract, pin))
