"""The administrator's screens: 開通確認 (I-2.2 … I-2.5), certificate logon (I-4.1 … I-4.5) and the menu that
registers users (I-4.6 … I-4.8)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, redirect, request, url_for

from . import auth, clock, issuance, lifecycle, onboarding, rules, throttle
from .certlogon import CertificateLogon
from .passwordlogon import PasswordLogon
from .applications import find_contract
from .models import ADMIN, PENDING, ActivationRequest, Contract, Principal, db
from .otp_screen import one_time_password
from .renewal import add_renewal
from .web import (Form, check_new_pins, confirmed_by_pin, flow, new_pin_names, notify, out_of_order, require_logon,
                  screen, set_flow, w, warn)

bp = Blueprint("admin", __name__, url_prefix="/ib/admin")
CertificateLogon(bp, ADMIN, w("logon.admin_heading"), w("certificate_logon.admin_pin"), one_time_password=True)
PasswordLogon(bp, ADMIN, w("logon.admin_heading"), w("logon.admin_pin"), one_time_password=True)
add_renewal(bp, ADMIN)

ACTIVATION = "activation"
# One answer for an unknown 利用者番号 and for a known one with a wrong PIN (no count of the attempts left either: it
# would tell the two apart), so the form is no oracle of which numbers exist.
NOT_RIGHT = "利用者番号またはご契約先登録用暗証番号が正しくありません。お客様カードと申込書控えをご確認ください。"


def _activation(stage: str) -> Contract | None:
    """The contract whose 開通確認 is at *stage* in this browser; none once its administrator is activated (a kept
    cookie of an earlier step is worthless then)."""
    state = flow(ACTIVATION)
    if not state or state.get("stage") != stage:
        return None
    contract = db.session.get(Contract, state["contract"])
    return contract if stage == "done" or contract.admin.status == PENDING else None


# -- 開通確認 ---------------------------------------------------------------------------------------------------
@bp.route("/activation", methods=["GET", "POST"])
def activation():
    """I-2.2: 利用者番号 (A) and ご契約先登録用暗証番号 (C) from the application form."""
    form = Form("contract_number", "registration_pin")
    if request.method == "POST":
        number, problem = rules.contract_number(form["contract_number"])
        form.values["contract_number"] = number
        form.check("contract_number", problem)
        form.check("registration_pin", rules.registration_pin(form["registration_pin"]))
        if form.ok and throttle.held_back():
            form.alert = throttle.MESSAGE
            return screen("admin/activation.html", w("activation.heading"), form=form), 429
        if form.ok:
            contract, pin = find_contract(number), form["registration_pin"]
            if contract is None:
                auth.spend_a_check(pin)
                form.alert = NOT_RIGHT
            elif contract.admin.status != PENDING:
                # activated: nothing is counted (anonymous guesses must not lock the administrator's logon), and only
                # the right PIN learns that it is done
                right = auth.pin_matches(contract.registration_pin_hash, pin)
                form.alert = "この利用者番号の開通確認は完了しています。" if right else NOT_RIGHT
            else:
                verdict = auth.judge(contract.admin, lambda: auth.pin_matches(contract.registration_pin_hash, pin))
                if verdict.right:
                    set_flow(ACTIVATION, contract=contract.id, stage="pins")
                    return redirect(url_for("admin.activation_pins"))
                form.alert = verdict.message if verdict.locked else NOT_RIGHT
            if form.alert == NOT_RIGHT:
                throttle.missed()
    return screen("admin/activation.html", w("activation.heading"), form=form)



@bp.route("/activation/pins", methods=["GET", "POST"])
def activation_pins():
    """I-2.3: set ご契約先暗証番号 (イ), ご契約先確認暗証番号 (ロ) and ご契約先Eメールアドレス (ハ). They take effect
    when the one-time password of the next step is right."""
    contract = _activation("pins")
    if contract is None:
        return out_of_order("admin.activation")
    form = Form(*new_pin_names("logon_pin", "confirmation_pin"), "email")
    if request.method == "POST":
        check_new_pins(form, [("logon_pin", w("activation.logon_pin"), "イ"),
                              ("confirmation_pin", w("activation.confirmation_pin"), "ロ")],
                       contract_number=contract.number)
        email, problem = rules.email(form["email"])
        form.check("email", problem)
        if form.ok:  # kept aside until the one-time password of I-2.4: nothing of the administrator changes yet
            pending = ActivationRequest(contract_id=contract.id, logon_pin_hash=auth.hash_pin(form["logon_pin"]),
                                        confirmation_pin_hash=auth.hash_pin(form["confirmation_pin"]), email=email,
                                        created_at=clock.now())
            db.session.add(pending)
            db.session.commit()
            set_flow(ACTIVATION, contract=contract.id, stage="otp", request=pending.id)
            return redirect(url_for("admin.activation_otp"))
    return screen("admin/activation_pins.html", w("activation.pins_heading"), form=form)


@bp.route("/activation/otp", methods=["GET", "POST"])
def activation_otp():
    """I-2.4: the one-time password from the お客様カード completes the 開通確認."""
    contract = _activation("otp")
    if contract is None:
        return out_of_order("admin.activation")
    admin = contract.admin
    pending = db.session.get(ActivationRequest, flow(ACTIVATION).get("request") or 0)
    if pending is None or pending.contract_id != contract.id:
        return out_of_order("admin.activation")

    def activated():
        taken = onboarding.activate_admin(contract, pending.logon_pin_hash, pending.confirmation_pin_hash,
                                          pending.email)
        db.session.delete(pending)
        db.session.commit()
        if not taken:
            return out_of_order("admin.activation")
        auth.record_success(admin)
        set_flow(ACTIVATION, contract=contract.id, stage="done")
        return redirect(url_for("admin.activation_done"))

    return one_time_password(contract, admin, ACTIVATION, "admin.activation", activated)


@bp.get("/activation/done")
def activation_done():
    """I-2.5: 開通確認完了; 閉じる returns to the service top screen."""
    contract = _activation("done")
    if contract is None:
        return out_of_order("admin.activation")
    return screen("admin/activation_done.html", w("activation.done_heading"), contract=contract)


# -- the menu after logon ---------------------------------------------------------------------------------------
@bp.get("/status")
@require_logon(ADMIN)
def status():
    """I-4.6: ご契約先ステータス."""
    contract = g.principal.contract
    return screen("admin/status.html", w("admin_menu.status_heading"), contract=contract,
                  certificate=issuance.valid_certificate(g.principal, clock.now()),
                  renewal_due=lifecycle.renewal_due(g.principal))


@bp.get("/management")
@require_logon(ADMIN)
def management():
    return screen("admin/management.html", w("admin_menu.management_heading"))


@bp.get("/users")
@require_logon(ADMIN)
def users():
    now = clock.now()
    rows = [(user, issuance.valid_certificate(user, now)) for user in g.principal.contract.users]
    return screen("admin/users.html", w("admin_menu.users_heading"), rows=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@require_logon(ADMIN)
def new_user():
    """I-4.7: 利用者ID (ニ), 利用者名, the 仮 PINs (ホ, ヘ), 権限, confirmed with ご契約先確認暗証番号 (ロ); and, beyond
    the manual, the user's Eメールアドレス, optional unless the bank requires it (FAQ 16, IBCERT_USER_EMAIL_REQUIRED)."""
    admin = g.principal
    contract = admin.contract
    form = Form("user_id", "user_name", "email", "temp_pin", "temp_confirmation_pin", "confirmation_pin")
    allowed = w("admin_menu.permission_names")
    selected = request.form.getlist("permissions") if request.method == "POST" else []
    if request.method == "POST":
        user_id = form["user_id"]
        form.check("user_id", rules.user_id(user_id))
        form.check("user_name", rules.user_name(form["user_name"]))
        email, problem = rules.email(form["email"], w("admin_menu.user_email"),
                                     required=current_app.config["USER_EMAIL_REQUIRED"])
        form.check("email", problem)
        temp_label, temp_confirmation_label = w("admin_menu.temporary_logon_pin"), w("admin_menu.temporary_confirmation_pin")
        for name, label, rule in (("temp_pin", temp_label, "ホ"), ("temp_confirmation_pin", temp_confirmation_label, "ヘ")):
            form.check(name, rules.new_pin(form[name], label, rule=rule, contract_number=contract.number,
                                           user_id=user_id))
        form.check("temp_confirmation_pin", rules.different_pins(form["temp_pin"], form["temp_confirmation_pin"],
                                                                 temp_label, temp_confirmation_label))
        form.check("permissions", rules.permissions(selected, allowed))
        if any(principal.user_id == user_id for principal in contract.principals):
            # a deleted user's ID too: an ID names one person in the audit log, for good
            form.check("user_id", "この利用者IDは既に登録されています。別の利用者IDを指定してください。")
        confirmed = _confirmed(admin, form)
        if isinstance(confirmed, Response):
            return confirmed
        if confirmed:
            user = onboarding.register_user(contract, user_id, form["user_name"], form["temp_pin"],
                                            form["temp_confirmation_pin"], selected, email)
            db.session.commit()
            set_flow("registered", user=user.id)
            return redirect(url_for("admin.registered"))
    return screen("admin/new_user.html", w("admin_menu.new_user_heading"), form=form, allowed=allowed,
                  selected=selected)


def _confirmed(admin, form: Form):
    """ロ ご契約先確認暗証番号 (field "confirmation_pin") confirms a change (web.confirmed_by_pin)."""
    return confirmed_by_pin(admin, form, w("admin_menu.confirmation_pin"), "bank.service_top", what="暗証番号")


@bp.get("/users/registered")
@require_logon(ADMIN)
def registered():
    """I-4.8: 利用者登録完了; the ログオフ button is in the header of every logged-on screen."""
    state = flow("registered")
    user = db.session.get(Principal, state["user"]) if state else None
    if user is None or user.contract_id != g.principal.contract_id:
        return out_of_order("admin.users")
    return screen("admin/registered.html", w("admin_menu.registered_heading"), user=user)


# -- one user: 権限, ロック解除, 再発行 (FAQ 14, 18), 削除 — each confirmed with ロ --------------------------------------
_USER_ACTIONS = {"permissions": "権限を変更しました。", "email": "Eメールアドレスを変更しました。",
                 "unlock": "ロックを解除しました。",
                 "reissue": "電子証明書の再発行を受け付けました。新しい利用者暗証番号(仮)・利用者確認暗証番号(仮)を"
                            "利用者に通知してください。",
                 "delete": "利用者を削除しました。"}


def _registered_user(user_id: str) -> Principal | None:
    return next((user for user in g.principal.contract.users if user.user_id == user_id), None)


@bp.route("/users/<user_id>", methods=["GET"])
@require_logon(ADMIN)
def user_detail(user_id: str):
    user = _registered_user(user_id)
    if user is None:
        warn("この利用者は登録されていません。")
        return redirect(url_for("admin.users"))
    return _user_screen(user, {})


def _user_screen(user: Principal, forms: dict, status: int = 200):
    empty = {action: Form() for action in _USER_ACTIONS}
    empty["email"].values = {"email": user.email or ""}  # the address it has, to change
    return screen("admin/user.html", w("user_admin.heading"), user=user, forms={**empty, **forms},
                  certificate=issuance.valid_certificate(user, clock.now()),
                  allowed=w("admin_menu.permission_names")), status


@bp.post("/users/<user_id>/<action>")
@require_logon(ADMIN)
def user_action(user_id: str, action: str):
    admin, user = g.principal, _registered_user(user_id)
    if user is None or action not in _USER_ACTIONS:
        warn("この操作はできません。画面のボタンから操作してください。")
        return redirect(url_for("admin.users"))
    names = {"permissions": ("confirmation_pin",), "email": ("email", "confirmation_pin"),
             "unlock": ("confirmation_pin",), "delete": ("confirmation_pin",),
             "reissue": ("temp_pin", "temp_confirmation_pin", "confirmation_pin")}[action]
    form = Form(*names)
    selected = request.form.getlist("permissions")
    if action == "permissions":
        form.check("permissions", rules.permissions(selected, w("admin_menu.permission_names")))
    if action == "email":
        email, problem = rules.email(form["email"], w("admin_menu.user_email"),
                                     required=current_app.config["USER_EMAIL_REQUIRED"])
        form.check("email", problem)
    if action == "unlock" and user.locked_at is None and not user.failed_attempts:
        form.alert = f"{user.user_id}はロックされていません。"
    if action == "reissue":
        labels = w("admin_menu.temporary_logon_pin"), w("admin_menu.temporary_confirmation_pin")
        for name, label, rule in zip(("temp_pin", "temp_confirmation_pin"), labels, ("ホ", "ヘ")):
            form.check(name, rules.new_pin(form[name], label, rule=rule, contract_number=admin.contract.number,
                                           user_id=user.user_id))
        form.check("temp_confirmation_pin", rules.different_pins(form["temp_pin"], form["temp_confirmation_pin"],
                                                                 *labels))
    confirmed = _confirmed(admin, form)
    if isinstance(confirmed, Response):
        return confirmed
    if not confirmed:
        return _user_screen(user, {action: form}, 400)
    try:
        if action == "permissions":
            lifecycle.change_permissions(admin, user, selected)
        elif action == "email":
            lifecycle.change_email(admin, user, email)
        elif action == "unlock":
            lifecycle.unlock(user, f"管理者 {admin.contract.number}")
        elif action == "reissue":
            lifecycle.reissue_user(admin, user, form["temp_pin"], form["temp_confirmation_pin"])
        else:
            lifecycle.delete_user(admin, user)
    except lifecycle.LifecycleError as refused:
        form.alert = str(refused)
        return _user_screen(user, {action: form}, 400)
    notify(_USER_ACTIONS[action])
    return redirect(url_for("admin.users") if action == "delete" else url_for("admin.user_detail", user_id=user_id))
