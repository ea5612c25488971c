"""The refserver behind the TLS proxy of deploy/refserver.nginx.conf: what the proxy says, taken from the proxy alone.

nginx terminates TLS, asks for the client certificate and sends it on over plain HTTP in X-SSL-Client-Cert (the
URL-encoded PEM of $ssl_client_escaped_cert), with the client's address in X-Forwarded-For and the scheme in
X-Forwarded-Proto. Any client can write those headers too, so they are read only on a connection from
IBCERT_TRUSTED_PROXY (addresses or networks, comma-separated; unset: no proxy is trusted), judged by the TCP peer's
own address before anything rewrites it. There the certificate goes where werkzeug's dev server puts it
(SSL_CLIENT_CERT, read by tls.presented_certificate) and werkzeug's ProxyFix takes the client's address (the
per-client throttle) and the https scheme (CSRF's Referer check, url_for(_external=True)).

A request that carries X-SSL-Client-Cert from any other peer is refused (400, in the audit log), not ignored: it is
either a forgery or a proxy missing from IBCERT_TRUSTED_PROXY. Ignored, the first would probe unseen and the second
would look to every customer like a certificate that was never presented; refused, both show at once. X-Forwarded-*
from others are ignored: they claim nothing that could log anyone on.

The proxy does not judge the certificate (it asks with `optional_no_ca`, see the config): nginx cannot take the
issuing CA alone as its trust anchor, and it would judge validity dates by the real clock. The app judges chain,
usage and dates itself (issuance.logon_refusal), with its own clock, as it does under gunicorn's TLS.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import unquote

from flask import Flask, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import audit
from .models import db

CERT_HEADER = "X-SSL-Client-Cert"
_CERT_ENVIRON = "HTTP_" + CERT_HEADER.upper().replace("-", "_")
_UNTRUSTED = "ibcert.untrusted_certificate_header"
MESSAGE = "電子証明書の情報を受け付けられない経路からの接続です。当金庫のホームページから操作してください。"


@lru_cache(maxsize=8)
def trusted_networks(setting: str | None) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """IBCERT_TRUSTED_PROXY as networks; a wrong entry is an error naming it."""
    networks = []
    for entry in filter(None, (part.strip() for part in (setting or "").split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"IBCERT_TRUSTED_PROXY: {entry!r} is not an IP address or network") from None
    return tuple(networks)


def _is_trusted(peer: str | None, networks) -> bool:
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False  # a UNIX socket's peer, or none
    return any(address in network for network in networks)


class TrustedProxy:
    """WSGI middleware, outermost: the proxy's headers applied for its own connections, marked as untrusted for any
    other's. The setting is read per request (cached), so a changed app.config["TRUSTED_PROXY"] applies at once."""

    def __init__(self, app: Flask):
        self.app, self.wsgi_app = app, app.wsgi_app
        self.forwarded = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    def __call__(self, environ, start_response):
        if _is_trusted(environ.get("REMOTE_ADDR"), trusted_networks(self.app.config["TRUSTED_PROXY"])):
            pem = unquote(environ.pop(_CERT_ENVIRON, ""))
            if pem:
                environ["SSL_CLIENT_CERT"] = pem
            return self.forwarded(environ, start_response)
        if _CERT_ENVIRON in environ:
            environ[_UNTRUSTED] = True
        return self.wsgi_app(environ, start_response)


def _refuse_untrusted():
    if request.environ.get(_UNTRUSTED):
        audit.record(f"接続元 {request.remote_addr}", "証明書ヘッダーの拒否", None,
                     f"{CERT_HEADER} を信頼するプロキシ以外から受信: {request.method} {request.path}")
        db.session.commit()
        return render_template("error.html", heading="エラー", message=MESSAGE), 400
    return None


def install(app: Flask) -> None:
    """Wrap the app in TrustedProxy and refuse, before any other check, a certificate header from elsewhere; a wrong
    IBCERT_TRUSTED_PROXY stops the start."""
    trusted_networks(app.config["TRUSTED_PROXY"])
    app.wsgi_app = TrustedProxy(app)
    app.before_request(_refuse_untrusted)
