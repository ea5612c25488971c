"""振込: the one transaction of the refserver, there to make 権限 and チ mean something (legend チ 利用者確認暗証番号:
利用者が資金移動などの取引実行時に使用します).

A logged-on user whose 権限 has 振込・振替 (set by the administrator at I-4.7 and on 利用者情報変更) enters the payee
and the amount (振込), confirms them with チ (振込内容確認) and is given a 受付番号 (振込受付完了). Anyone else is
refused (403) and never shown the form; the 権限 is judged again at every request, so one taken away half-way stops
the transfer. These are the users' screens alone: the manual gives the administrator ロ for the operations of
security (利用者情報登録等) and チ, the PIN of transactions, to the users; the administrator holds no 権限.

- A wrong チ counts towards the user's lockout as every PIN does (auth.judge): N misses lock the ID and end the logon,
  and no transfer is made.
- One confirmation makes at most one transfer: the entered transfer is accepted by one conditional UPDATE that finds
  it still waiting, so a second submit — the back button, a double click, two workers at once — accepts nothing.
- Input is judged before anything is written: 振込先口座番号 7 digits (全角 digits taken as half-width: it is copied
  from paper), 受取人名 in カナ (半角カナ taken as 全角) of at most 30 characters, 振込金額 from 1 円 to
  IBCERT_TRANSFER_LIMIT (1,000万円).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from flask import Blueprint, Response, current_app, g, redirect, request, url_for
from sqlalchemy import update

from . import clock, rules
from .messages import message
from .models import USER, Principal, Transfer, db
from .web import Form, confirmed_by_pin, flow, out_of_order, require_logon, screen, set_flow, w, warn

bp = Blueprint("transfer", __name__, url_prefix="/ib/user/transfer")
FLOW = "transfer"
ACCOUNT_DIGITS = 7
NAME_LENGTH = 30
_KANA = re.compile(r"[ァ-ヴー]+(?: [ァ-ヴー]+)*")


def allowed(principal: Principal) -> bool:
    """The ID's 権限 has 振込・振替."""
    return w("transfer.permission") in principal.permissions


@bp.app_context_processor
def _menu() -> dict:
    """利用者ステータス links 振込 for the users it allows."""
    return {"transfer_allowed": allowed}


def _for_permitted_users(view):
    """Only for a logged-on user whose 権限 allows 振込; anyone else is told why, with 403."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not allowed(g.principal):
            return screen("transfer/refused.html", w("transfer.refused_heading")), 403
        return view(*args, **kwargs)

    return require_logon(USER)(wrapped)


# -- the input's rules ----------------------------------------------------------------------------------------------
def account_number(raw: str) -> tuple[str, str | None]:
    """振込先口座番号: 7 digits; full-width digits are taken as half-width. Returns (normalised, message)."""
    value, label = rules.half_width_digits(raw), w("transfer.account_number")
    if not value:
        return value, f"{label}を入力してください。"
    if not re.fullmatch(rf"[0-9]{{{ACCOUNT_DIGITS}}}", value):
        return raw.strip(), f"{label}は{ACCOUNT_DIGITS}桁の数字で入力してください（全角数字は半角として扱います）。"
    return value, None


def payee_name(raw: str) -> tuple[str, str | None]:
    """受取人名: カナ words (半角カナ is taken as 全角, any blank as one space), at most 30 characters."""
    value, label = re.sub(" +", " ", unicodedata.normalize("NFKC", raw)).strip(" "), w("transfer.payee_name")
    if not value:
        return value, f"{label}を入力してください。"
    if not _KANA.fullmatch(value):
        return raw.strip(), f"{label}はカタカナで入力してください（漢字・英数字・記号は使用できません）。"
    if len(value) > NAME_LENGTH:
        return value, f"{label}は{NAME_LENGTH}文字以内で入力してください。"
    return value, None


def amount(raw: str) -> tuple[str, str | None]:
    """振込金額: whole 円 from 1 to the limit; full-width digits and thousands separators are allowed."""
    limit, label = current_app.config["TRANSFER_LIMIT"], w("transfer.amount")
    digits = re.sub("[,，]", "", rules.half_width_digits(raw))
    if not digits:
        return digits, f"{label}を入力してください。"
    if not re.fullmatch(r"[0-9]+", digits):
        return raw.strip(), f"{label}は円単位の数字で入力してください。"
    significant = digits.lstrip("0") or "0"
    # compared by length first: a number of a million digits is refused, never converted
    if len(significant) > len(str(limit)) or not 1 <= int(significant) <= limit:
        return raw.strip(), f"{label}は1円以上{limit:,}円以下で入力してください。"
    return significant, None


_FIELDS = {"account_number": account_number, "payee_name": payee_name, "amount": amount}


# -- the screens ----------------------------------------------------------------------------------------------------
@bp.route("", methods=["GET", "POST"])
@_for_permitted_users
def entry():
    """振込: the payee and the amount; nothing is transferred before the confirmation with チ."""
    form = Form(*_FIELDS)
    if request.method == "POST":
        for name, judged in _FIELDS.items():
            form.values[name], problem = judged(form[name])
            form.check(name, problem)
        if form.ok:
            entered = Transfer(principal_id=g.principal.id, account_number=form["account_number"],
                               payee_name=form["payee_name"], amount=int(form["amount"]), entered_at=clock.now())
            db.session.add(entered)
            db.session.commit()
            set_flow(FLOW, transfer=entered.id)
            return redirect(url_for("transfer.confirm"))
    return screen("transfer/entry.html", w("transfer.heading"), form=form)


def _entered() -> Transfer | None:
    """The transfer this browser entered, if it is the logged-on user's."""
    state = flow(FLOW)
    transfer = db.session.get(Transfer, state["transfer"]) if state else None
    return transfer if transfer is not None and transfer.principal_id == g.principal.id else None


@bp.route("/confirm", methods=["GET", "POST"])
@_for_permitted_users
def confirm():
    """振込内容確認: the transfer as entered, executed with チ 利用者確認暗証番号."""
    transfer, principal = _entered(), g.principal
    if transfer is None:
        return out_of_order("transfer.entry")
    if transfer.accepted_at is not None:
        return _accepted_already()
    form = Form("confirmation_pin")
    if request.method == "POST":
        confirmed = confirmed_by_pin(principal, form, w("transfer.confirmation_pin"), "user.logon")
        if isinstance(confirmed, Response):
            return confirmed
        if confirmed:
            return redirect(url_for("transfer.done")) if accept(transfer) else _accepted_already()
    return screen("transfer/confirm.html", w("transfer.confirm_heading"), form=form, transfer=transfer)


def accept(transfer: Transfer) -> bool:
    """Accept *transfer* once: of confirmations racing on any workers, one UPDATE alone finds it waiting. Its 受付番号
    is the day and the row's number, which the database gave it."""
    now = clock.now()
    receipt = f"{clock.jst_day(now):%Y%m%d}-{transfer.id:08d}"
    taken = db.session.execute(update(Transfer).where(Transfer.id == transfer.id, Transfer.accepted_at.is_(None))
                               .values(accepted_at=now, receipt_number=receipt)).rowcount
    db.session.commit()
    return bool(taken)


def _accepted_already():
    warn(message("transfer_accepted"))
    return redirect(url_for("transfer.done"))


@bp.get("/done")
@_for_permitted_users
def done():
    """振込受付完了: the 受付番号."""
    transfer = _entered()
    if transfer is None or transfer.accepted_at is None:
        return out_of_order("transfer.entry")
    return screen("transfer/done.html", w("transfer.done_heading"), transfer=transfer)
