"""Every judgement of a presented client certificate, everywhere it applies: at logon (管理者ログオン, 利用者ログオン),
switched in on 暗証番号入力 inside the logon, and switched in under a session already open, on a protected screen
(ご契約先ステータス, 利用者ステータス). Each kind is a subtest named cert:<kind>@logon, cert:<kind>@pin or
cert:<kind>@session.

Kinds: none; another CA's (foreign); the bank's issuing CA's but bound to no ID (no_id); expired, not yet valid,
without clientAuth usage and revoked (FAQ 12, 17) — these four bound to the very ID (minted by the bank's API in testing
mode, the last revoked by its back office), so only the judgement under test can refuse them; bound to the contract's
other ID (the admin's at the user's logon and the other way round); bound to another contract's ID. A refusal is either the TLS handshake (the bank's pages are not reached)
or the bank's message with no logon.

One PC per side goes through every kind, its browser holding one context per certificate (Workstation.replace_store).
The logon and the session judgements type no PIN of the ID under test, so they share a contract; the judgement inside
the logon types the ID's PIN with each wrong certificate (a miss, for a bank that counts it before judging the
certificate), so it has a contract of its own, and its misses cannot be what refuses a kind at logon or under a session.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error, TimeoutError, expect

from pages import AdminLogonPage, ContractStatusPage, LogonPinPage, UserLogonPage, UserStatusPage
from pages.logon import CertificateSelectionDialog
from pages.walkthrough import SAMPLE, SampleValues, logon_screen
from pages.workstation import StoredCertificate

from .positions import logon_at

pytestmark = pytest.mark.tls
PASSWORD = "Import1234"
KINDS = ("none", "foreign", "no_id", "expired", "not_yet_valid", "wrong_usage", "revoked", "other_id",
         "other_contract")
MINTED = ("expired", "not_yet_valid", "wrong_usage")
# what a kind needs of the server besides POST /api/contracts (GET /api/capabilities)
NEEDS = {"no_id": ("unbound_certificates",), **dict.fromkeys(MINTED, ("certificates",)),
         "revoked": ("certificates", "back_office")}
PLACES = ("logon", "session", "pin")
STATUS = {"admin": ContractStatusPage, "user": UserStatusPage}
LOGON = {"admin": AdminLogonPage, "user": UserLogonPage}
# another contract's customer, with PINs of their own
OTHER = SampleValues(admin_logon_pin="Hokano2025k", admin_confirmation_pin="Betsu3579m",
                     user_logon_pin="Tanin8642p", user_confirmation_pin="Yoso9753r")
SIDES = [pytest.param(side, id=side, marks=[pytest.mark.step(f"{section}.{n}") for n in (3, 4, 6)])
         for side, section in (("admin", "I-4"), ("user", "II-2"))]


def _stored(file) -> StoredCertificate:
    return StoredCertificate.from_pkcs12(file.pkcs12, file.password)


class Certificates:
    """The certificates of each kind for one side: those of an arranged contract's ID, and those of no contract."""

    def __init__(self, side, arrange, operator, suite_pki):
        self.side, self.arrange, self.operator, self.suite_pki = side, arrange, operator, suite_pki
        self._made: dict[tuple[str, str | None], list[StoredCertificate]] = {}

    def own(self, state) -> StoredCertificate:
        return state.admin_certificate if self.side == "admin" else state.user_certificate

    def store(self, kind: str, state) -> list[StoredCertificate]:
        """A store holding a certificate of `kind` for the ID of `state` (skips, saying why, where the server
        cannot make one), made once: the same certificate, the same browser context. Certificates bound to no ID of
        `state` are made once per side."""
        key = (kind, None if kind in ("foreign", "no_id", "other_contract") else state.contract.contract_number)
        if key not in self._made:
            self._made[key] = self._make(kind, state)
        return self._made[key]

    def _make(self, kind: str, state) -> list[StoredCertificate]:
        if kind == "none":
            return []
        if missing := [need for need in NEEDS.get(kind, ()) if not self.arrange.capabilities.get(need)]:
            pytest.skip(f"not applicable (needs: {', '.join(missing)} — GET /api/capabilities)")
        if kind in ("foreign", "no_id", "other_contract"):
            return self._make_unbound(kind)
        if kind in MINTED or kind == "revoked":
            number, user_id = state.contract.contract_number, None if self.side == "admin" else state.user.user_id
            minted = self.operator.mint_certificate(number, "valid" if kind == "revoked" else kind, user_id)
            if kind == "revoked":
                self.operator.act(number, "revoke", serial=minted.serial, reason="lost")
            return [_stored(minted)]
        return [state.user_certificate if self.side == "admin" else state.admin_certificate]  # other_id

    def _make_unbound(self, kind: str) -> list[StoredCertificate]:
        if kind == "other_contract":
            other = self.arrange("user_activated", sample=OTHER)
            return [other.admin_certificate if self.side == "admin" else other.user_certificate]
        if kind == "no_id":
            return [_stored(self.operator.mint_unbound_certificate())]
        # the suite's own foreign CA: another CA's, whatever the server
        issued = self.suite_pki.mint_test_client("foreign", common_name="ibcert foreign client")
        return [StoredCertificate.from_pkcs12(issued.pkcs12(PASSWORD), PASSWORD)]


@pytest.fixture
def certificates(side, arrange, operator, suite_pki) -> Certificates:
    return Certificates(side, arrange, operator, suite_pki)


def _pin(side: str) -> str:
    return SAMPLE.admin_logon_pin if side == "admin" else SAMPLE.user_logon_pin


def _reached(pc, path: str) -> bool:
    """Load `path` of the bank's server; False when the TLS handshake is refused (the browser's network error, or
    the error page of Playwright's client-certificate proxy). A page that does not answer fails the test."""
    try:
        response = pc.goto(path)
    except TimeoutError:
        raise
    except Error:
        return False
    return response is not None and not (response.status == 503 and "client-certificate error" in
                                         pc.page.content())


def _heading(pc, name: str):
    """The screen heading `name` on the page `pc` shows now (a store switch changes the page)."""
    return pc.page.get_by_role("heading", level=1, name=name, exact=True)


def _switch(pc, store, *, keep_session: bool) -> None:
    """The PC's store now holds `store`; its browser keeps the bank's session cookie, or starts without one."""
    pc.replace_store(store, reload=False)
    if not keep_session:
        pc.context.clear_cookies()


def _selection(pc, arrange, state, side: str, logon_path: str):
    """証明書の選択 as ログオン opens it (I-4.2 / II-2.2) — made by the bank's API where it offers that step — with what
    `pc` presents; None where the TLS handshake refuses it."""
    path = arrange.step_path(pc, state, f"{'I-4' if side == 'admin' else 'II-2'}.2")
    if not _reached(pc, path or logon_path):
        return None
    if path is not None:
        return CertificateSelectionDialog(LOGON[side](pc))
    return pc.expect_screen(LOGON[side]).certificate_logon()


def _logon_refused(pc, side: str, kind: str, selection) -> None:
    """No logon with what `pc` presents: refused in the handshake, in 証明書の選択 (nothing to present) or at
    アクセス許可の付与 — only another contract's certificate, valid in itself, gets as far as 暗証番号入力, where this
    ID's own PIN is refused (the certificate is not this ID's)."""
    if selection is None:
        return  # refused in the handshake
    if not pc.certificates:
        selection.expect_no_certificate()
        return
    shown = selection.ok().grant_outcome()
    if isinstance(shown, LogonPinPage):
        assert kind == "other_contract", f"a certificate of kind {kind} must be refused at アクセス許可の付与"
        shown = shown.enter_wrong_pin(_pin(side))
        if isinstance(shown, LogonPinPage):
            shown.expect_field_error(shown.pin_key)
            return
    shown.expect_alert()


@pytest.fixture
def places() -> tuple[str, ...]:
    """Where each kind is judged: at logon, under a session, on 暗証番号入力 (e2e/test_behind_nginx.py: at logon)."""
    return PLACES


@pytest.mark.parametrize("side", SIDES)
def test_certificate_judged_everywhere(side, places, certificates, arrange, workstation, subtests):
    """Each kind at 管理者ログオン / 利用者ログオン (no logon), on 暗証番号入力 after the right certificate was chosen
    (the right PIN logs nothing on), and under an open session (the protected screen is not shown again, and — where
    the request reached the bank — the session is over even for the right certificate). The first session is shown
    with the right certificate before the switch; the bank's API makes the later ones the same way, so they start
    from the switch."""
    state = arrange("user_activated")
    own = [certificates.own(state)]
    pc = workstation(f"{side} PC", *own)
    logon_path = urlsplit(logon_screen(pc, side).page.url).path
    for kind in KINDS:
        with subtests.test(msg=f"cert:{kind}@logon", side=side):
            _switch(pc, certificates.store(kind, state), keep_session=False)
            _logon_refused(pc, side, kind, _selection(pc, arrange, state, side, logon_path))
    if "session" in places:
        _judged_under_a_session(pc, side, certificates, arrange, state, own, subtests)
    if "pin" in places:
        _judged_at_the_pin(pc, side, certificates, arrange, subtests)


def _judged_under_a_session(pc, side, certificates, arrange, state, own, subtests) -> None:
    protected = None  # the protected screen's name, once the right certificate has shown it
    for kind in KINDS:
        with subtests.test(msg=f"cert:{kind}@session", side=side):
            store = certificates.store(kind, state)
            path = None
            if protected is not None:  # a fresh logon, made by the bank's API as the first one was, for this store
                _switch(pc, store, keep_session=False)
                path = arrange.logon_session(pc, state, side)
            if path is None:  # the first logon (or one without the bank's API): shown with the right certificate
                _switch(pc, own, keep_session=False)
                status = arrange.logged_on(pc, state, side)
                assert isinstance(status, STATUS[side]), status
                path, protected = urlsplit(pc.page.url).path, status.name
                _switch(pc, store, keep_session=True)
            if not _reached(pc, path):
                continue  # refused in the handshake: nothing reached the bank
            expect(_heading(pc, protected)).to_have_count(0)
            _switch(pc, own, keep_session=True)
            pc.goto(path)
            expect(_heading(pc, protected)).to_have_count(0)


def _judged_at_the_pin(pc, side, certificates, arrange, subtests) -> None:
    pinned = arrange("user_activated")  # its own contract: a bank may count each PIN typed here as a miss
    own = [certificates.own(pinned)]
    for kind in KINDS:
        with subtests.test(msg=f"cert:{kind}@pin", side=side):
            _switch(pc, own, keep_session=False)
            path = urlsplit(logon_at(arrange, pc, pinned, side, 4).page.url).path
            _switch(pc, certificates.store(kind, pinned), keep_session=True)
            if not _reached(pc, path):
                continue  # refused in the handshake
            shown = pc.expect_screen(LogonPinPage, LOGON[side], role=side)
            if isinstance(shown, LogonPinPage):
                shown = shown.enter_wrong_pin(_pin(side))
            assert isinstance(shown, LOGON[side]), f"{kind}: the logon went on; {pc.describe()}"


@pytest.mark.parametrize("side", [pytest.param(s.values[0], id=s.id) for s in SIDES])
@pytest.mark.parametrize("days", [400, -2], ids=["expired", "not-yet-valid"])
def test_session_ends_when_its_own_certificate_stops_being_valid(side, days, arrange, workstation, server_clock):
    """The session's own certificate: the bank's clock moves past its validity, and the next click ends the
    session with the bank's message (the clock put back, the session stays ended)."""
    state = arrange("user_activated")
    pc = workstation(f"{side} PC", state.admin_certificate if side == "admin" else state.user_certificate)
    status = arrange.logged_on(pc, state, side)
    url = pc.page.url
    server_clock.set_clock(advance_days=days)
    pc.page.reload()
    logon = pc.expect_screen(LOGON[side])
    logon.expect_alert()
    server_clock.set_clock(advance_days=-days)
    pc.page.goto(url)
    expect(pc.page.get_by_role("heading", level=1, name=status.name, exact=True)).to_have_count(0)
