"""The public pages: the bank's home page (I-1.1), the service top screen (I-1.2), logoff, the issuing CA's
revocation list and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, url_for

from . import revocation
from .web import end_logon, screen, w

bp = Blueprint("bank", __name__)


@bp.get("/")
def home():
    return screen("bank/home.html", current_app.config["BANK_NAME"])


@bp.get("/ib/")
def service_top():
    return screen("bank/service_top.html", w("service_top.heading"))


@bp.post("/ib/logoff")
def logoff():
    """The ログオフ button of every logged-on screen (I-4.8): the logon ends server-side, the session is emptied."""
    end_logon("ログオフしました。")
    return redirect(url_for("bank.service_top"))


@bp.get("/crl/issuing-ca.crl")
def crl():
    """The CRL (RFC 5280, DER) every issued certificate names as its distribution point: who checks a certificate
    finds there whether the bank has revoked it (FAQ 12, 17)."""
    return revocation.current(), 200, {"Content-Type": "application/pkix-crl"}


@bp.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
