"""What every screen shares: the manual's wording, rendering a screen, form state, and the logon guard that binds
a logon to the certificate it was made with."""

from __future__ import annotations

import datetime as dt
import functools
import secrets

from flask import after_this_request, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from . import auth, clock, issuance, rules, tls
from .messages import message
from .skin import wording
from .models import PASSWORD_METHOD, PROVISIONAL, SUPERSEDED, LogonSession, Principal, db

SERVICE_NAME = "めぐるビジネス・インターネットバンキングサービス"


def w(key: str):
    """The screens' wording for a dotted key of spec/wording.toml, e.g. w("activation.heading"): the manual's, or a
    skin's (skin.py)."""
    return wording()[key]


def screen(template: str, heading: str, **context) -> str:
    """A screen: *heading* is its one <h1> and names it in the <title>."""
    return render_template(template, heading=heading, **context)


class Form:
    """The submitted values and the message of each refused field. Values of PIN fields are never echoed back."""

    def __init__(self, *names: str):
        self.values = {name: request.form.get(name, "") for name in names} if request.method == "POST" else {}
        self.errors: dict[str, str] = {}
        self.alert: str | None = None

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")

    def check(self, name: str, message: str | None) -> None:
        if message and name not in self.errors:
            self.errors[name] = message

    @property
    def ok(self) -> bool:
        return not self.errors and not self.alert


def new_pin_names(*names: str) -> tuple[str, ...]:
    """The form fields of PINs set on a screen: each, and each typed again (macros.new_pin)."""
    return tuple(n for name in names for n in (name, name + "_again"))


def check_new_pins(form: Form, pins: list[tuple[str, str, str]], **rule_args) -> None:
    """The two PINs one screen sets (I-2.3: イ ロ; II-2.5: ト チ), each (name, label, legend letter): each by its
    rule (*rule_args*: the numbers a guessable PIN is compared with), each typed again the same, the second one
    different from the first."""
    for name, label, rule in pins:
        form.check(name, rules.new_pin(form[name], label, rule=rule, **rule_args))
        form.check(name + "_again", rules.reentered(form[name], form[name + "_again"], label,
                                                    w("common.reentry").format(label=label)))
    (first, first_label, _), (second, second_label, _) = pins
    form.check(second, rules.different_pins(form[first], form[second], first_label, second_label))


def confirmed_by_pin(principal, form: Form, label: str, logged_off_to: str, *, field: str = "confirmation_pin",
                     what: str | None = None):
    """The PIN typed in *field* (labelled *label*) against *principal*'s 確認暗証番号 — ロ confirming a change, チ a
    transfer or a renewal, ヘ the user's 開通確認 — once the rest of *form* is right, and counted towards the lockout
    like every PIN: True, False (the field or another refused), or — at the lockout — the logoff's redirect to
    *logged_off_to*. *what* names the PIN in the miss's message (the label by default)."""
    form.check(field, rules.entered_pin(form[field], label))
    if not form.ok:
        return False
    verdict = auth.judge(principal, lambda: auth.pin_matches(principal.confirmation_pin_hash, form[field]),
                         what or label)
    if verdict.locked:
        end_logon(verdict.message, "alert")
        return redirect(url_for(logged_off_to))
    if not verdict.right:
        form.check(field, verdict.message)
        return False
    auth.record_success(principal)
    return True


def notify(message: str) -> None:
    """A notice for the next screen (role="status")."""
    flash(message, "status")


def warn(message: str) -> None:
    """A refusal for the next screen (role="alert")."""
    flash(message, "alert")


def presented_fingerprint() -> str | None:
    return tls.fingerprint(tls.presented_certificate(request.environ))


def new_logon(principal, fingerprint: str | None) -> LogonSession:
    """A logon of *principal*, bound to the certificate with *fingerprint*, kept server-side. A logon of
    ID・パスワード方式 has no certificate (*fingerprint* None), and only a contract of that 認証区分 has such logons: a
    password logon of a 電子証明書方式 contract (or a certificate logon of a password contract) is never made.

    One ID, one open logon (FAQ 7: several PCs at once need as many IDs): a logon ends the ID's open logon of another
    PC or browser, whose next request then says why. The principal's row is locked first, so that of two logons of
    one ID racing (on any worker, on a database that locks rows) the later always ends the earlier; SQLite serialises
    the writing transactions anyway."""
    if (fingerprint is None) != (principal.contract.auth_method == PASSWORD_METHOD):
        raise ValueError("a logon is made by its contract's 認証区分 only: with a certificate for 電子証明書方式, "
                         "without one for ID・パスワード方式")
    now = clock.now()
    db.session.execute(select(Principal.id).where(Principal.id == principal.id).with_for_update())
    db.session.execute(update(LogonSession)
                       .where(LogonSession.principal_id == principal.id, LogonSession.ended_at.is_(None))
                       .values(ended_at=now, ended_by=SUPERSEDED))
    logon = LogonSession(id=secrets.token_urlsafe(32), principal=principal, fingerprint=fingerprint, started_at=now)
    db.session.add(logon)
    db.session.commit()
    return logon


def start_logon(principal, fingerprint: str | None) -> None:
    """Log *principal* on in this browser session; whatever the session held is dropped."""
    session.clear()
    session["logon"] = new_logon(principal, fingerprint).id


def _session_logon() -> LogonSession | None:
    """The logon this browser session names, open or ended, with its ID and contract: every protected request judges
    all three, so they come in one query."""
    logon_id = session.get("logon")
    if not logon_id:
        return None
    return db.session.get(LogonSession, logon_id,
                          options=[joinedload(LogonSession.principal).joinedload(Principal.contract)])


def current_logon() -> LogonSession | None:
    logon = _session_logon()
    return logon if logon is not None and logon.ended_at is None else None


def end_logon(message: str, category: str = "status") -> None:
    logon = current_logon()
    if logon is not None:
        logon.ended_at = clock.now()
        db.session.commit()
    session.clear()
    flash(message, category)


def require_logon(kind: str, *, provisional: bool = False):
    """Only for a logon of *kind* still presenting the certificate it was made with, and only while that certificate
    still passes every judgement of the logon (dates, revocation, binding, lockout): a session never outlives what
    would refuse a new logon. A logon of ID・パスワード方式 (no certificate) is judged as its logon would be judged:
    the contract's 認証区分, its stops, the ID locked or deleted. Refused, the session ends and the logon screen of
    *kind* says why. A user still on 仮 PINs may only see the screen that replaces them (*provisional*)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            logon_screen = redirect(url_for(f"{kind}.logon"))
            logon = current_logon()
            ended = _session_logon()
            if logon is None and ended is not None and ended.ended_by == SUPERSEDED:
                end_logon(message("superseded"), "alert")
                return logon_screen
            if logon is None or logon.principal.kind != kind:
                warn("ログオンしていないか、ログオンの有効期限が切れました。もう一度ログオンしてください。")
                return logon_screen
            presented = tls.presented_certificate(request.environ)
            if logon.fingerprint is None:  # ID・パスワード方式
                refusal = issuance.password_refusal(logon.principal)
            elif tls.fingerprint(presented) != logon.fingerprint:
                end_logon("ログオン時と異なる電子証明書が提示されたか、電子証明書が提示されなかったため、ログオフしました。",
                          "alert")
                return logon_screen
            else:
                _principal, refusal = issuance.logon_refusal(presented, kind)
            if refusal:
                end_logon(f"{refusal}ログオフしました。", "alert")
                return logon_screen
            if over := _over_time(logon):
                end_logon(over, "alert")
                return logon_screen
            _record_activity(logon)
            principal = logon.principal
            if (principal.status == PROVISIONAL) != provisional:
                return redirect(url_for("user.activation" if principal.status == PROVISIONAL else "user.status"))
            g.logon, g.principal = logon, principal
            return view(*args, **kwargs)

        return wrapped

    return decorator


# How stale the recorded last request of a logon may be: the idle timeout counts in minutes, so a logon that made a
# request within this long is not written again (a write and a commit less for most requests, a third of a screen's
# database time on PostgreSQL: bench/load.py). The idle timeout then ends a logon at most this much early.
ACTIVITY_GRAIN = dt.timedelta(seconds=15)


def _record_activity(logon: LogonSession) -> None:
    """The logon's last request is now, written once the response is made: a commit before the view would expire
    what the guard has just loaded (the logon, its ID, its contract) and the view would load it all again. It is one
    UPDATE and commit at the very end (not a change flushed by the view's first query), so that SQLite's write lock
    is not held while the screen renders."""
    seen, logon_id = clock.now(), logon.id
    if logon.last_seen_at is not None and seen - logon.last_seen_at < ACTIVITY_GRAIN:
        return

    @after_this_request
    def written(response):
        db.session.execute(update(LogonSession).where(LogonSession.id == logon_id).values(last_seen_at=seen))
        db.session.commit()
        return response


def _over_time(logon: LogonSession) -> str | None:
    """Why the logon has ended by the clock, if it has: idle too long, or begun too long ago (both configurable)."""
    now, config = clock.now(), current_app.config
    if now - logon.started_at > dt.timedelta(minutes=config["SESSION_LIFETIME_MINUTES"]):
        return f"ログオンから{_span(config['SESSION_LIFETIME_MINUTES'])}を過ぎたため、ログオフしました。もう一度ログオンしてください。"
    if now - (logon.last_seen_at or logon.started_at) > dt.timedelta(minutes=config["IDLE_TIMEOUT_MINUTES"]):
        return f"{_span(config['IDLE_TIMEOUT_MINUTES'])}以上操作がなかったため、ログオフしました。もう一度ログオンしてください。"
    return None


def _span(minutes: int) -> str:
    return f"{minutes // 60}時間" if minutes % 60 == 0 else f"{minutes}分"


def flow(name: str) -> dict | None:
    """The state of a multi-screen flow kept in the session (which step it is at, whose it is)."""
    return session.get(name)


def set_flow(name: str, **state) -> None:
    session[name] = state


def end_flow(name: str) -> None:
    session.pop(name, None)


def out_of_order(target: str, **values):
    """A step reached without the steps before it: back to where the flow starts, with a message."""
    warn("操作の順序が正しくないか、操作の有効期限が切れました。最初からやり直してください。")
    return redirect(url_for(target, **values))
