"""The ワンタイムパスワード入力 screen, shared by the administrator's 開通確認 (I-2.4) and logon (I-4.5)."""

from __future__ import annotations

from typing import Callable

from flask import redirect, request, session, url_for

from . import auth, otp
from .models import Contract, Principal
from .web import Form, end_flow, flow, screen, w, warn


def _fields(contract: Contract, state: dict) -> list[tuple[str, str]]:
    """(form name, label) of each field the screen asks; for a card, a challenge is opened if none is open."""
    if contract.otp_kind == otp.TOTP:
        return [("token", w("one_time_password.token_code"))]
    challenge = otp.open_challenge(contract, state.get("challenge"))
    if challenge is None:
        challenge = otp.standing_challenge(contract)
        state["challenge"] = challenge.id
        session.modified = True
    return [(f"cell{i}", w("one_time_password.card_cell").format(cell=cell)) for i, cell in enumerate(challenge.cells)]


def one_time_password(contract: Contract, principal: Principal, flow_name: str, restart: str,
                      on_success: Callable[[], object]):
    """GET shows the screen; POST checks the answer. A wrong answer counts towards the lockout and uses the
    challenge up; at the lockout the flow ends and goes back to *restart*."""
    state = flow(flow_name)
    if principal.locked_at is not None:
        end_flow(flow_name)
        warn(auth.locked_message())
        return redirect(url_for(restart))
    if request.method == "GET":
        return screen("otp.html", w("one_time_password.heading"), form=Form(), fields=_fields(contract, state))

    if contract.otp_kind == otp.CARD and otp.open_challenge(contract, state.get("challenge")) is None:
        # Answered already (a second submit) or never shown: ask again with a fresh challenge.
        form = Form()
        form.alert = "確認用パスワードの入力欄が更新されました。表示された欄の確認用パスワードを入力してください。"
        return screen("otp.html", w("one_time_password.heading"), form=form, fields=_fields(contract, state))

    fields = _fields(contract, state)
    form = Form(*(name for name, _ in fields))
    check = otp.token_answer_problem if contract.otp_kind == otp.TOTP else otp.card_answer_problem
    answers = []
    for name, label in fields:
        value, problem = check(form[name], label)
        answers.append(value)
        form.check(name, problem)
    if form.errors:
        return screen("otp.html", w("one_time_password.heading"), form=form, fields=fields)

    if contract.otp_kind == otp.TOTP:
        verdict = auth.judge(principal, lambda: otp.answer_token(contract, answers[0]), "ワンタイムパスワード")
    else:
        challenge = otp.open_challenge(contract, state["challenge"])
        verdict = auth.judge(principal, lambda: otp.answer_card(contract, challenge, answers), "ワンタイムパスワード")
    if verdict.right:
        return on_success()
    message = verdict.message
    if verdict.locked:
        end_flow(flow_name)
        warn(message)
        return redirect(url_for(restart))
    form = Form()
    if contract.otp_kind == otp.TOTP:
        form.check("token", message)
    else:
        form.alert = message + "新しく表示された欄の確認用パスワードを入力してください。"
    return screen("otp.html", w("one_time_password.heading"), form=form, fields=_fields(contract, state))
