"""利用環境 (FAQ 1, 2, 10): the service is for PCs. A mobile phone gets, at every screen of the service, a page saying
携帯電話からはご利用いただけません (FAQ 1) instead; the 推奨環境 page, linked from サービストップ, lists the OS,
browsers and settings of a PC the service supports (spec/environment.toml; FAQ 2, 10: 「別紙２ 推奨環境とパソコンの
設定について」参照).

Which requests: the screens of the service, under /ib/, whatever the method (a form posted from a phone does nothing).
Not the bank's home page (its website, which a phone may read, I-1.1), the 推奨環境 page itself (a phone's user may
read what to use instead), nor the bank's own calls and files (/api, /crl, /static, /staff, /healthz).

The phone's page is answered with 403 Forbidden, at the address asked for (no redirect): the request is understood
and refused for this device, so nothing that reads the status (a script, a monitor, a form post) takes it for a
screen served; a browser shows the page as it shows any.
"""

from __future__ import annotations

import re

from flask import Blueprint, request

import spec

from .web import screen, w

bp = Blueprint("environment", __name__, url_prefix="/ib")

SERVICE = "/ib/"
RECOMMENDED = "/ib/environment"
# A mobile phone's browser says so in its User-Agent: "Mobile" (Safari on iPhone, Chrome and Firefox on Android
# phones, IEMobile), "iPhone"/"iPod", BlackBerry, Opera Mini, and the browsers of Japan's 携帯電話 by carrier
# (DoCoMo, KDDI/UP.Browser, SoftBank/Vodafone/J-PHONE, WILLCOM). An Android tablet leaves "Mobile" out: it is no
# 携帯電話 (nor a PC of the 推奨環境, which the 推奨環境 page says).
MOBILE_USER_AGENT = re.compile(r"Mobile|iPhone|iPod|BlackBerry|Opera Mini|DoCoMo/|KDDI-|UP\.Browser|SoftBank/"
                               r"|Vodafone/|J-PHONE/|WILLCOM")
# What the response depends on, for any cache between (the screens are no-store as well)
VARY = ("User-Agent", "Sec-CH-UA-Mobile")


def from_mobile_phone() -> bool:
    """The request comes from a mobile phone: by its User-Agent, or by the client hint a Chromium-based browser sends
    on every HTTPS request (Sec-CH-UA-Mobile: ?1)."""
    return (request.headers.get("Sec-CH-UA-Mobile") == "?1"
            or MOBILE_USER_AGENT.search(request.headers.get("User-Agent", "")) is not None)


def _a_screen_of_the_service() -> bool:
    return request.path.startswith(SERVICE) and request.path != RECOMMENDED


@bp.before_app_request
def refuse_mobile_phones():
    """FAQ 1: 携帯電話でも利用できますか？ — 携帯電話からはご利用いただけません。"""
    if _a_screen_of_the_service() and from_mobile_phone():
        return screen("environment/mobile.html", w("environment.mobile_heading")), 403
    return None


@bp.after_app_request
def vary_by_device(response):
    if _a_screen_of_the_service():
        response.vary.update(VARY)
    return response


@bp.get("/environment")
def recommended():
    """FAQ 2, 10: 推奨環境 — the OS, browsers and settings; what the certificate method needs of the PC, and what to
    do outside the 推奨環境."""
    return screen("environment/recommended.html", w("environment.heading"), environment=spec.environment())
