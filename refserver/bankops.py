"""The back office's actions for the bank's systems and staff without a screen: the same operations as the staff
screens (lifecycle.py), as JSON API calls (Bearer operator token, on backoffice.bp) and `flask` commands.

    GET  /api/contracts/<n>                  the contract, its IDs and their certificates
    POST /api/contracts/<n>/revoke           {"serial", "reason": "lost" | "superseded" | "ended"}  失効
    POST /api/contracts/<n>/accident         事故登録            POST /api/contracts/<n>/accident/release  its release
    POST /api/contracts/<n>/reissue          the administrator's certificate reissued (FAQ 14)
    POST /api/contracts/<n>/unlock           {"user_id": null | "…"}  ロック解除
    POST /api/contracts/<n>/cancel           解約                POST /api/contracts/<n>/recontract  再契約
    GET  /api/audit[?contract_number=…]      the audit log        POST /api/staff  {"login", "name", "password"}

    flask --app refserver contract show|revoke|accident|reissue|unlock|cancel|recontract|audit …
    flask --app refserver staff create LOGIN --name NAME
"""

from __future__ import annotations

import getpass
import re

import click
from flask import jsonify, request

from . import audit, auth, lifecycle, revocation, staff
from .applications import ProvisioningError, find_contract
from .backoffice import body_of, bp, customer_card
from .models import Contract, Staff, db


def _contract(number: str) -> Contract:
    contract = find_contract(number)
    if contract is None:
        raise ProvisioningError(f"利用者番号 {number} のご契約が見つかりません。", 404)
    return contract


def _actor() -> str:
    return audit.API


def _done(operation, *args):
    try:
        return operation(*args)
    except lifecycle.LifecycleError as refused:
        raise ProvisioningError(str(refused), 409) from None


def contract_json(contract: Contract) -> dict:
    status = ("cancelled" if contract.cancelled_at else "accident" if contract.accident_at
              else "active" if contract.activated_at else "pending")
    return {"contract_number": contract.number, "status": status, "successor": contract.successor,
            "auth_method": contract.auth_method,
            "principals": [{"user_id": p.user_id, "kind": p.kind, "status": p.status, "locked": p.locked_at is not None,
                            "certificates": [{"serial": c.serial, "fingerprint": c.fingerprint,
                                              "not_before": c.not_before.isoformat(),
                                              "not_after": c.not_after.isoformat(),
                                              "revoked_at": c.revoked_at and c.revoked_at.isoformat(),
                                              "reason": c.revocation_reason} for c in p.certificates]}
                           for p in contract.principals]}


@bp.get("/contracts/<number>")
def show(number: str):
    return jsonify(contract_json(_contract(number)))


@bp.post("/contracts/<number>/revoke")
def revoke(number: str):
    body = body_of("serial", "reason")
    if not isinstance(body.get("serial"), str):
        raise ProvisioningError("serial（電子証明書のシリアル番号、16進）を指定してください。")
    contract = _contract(number)
    _done(lifecycle.revoke, contract, body["serial"], body.get("reason", "lost"), _actor())
    return jsonify(contract_json(contract))


# the actions that take the contract alone: URL after /api/contracts/<n>/ → the operation
_CONTRACT_ACTIONS = {
    "accident": lambda contract, actor: lifecycle.set_accident(contract, True, actor),
    "accident/release": lambda contract, actor: lifecycle.set_accident(contract, False, actor),
    "reissue": lifecycle.reissue_admin,
    "cancel": lifecycle.cancel,
}


def _contract_action(operation):
    def view(number: str):
        contract = _contract(number)
        _done(operation, contract, _actor())
        return jsonify(contract_json(contract))

    return view


for _path, _operation in _CONTRACT_ACTIONS.items():
    bp.add_url_rule(f"/contracts/<number>/{_path}", f"contract_{_path.replace('/', '_')}",
                    _contract_action(_operation), methods=["POST"])


def principal_of(contract: Contract, user_id: str | None):
    """The administrator (None) or the registered user *user_id* of *contract*; None if there is no such user."""
    if user_id is None:
        return contract.admin
    return next((u for u in contract.users if u.user_id == user_id), None)


@bp.post("/contracts/<number>/unlock")
def unlock(number: str):
    body = body_of("user_id")
    contract = _contract(number)
    principal = principal_of(contract, body.get("user_id"))
    if principal is None:
        raise ProvisioningError(f"利用者ID {body.get('user_id')} はこのご契約に登録されていません。", 404)
    _done(lifecycle.unlock, principal, _actor())
    return jsonify(contract_json(contract))


@bp.post("/contracts/<number>/recontract")
def recontract(number: str):
    made = _done(lifecycle.recontract, _contract(number), _actor())
    new = made.contract
    return jsonify(contract_number=new.number, registration_pin=made.registration_pin, card=new.card,
                   otp=new.otp_kind, totp_secret=new.totp_secret, applied_at=new.applied_at.isoformat(),
                   auth_method=new.auth_method, replaces=number), 201


@bp.get("/audit")
def audit_log():
    number = request.args.get("contract_number")
    return jsonify(entries=[{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                             "contract_number": e.contract_number, "detail": e.detail}
                            for e in audit.entries(number)])


def staff_problem(login, name, password) -> str | None:
    """Why a staff account cannot be made with these, or None."""
    if not (isinstance(login, str) and re.fullmatch(r"[A-Za-z0-9_.-]{3,32}", login)):
        return "login は3～32文字の半角英数字（._- も可）で指定してください。"
    if not (isinstance(name, str) and name.strip()):
        return "name（職員の氏名）を指定してください。"
    if not (isinstance(password, str) and len(password) >= 12 and re.search(r"[A-Za-z]", password)
            and re.search(r"[0-9]", password)):
        return "password は英字と数字を含む12文字以上で指定してください。"
    if db.session.scalar(db.select(Staff.id).filter_by(login=login)):
        return f"職員ID {login} は既に登録されています。"
    return None


def add_staff(login: str, name: str, password: str, actor: str) -> Staff:
    member = Staff(login=login, name=name.strip(), password_hash=auth.hash_pin(password))
    db.session.add(member)
    audit.record(actor, "職員の登録", None, login)
    db.session.commit()
    return member


@bp.post("/staff")
def staff_create():
    body = body_of("login", "name", "password")
    if problem := staff_problem(body.get("login"), body.get("name"), body.get("password")):
        raise ProvisioningError(problem, 409 if "既に" in problem else 400)
    member = add_staff(body["login"], body["name"], body["password"], _actor())
    return jsonify(login=member.login, name=member.name), 201


# -- CLI -----------------------------------------------------------------------------------------------------------
def _cli_actor() -> str:
    return f"CLI {getpass.getuser()}"


def _cli(operation, *args) -> None:
    try:
        operation(*args)
    except lifecycle.LifecycleError as refused:
        raise click.ClickException(str(refused)) from None


def _cli_contract(number: str) -> Contract:
    contract = find_contract(number)
    if contract is None:
        raise click.ClickException(f"利用者番号 {number} のご契約が見つかりません。")
    return contract


@bp.cli.command("show")
@click.argument("number")
def show_command(number):
    """ご契約の状態、ID と電子証明書を表示します。"""
    data = contract_json(_cli_contract(number))
    click.echo(f"利用者番号 {data['contract_number']}  状態 {data['status']}"
               + (f"  新しい利用者番号 {data['successor']}" if data["successor"] else ""))
    for principal in data["principals"]:
        click.echo(f"  {principal['user_id'] or '管理者'}  {principal['status']}{'  ロック中' if principal['locked'] else ''}")
        for c in principal["certificates"]:
            state = f"失効 {c['revoked_at']} ({c['reason']})" if c["revoked_at"] else f"有効期限 {c['not_after']}"
            click.echo(f"    {c['serial']}  {state}")


@bp.cli.command("revoke")
@click.argument("number")
@click.argument("serial")
@click.option("--reason", type=click.Choice(list(revocation.REASONS)), default="lost", show_default=True,
              help="失効の理由：紛失・盗難（lost）、再発行（superseded）、利用終了（ended）。")
def revoke_command(number, serial, reason):
    """電子証明書を失効します（パソコンの紛失など）。"""
    _cli(lifecycle.revoke, _cli_contract(number), serial, reason, _cli_actor())
    click.echo("失効しました。")


@bp.cli.command("accident")
@click.argument("number")
@click.option("--release", is_flag=True, help="事故登録を解除します。")
def accident_command(number, release):
    """事故登録を行います（--release で解除）。"""
    _cli(lifecycle.set_accident, _cli_contract(number), not release, _cli_actor())
    click.echo("事故登録を解除しました。" if release else "事故登録を行いました。")


@bp.cli.command("reissue")
@click.argument("number")
def reissue_command(number):
    """管理者の電子証明書を再発行します（旧証明書は失効）。"""
    _cli(lifecycle.reissue_admin, _cli_contract(number), _cli_actor())
    click.echo("再発行を受け付けました。管理者はログオン前の「電子証明書取得」から取得できます。")


@bp.cli.command("unlock")
@click.argument("number")
@click.option("--user", "user_id", help="利用者ID（省略時は管理者）。")
def unlock_command(number, user_id):
    """暗証番号等の誤りでロックされた ID のロックを解除します。"""
    principal = principal_of(_cli_contract(number), user_id)
    if principal is None:
        raise click.ClickException(f"利用者ID {user_id} はこのご契約に登録されていません。")
    _cli(lifecycle.unlock, principal, _cli_actor())
    click.echo("ロックを解除しました。")


@bp.cli.command("cancel")
@click.argument("number")
def cancel_command(number):
    """ご契約を解約します（すべての電子証明書を失効）。"""
    _cli(lifecycle.cancel, _cli_contract(number), _cli_actor())
    click.echo("解約しました。")


@bp.cli.command("recontract")
@click.argument("number")
def recontract_command(number):
    """再契約：ご契約を解約し、新しいご契約を登録してお客様カードと登録用暗証番号を表示します。"""
    try:
        made = lifecycle.recontract(_cli_contract(number), _cli_actor())
    except lifecycle.LifecycleError as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(customer_card(made.contract, made.registration_pin))


@bp.cli.command("audit")
@click.argument("number", required=False)
def audit_command(number):
    """操作履歴を新しい順に表示します（利用者番号を指定するとそのご契約のみ）。"""
    for entry in audit.entries(number):
        click.echo(f"{entry.at.isoformat()}  {entry.actor}  {entry.action}  {entry.contract_number or '-'}  {entry.detail}")


@staff.bp.cli.command("create")
@click.argument("login")
@click.option("--name", required=True, help="職員の氏名。")
@click.password_option(help="パスワード（英字と数字を含む12文字以上）。")
def staff_create_command(login, name, password):
    """業務画面を利用する職員を登録します。"""
    if problem := staff_problem(login, name, password):
        raise click.ClickException(problem)
    add_staff(login, name, password, _cli_actor())
    click.echo(f"職員 {login} を登録しました。")
