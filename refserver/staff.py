"""The bank's back office on screen: its staff log on with their own 職員ID and password (never with a customer's
certificate), find a contract by its 利用者番号 and act on it — 失効, ロック解除, the administrator's reissue,
事故登録 and its release, 解約, 再契約 — and read the audit log. Each action is lifecycle.py's, the same as the API's
and the CLI's (bankops.py), and is written to the audit log with the staff member's ID.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from flask import Blueprint, current_app, g, redirect, request, session, url_for

from . import audit, auth, clock, lifecycle, throttle
from .applications import find_contract
from .models import Staff, db
from .web import Form, notify, screen, w, warn

bp = Blueprint("staff", __name__, url_prefix="/staff")
SESSION_KEY = "staff"
_WRONG = "職員IDまたはパスワードが正しくありません。"


def staff_actor(staff: Staff) -> str:
    return f"職員 {staff.login}"


def _current() -> Staff | None:
    state = session.get(SESSION_KEY)
    if not state:
        return None
    idle = dt.timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    if clock.now().timestamp() - state["seen"] > idle.total_seconds():
        session.pop(SESSION_KEY, None)
        warn("一定時間操作がなかったため、職員ログオフしました。もう一度ログオンしてください。")
        return None
    state["seen"] = clock.now().timestamp()
    session[SESSION_KEY] = state
    return db.session.get(Staff, state["id"])


def staff_only(view):
    """Only for a logged-on member of staff (the logon ends after IDLE_TIMEOUT_MINUTES without a request)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        staff = _current()
        if staff is None:
            return redirect(url_for("staff.logon"))
        g.staff = staff
        return view(*args, **kwargs)

    return wrapped


@bp.route("/logon", methods=["GET", "POST"])
def logon():
    form = Form("login", "password")
    if request.method == "POST":
        form.check("login", None if form["login"] else f"{w('staff.login')}を入力してください。")
        form.check("password", None if form["password"] else f"{w('staff.password')}を入力してください。")
        if form.ok and throttle.held_back():
            form.alert = throttle.MESSAGE
            return screen("staff/logon.html", w("staff.logon_heading"), form=form), 429
        if form.ok:
            staff = db.session.scalar(db.select(Staff).filter_by(login=form["login"]))
            if staff is not None and auth.pin_matches(staff.password_hash, form["password"]):
                session.clear()
                session[SESSION_KEY] = {"id": staff.id, "seen": clock.now().timestamp()}
                return redirect(url_for("staff.search"))
            if staff is None:
                auth.spend_a_check(form["password"])  # as long as a wrong password: the form tells no IDs apart
            throttle.missed()
            form.alert = _WRONG
    return screen("staff/logon.html", w("staff.logon_heading"), form=form)


@bp.post("/logoff")
def logoff():
    session.pop(SESSION_KEY, None)
    notify("職員ログオフしました。")
    return redirect(url_for("staff.logon"))


@bp.get("/")
@staff_only
def search():
    number = request.args.get("number")
    form = Form("number")
    if number is not None:
        form.values["number"] = number
        if not re.fullmatch(r"[0-9]{11}", number.strip()):
            form.check("number", f"{w('staff.contract_number')}は11桁の数字で入力してください。")
        elif find_contract(number.strip()) is None:
            form.check("number", f"利用者番号 {number.strip()} のご契約は見つかりません。")
        else:
            return redirect(url_for("staff.contract", number=number.strip()))
    return screen("staff/search.html", w("staff.search_heading"), form=form)


def _contract_or_404(number: str):
    contract = find_contract(number)
    if contract is None:
        warn(f"利用者番号 {number} のご契約は見つかりません。")
        return None
    return contract


@bp.get("/contracts/<number>")
@staff_only
def contract(number: str):
    found = _contract_or_404(number)
    if found is None:
        return redirect(url_for("staff.search"))
    return screen("staff/contract.html", w("staff.contract_heading"), contract=found, now=clock.now(),
                  entries=audit.entries(found.number, limit=20))


# action name → what it does, given the contract and the form
_ACTIONS = {
    "revoke": lambda c, form, actor: lifecycle.revoke(c, form.get("serial", ""), "lost", actor),
    "unlock": lambda c, form, actor: lifecycle.unlock(_principal(c, form.get("principal", "")), actor),
    "reissue": lambda c, form, actor: lifecycle.reissue_admin(c, actor),
    "accident": lambda c, form, actor: lifecycle.set_accident(c, True, actor),
    "release": lambda c, form, actor: lifecycle.set_accident(c, False, actor),
    "cancel": lambda c, form, actor: lifecycle.cancel(c, actor),
}
_DONE = {"revoke": "電子証明書を失効しました。", "unlock": "ロックを解除しました。",
         "reissue": "管理者の電子証明書の再発行を受け付けました。", "accident": "事故登録を行いました。",
         "release": "事故登録を解除しました。", "cancel": "解約しました。"}


def _principal(contract, principal_id: str):
    principal = next((p for p in contract.principals if str(p.id) == principal_id), None)
    if principal is None:
        raise lifecycle.LifecycleError("指定された ID はこのご契約にありません。")
    return principal


@bp.post("/contracts/<number>/<action>")
@staff_only
def act(number: str, action: str):
    found = _contract_or_404(number)
    if found is None:
        return redirect(url_for("staff.search"))
    actor = staff_actor(g.staff)
    if action == "recontract":
        try:
            made = lifecycle.recontract(found, actor)
        except lifecycle.LifecycleError as refused:
            warn(str(refused))
            return redirect(url_for("staff.contract", number=number))
        # the new contract's card and registration PIN, shown in this response only (to be printed for the customer)
        return screen("staff/recontracted.html", w("staff.recontracted_heading"), old=found, made=made)
    if action not in _ACTIONS:
        warn("この操作はできません。画面のボタンから操作してください。")
        return redirect(url_for("staff.contract", number=number))
    try:
        _ACTIONS[action](found, request.form, actor)
    except lifecycle.LifecycleError as refused:
        warn(str(refused))
    else:
        notify(_DONE[action])
    return redirect(url_for("staff.contract", number=number))


@bp.get("/audit")
@staff_only
def audit_log():
    return screen("staff/audit.html", w("staff.audit_heading"), entries=audit.entries())
