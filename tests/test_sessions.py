"""One ID, one open logon (FAQ 7: 会社内で複数のパソコンを使って同時に利用できますか？ — ご利用いただけます。ただし、それぞれの
パソコンには異なる利用者ＩＤでログオンする必要があります): several IDs of a contract are logged on at once, each in its
own browser; the same ID logging on elsewhere ends its older logon, which says why on its next request."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import TEMP_PIN, WebClient, Walk, alert, h1
from refserver.models import SUPERSEDED, LogonSession, Principal, db
from refserver.web import new_logon

pytestmark = pytest.mark.databases

SUPERSEDED_MESSAGE = ("同じIDで別のパソコンまたはブラウザからログオンされたため、ログオフしました。"
                      "複数のパソコンで同時にご利用になる場合は、パソコンごとに異なる利用者IDでログオンしてください。")


def test_the_same_id_logging_on_elsewhere_ends_the_older_logon(app, web, walk, provision):
    contract, certificate = walk.admin_ready()
    walk.admin_logon(contract, certificate)
    other_pc = Walk(WebClient(app), provision)
    other_pc.admin_logon(contract, certificate)

    response = web.get("/ib/admin/status")
    assert response.headers["Location"] == "/ib/admin/logon"
    web.follow(response)
    assert alert(web.html) == SUPERSEDED_MESSAGE
    assert web.get("/ib/admin/status").headers["Location"] == "/ib/admin/logon"  # told once, then logged off
    assert other_pc.web.get("/ib/admin/status").status_code == 200  # the newer logon goes on
    with app.app_context():
        ended = db.session.scalars(db.select(LogonSession).where(LogonSession.ended_at.is_not(None))).all()
        assert [logon.ended_by for logon in ended] == [SUPERSEDED]


def test_the_administrator_and_a_user_are_logged_on_at_once(app, web, walk, provision):
    contract, user_certificate = walk.user_enrolled()
    walk.admin_logon(contract, contract.certificates["admin"])
    user_pc = Walk(WebClient(app), provision)
    user_pc.web.follow(user_pc.certificate_logon("user", user_certificate, TEMP_PIN))
    user_screen = h1(user_pc.web.html)

    assert web.get("/ib/admin/status").status_code == 200
    assert user_pc.web.get("/ib/user/status").status_code == 302  # still on 仮 PINs: sent to their own screen
    user_pc.web.follow(user_pc.web.get("/ib/user/status"))
    assert h1(user_pc.web.html) == user_screen and alert(user_pc.web.html) is None


def test_of_logons_of_one_id_racing_exactly_one_stays_open(app, walk):
    contract, _certificate = walk.admin_ready()
    with app.app_context():
        admin_id = db.session.scalar(db.select(Principal.id).where(Principal.kind == "admin"))
    start = threading.Barrier(8)

    def log_on(_):
        with app.app_context():
            principal = db.session.get(Principal, admin_id)
            start.wait()
            return new_logon(principal, "f" * 64).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = set(pool.map(log_on, range(8)))
    with app.app_context():
        open_logons = db.session.scalars(db.select(LogonSession.id).where(LogonSession.ended_at.is_(None))).all()
    assert len(made) == 8 and len(open_logons) == 1 and open_logons[0] in made
