"""更新 of the logged-on ID's certificate, shared by the administrator and the users: within the renewal window
before its expiry (IBCERT_RENEWAL_WINDOW_DAYS) the status screen says so and offers 電子証明書を更新; confirmed with
the ID's own confirmation PIN (ロ, チ), a new certificate is handed out once, the old one is revoked, and the logon
ends (it was made with the old one). After the expiry it is too late: logon says so and points to 電子証明書取得
(FAQ 15).
"""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, request, url_for

from . import lifecycle
from .web import Form, confirmed_by_pin, end_logon, require_logon, screen, w, warn


def add_renewal(blueprint: Blueprint, kind: str) -> None:
    """/renewal on *blueprint*: the confirmation, and the new certificate."""

    @require_logon(kind)
    def renewal():
        principal = g.principal
        if lifecycle.renewal_due(principal) is None:
            warn(lifecycle.not_due_message())
            return redirect(url_for(f"{kind}.status"))
        form = Form("confirmation_pin")
        if request.method == "POST":
            confirmed = confirmed_by_pin(principal, form, w("renewal.confirmation_pin"), f"{kind}.logon")
            if isinstance(confirmed, Response):
                return confirmed
            if confirmed:
                try:
                    delivery = lifecycle.renew(principal)
                except lifecycle.LifecycleError as refused:
                    form.alert = str(refused)
                else:
                    end_logon(w("renewal.done_message"))
                    return screen("renewal/done.html", w("renewal.done_heading"), kind=kind, delivery=delivery)
        return screen("renewal/confirm.html", w("renewal.confirm_heading"), form=form, kind=kind)

    blueprint.add_url_rule("/renewal", "renewal", renewal, methods=["GET", "POST"])

