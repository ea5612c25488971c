"""電子証明書取得, before logon, for the administrator (I-3.3 … I-3.8) and the users (II-1.3 … II-1.8).

The screens are the same for both sides; only the form of the first step differs. The browser's prompts of the
manual (取得の確認, セキュリティレベル, インストール) are in-page dialogs, each a step of its own. Nothing is issued
until the last はい: only then are the key pair and the certificate made, and the PKCS#12 file exists nowhere but in
that one response.
"""

from __future__ import annotations


from flask import Blueprint, redirect, request, url_for

from . import auth, clock, issuance, notices, rules, throttle
from .messages import message
from .models import ADMIN, PENDING, Contract, Principal, db
from .web import Form, end_flow, flow, out_of_order, screen, set_flow, w, warn

bp = Blueprint("enrollment", __name__, url_prefix="/ib/<any(admin, user):kind>/certificate")

FLOW = "enrollment"
FLOW_LIFETIME_SECONDS = 15 * 60  # judged by the app clock (testing mode moves it)


def _labels(kind: str) -> dict[str, str]:
    if kind == ADMIN:
        return {"logon_pin": w("enrollment.admin_logon_pin"), "confirmation_pin": w("enrollment.admin_confirmation_pin")}
    return {"logon_pin": w("enrollment.user_logon_pin"), "confirmation_pin": w("enrollment.user_confirmation_pin")}


def _principal(kind: str, stage: str) -> Principal | None:
    """Whose enrollment this is, if the flow is at *stage* on this side and has not expired."""
    state = flow(FLOW)
    if not state or state.get("kind") != kind or state.get("stage") != stage:
        return None
    if clock.now().timestamp() - state["started"] > FLOW_LIFETIME_SECONDS:
        return None
    return db.session.get(Principal, state["principal"])


def _advance(stage: str) -> None:
    state = flow(FLOW)
    set_flow(FLOW, **{**state, "stage": stage})


def _cancel(kind: str, message: str):
    end_flow(FLOW)
    warn(message)
    return redirect(url_for("enrollment.start", kind=kind))


# One answer for an unknown ID, an ID without PINs yet and a known one with wrong PINs (no count of the attempts
# left either), so the form is no oracle of which IDs exist.
NOT_RIGHT = {
    ADMIN: message("admin_enrollment_not_right"),
    "user": message("user_enrollment_not_right"),
}


def _find(kind: str, number: str, user_id: str) -> Principal | None:
    """The ID whose PINs are to be judged: none if it does not exist or has no PINs yet (the administrator before
    開通確認, whom anonymous guesses must not lock)."""
    contract = db.session.scalar(db.select(Contract).filter_by(number=number))
    if kind == ADMIN:
        principal = contract and contract.admin
    else:
        principal = contract and next((u for u in contract.users if u.user_id == user_id), None)
    return principal if principal is not None and principal.status != PENDING else None


@bp.route("", methods=["GET", "POST"])
def start(kind: str):
    """I-3.3 / II-1.3: who is obtaining the certificate, proven by the two PINs (a user's are the 仮 ones the first
    time)."""
    labels = _labels(kind)
    form = Form("contract_number", "user_id", "logon_pin", "confirmation_pin")
    if request.method == "POST":
        number, problem = rules.contract_number(form["contract_number"])
        form.values["contract_number"] = number
        form.check("contract_number", problem)
        if kind != ADMIN:
            form.check("user_id", rules.user_id(form["user_id"]))
        for name in ("logon_pin", "confirmation_pin"):
            form.check(name, rules.entered_pin(form[name], labels[name]))
        if form.ok and throttle.held_back():
            form.alert = throttle.MESSAGE
            return screen("enrollment/start.html", w("enrollment.heading"), kind=kind, form=form, labels=labels,
                          dialog=None), 429
        principal = _find(kind, number, form["user_id"]) if form.ok else None
        if form.ok and principal is None:
            for name in ("logon_pin", "confirmation_pin"):
                auth.spend_a_check(form[name])
            form.alert = NOT_RIGHT[kind]
        if principal is not None:
            if principal.locked_at is not None:
                form.alert = auth.locked_message()
            else:
                verdict = auth.judge(principal, lambda: all(  # both judged, whatever the first says: same time
                    [auth.pin_matches(principal.logon_pin_hash, form["logon_pin"]),
                     auth.pin_matches(principal.confirmation_pin_hash, form["confirmation_pin"])]))
                if not verdict.right:
                    form.alert = verdict.message if verdict.locked else NOT_RIGHT[kind]
                if verdict.right:  # gives its attempt back; other failures still count until a logon succeeds
                    form.alert = issuance.refusal(principal)
                    if form.alert is None:
                        set_flow(FLOW, kind=kind, principal=principal.id, stage="confirm", started=clock.now().timestamp())
                        return redirect(url_for("enrollment.confirm", kind=kind))
        if form.alert == NOT_RIGHT[kind]:
            throttle.missed()
    return screen("enrollment/start.html", w("enrollment.heading"), kind=kind, form=form, labels=labels,
                  dialog=None)


def _form_behind(principal: Principal) -> Form:
    """The first step's form as it stays behind a dialog: its identifiers filled in, never its PINs."""
    form = Form()
    form.values = {"contract_number": principal.contract.number, "user_id": principal.user_id or ""}
    return form


def _prompt_step(kind: str, stage: str, next_stage: str, render, cancelled: str | None = None):
    """A step that shows one prompt of the manual: GET shows it, POST (its はい / OK / 発行) moves the flow on to
    *next_stage*, whose route has the same name. With *cancelled*, the prompt also offers いいえ, which ends the flow
    with that message."""
    principal = _principal(kind, stage)
    if principal is None:
        return out_of_order("enrollment.start", kind=kind)
    if request.method == "GET":
        return render(principal)
    if cancelled and request.form.get("answer") != "yes":
        return _cancel(kind, cancelled)
    _advance(next_stage)
    return redirect(url_for(f"enrollment.{next_stage}", kind=kind))


def _over_form(kind: str, dialog: str):
    """Render the first step's screen with *dialog* open over it."""
    return lambda principal: screen("enrollment/start.html", w("enrollment.heading"), kind=kind,
                                    form=_form_behind(principal), labels=_labels(kind), dialog=dialog)


@bp.route("/confirm", methods=["GET", "POST"])
def confirm(kind: str):
    """I-3.4 / II-1.4: 電子証明書の取得 — はい to go on."""
    return _prompt_step(kind, "confirm", "security", _over_form(kind, "confirm"),
                        cancelled="電子証明書の取得を中止しました。電子証明書は発行されていません。")


@bp.route("/security", methods=["GET", "POST"])
def security(kind: str):
    """I-3.5 / II-1.5: セキュリティレベルの確認 — the level is 中; OK to go on."""
    return _prompt_step(kind, "security", "issuing", _over_form(kind, "security"))


@bp.route("/issue", methods=["GET", "POST"])
def issuing(kind: str):
    """I-3.6 / II-1.6: 電子証明書発行 — the issuing starts with 発行."""
    return _prompt_step(kind, "issuing", "install", lambda principal: screen(
        "enrollment/issuing.html", w("enrollment.issuing_heading"), kind=kind, dialog=None))


@bp.route("/install", methods=["GET", "POST"])
def install(kind: str):
    """I-3.7 / II-1.7: 証明書のインストール — はい makes the certificate and shows I-3.8 / II-1.8."""
    principal = _principal(kind, "install")
    if principal is None:
        return out_of_order("enrollment.start", kind=kind)
    if request.method == "GET":
        return screen("enrollment/issuing.html", w("enrollment.issuing_heading"), kind=kind, dialog="install")
    if request.form.get("answer") != "yes":
        return _cancel(kind, "電子証明書のインストールを中止しました。電子証明書は発行されていません。")
    end_flow(FLOW)
    refusal = issuance.refusal(principal)  # again: another tab may have obtained one meanwhile
    if refusal:
        return _cancel(kind, refusal)
    delivery = issuance.issue(principal)
    notices.send(principal.contract, notices.ISSUED, f"{principal.label}の電子証明書を発行しました（シリアル番号 "
                                                     f"{delivery.record.serial}）。", principal)
    # Rendered in this response, not redirected to: the file and its password are never stored to be shown again
    # (and every page is sent with Cache-Control: no-store).
    return screen("enrollment/done.html", w("enrollment.done_heading"), kind=kind, delivery=delivery)
