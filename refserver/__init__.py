"""ibcert refserver: the 法人IB onboarding of the quick-start manual, served over client-certificate TLS.

    app = create_app()                      # settings from IBCERT_* environment variables (see config.py)
    app = create_app({"TESTING": True})     # … overridden by a mapping (tests)
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from certs.pki import DevPKI

from . import (admin, backoffice, bank, clock, config, enrollment, environment, migrations, proxy, skin, staff,
               transfer, user)
from . import bankops  # noqa: F401 - the back office's API calls and commands, added to backoffice's blueprint
from .models import db
from .web import SERVICE_NAME

csrf = CSRFProtect()

# Content-Security-Policy: no scripts at all, styles only from our one stylesheet.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # Flask-WTF checks the Referer of HTTPS form posts
    "Strict-Transport-Security": "max-age=31536000",  # the bank is HTTPS only: never let a browser try plain HTTP
}


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings = config.from_environment()
    settings.update(overrides or {})
    if settings["FROZEN_NOW"] and not settings["TESTING"]:
        raise RuntimeError("IBCERT_FROZEN_NOW can only be used in testing mode (IBCERT_TESTING=1)")
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings)
    app.config.update(
        SECRET_KEY=settings["SECRET_KEY"] or config.instance_secret_key(app.instance_path),
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"] or f"sqlite:///{os.path.join(app.instance_path, 'ibcert.db')}",
        # __Host-: the browser keeps the cookie only as Secure, for this host alone and the whole path (ASVS 3.4.4)
        SESSION_COOKIE_NAME="__Host-ibcert_session",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_SSL_STRICT=True,
        # No screen sends more than a few kilobytes: a far larger request is refused before it is read (413)
        MAX_CONTENT_LENGTH=settings.get("MAX_CONTENT_LENGTH", 256 * 1024),
        # Testing mode (moving clock, fixed challenges) must still answer an unexpected error with the Japanese error
        # page, as production does; only the unit tests ask Flask to re-raise instead.
        PROPAGATE_EXCEPTIONS=settings.get("PROPAGATE_EXCEPTIONS", False),
    )
    app.extensions["ibcert_pki"] = DevPKI(settings["PKI_DIR"])
    proxy.install(app)  # first: behind the TLS proxy, its headers from it alone (deploy/, proxy.py)

    db.init_app(app)
    app.register_blueprint(environment.bp)  # before CSRF's check: a phone gets its page, whatever it posts
    csrf.init_app(app)
    for blueprint in (bank.bp, backoffice.bp, admin.bp, user.bp, enrollment.bp, staff.bp, transfer.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(backoffice.bp)

    app.jinja_env.globals.update(service_name=SERVICE_NAME, jst_date=clock.jst_date, jst_datetime=clock.jst_datetime)
    app.after_request(_headers)
    _versioned_static(app)
    skin.install(app)  # the screens' words, and a vendor's templates in front of ours (IBCERT_SKIN)
    _error_pages(app)
    app.cli.add_command(migrations.cli)
    with app.app_context():
        # every gunicorn worker does this at start: migrations.upgrade lets one move the schema, the others wait
        migrations.upgrade(db.engine)
    return app


def _headers(response):
    response.headers.update(_SECURITY_HEADERS)
    if request.endpoint != "static":
        # Screens show PINs' results, certificates and import passwords: nothing may be kept by a cache or shown
        # again with the back button.
        response.headers["Cache-Control"] = "no-store"
    return response


def _versioned_static(app: Flask) -> None:
    """Static files are linked with a digest of their content (style.css?v=…) and may be kept by a cache for a year:
    a screen then costs no request for its stylesheet (render-blocking, so a round trip before the screen shows),
    and a changed stylesheet has a new address."""
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 24 * 3600
    digests: dict[str, str] = {}

    @app.url_defaults
    def _version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "filename" not in values:
            return
        name = values["filename"]
        if name not in digests:
            with app.open_resource(os.path.join(app.static_folder, name)) as file:
                digests[name] = hashlib.sha256(file.read()).hexdigest()[:12]
        values["v"] = digests[name]


def _error_pages(app: Flask) -> None:
    messages = {
        400: "リクエストの内容が正しくありません。最初から操作をやり直してください。",
        404: "お探しのページは見つかりませんでした。",
        405: "この操作はできません。画面のボタンから操作してください。",
        413: "送信された内容が大きすぎます。画面の入力欄から入力してください。",
        500: "システムエラーが発生しました。しばらくしてから再度お試しください。",
    }

    def page(status: int, message: str):
        return render_template("error.html", heading="エラー", message=message), status

    for status, message in messages.items():
        app.register_error_handler(status, lambda error, s=status, m=message: page(s, m))
    app.register_error_handler(
        CSRFError, lambda error: page(400, "画面の有効期限が切れたか、正しくない画面から送信されました。もう一度最初から操作してください。")
    )
