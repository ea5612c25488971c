"""Every judgement of a presented client certificate, everywhere it applies: at logon (管理者ログオン, 利用者ログオン)
and under a session already open, on a protected screen (ご契約先ステータス, 利用者ステータス), where the certificate
is switched in. Each kind is a subtest named cert:<kind>@logon or cert:<kind>@session.

Kinds: none; another CA's (foreign); the bank's issuing CA's but bound to no ID (no_id); expired, not yet valid and without clientAuth usage — these three bound to the
very ID (minted by the bank's API in testing mode), so only the judgement under test can refuse them; bound to the
contract's other ID (the admin's at the user's logon and the other way round); bound to another contract's ID.
A refusal is either the TLS handshake (the bank's pages are not reached) or the bank's message with no logon.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error, expect

from pages import AdminLogonPage, BankHomePage, ContractStatusPage, LogonPinPage, UserLogonPage, UserStatusPage
from pages.walkthrough import SAMPLE, SampleValues

from .positions import logon_at
from pages.workstation import StoredCertificate

pytestmark = pytest.mark.tls
PASSWORD = "Import1234"
KINDS = ("none", "foreign", "no_id", "expired", "not_yet_valid", "wrong_usage", "other_id", "other_contract")
MINTED = ("expired", "not_yet_valid", "wrong_usage")
SIDES = ("admin", "user")
STATUS = {"admin": ContractStatusPage, "user": UserStatusPage}
LOGON = {"admin": AdminLogonPage, "user": UserLogonPage}
# another contract's customer, with PINs of their own
OTHER = SampleValues(admin_logon_pin="Hokano2025k", admin_confirmation_pin="Betsu3579m",
                     user_logon_pin="Tanin8642p", user_confirmation_pin="Yoso9753r")


def _stored(file) -> StoredCertificate:
    return StoredCertificate.from_pkcs12(file.pkcs12, file.password)


class Certificates:
    """The certificate of each kind for one side of one arranged contract."""

    def __init__(self, side, state, arrange, operator, dev_pki):
        self.side, self.state, self.arrange, self.operator, self.dev_pki = side, state, arrange, operator, dev_pki

    def own(self) -> StoredCertificate:
        return self.state.admin_certificate if self.side == "admin" else self.state.user_certificate

    def of(self, kind: str) -> list[StoredCertificate]:
        """The store holding a certificate of `kind` (skips, saying why, where the server cannot make one)."""
        if kind == "none":
            return []
        if kind in ("foreign", "no_id"):
            if self.dev_pki is None:
                pytest.skip(f"not applicable: a {kind} certificate is minted by the embedded server's dev PKI")
            issued = self.dev_pki.mint_test_client("foreign" if kind == "foreign" else "valid",
                                                   common_name=f"ibcert {kind} client")
            return [StoredCertificate.from_pkcs12(issued.pkcs12(PASSWORD), PASSWORD)]
        if kind in MINTED:
            if not self.arrange.capabilities.get("certificates"):
                pytest.skip("not applicable: needs certificates minted by the bank's API (capabilities: certificates)")
            user_id = None if self.side == "admin" else self.state.user.user_id
            return [_stored(self.operator.mint_certificate(self.state.contract.contract_number, kind, user_id))]
        if kind == "other_id":
            return [self.state.user_certificate if self.side == "admin" else self.state.admin_certificate]
        other = self.arrange("user_activated", sample=OTHER)  # kind == "other_contract"
        return [other.admin_certificate if self.side == "admin" else other.user_certificate]


@pytest.fixture(params=SIDES)
def certificates(request, arrange, operator, dev_pki) -> Certificates:
    return Certificates(request.param, arrange("user_activated"), arrange, operator, dev_pki)


def _pin(side: str) -> str:
    return SAMPLE.admin_logon_pin if side == "admin" else SAMPLE.user_logon_pin


def _reached(pc, path: str) -> bool:
    """Load `path` of the bank's server; False when the TLS handshake is refused."""
    try:
        response = pc.goto(path)
    except Error:
        return False
    return response is not None and response.ok


def _logon_refused(pc, side: str, kind: str) -> None:
    """No logon with what `pc` presents: refused in the handshake, in 証明書の選択 (nothing to present) or at
    アクセス許可の付与 — only another contract's certificate, valid in itself, gets as far as 暗証番号入力, where this
    ID's own PIN is refused (the certificate is not this ID's)."""
    if not _reached(pc, "/"):
        return
    top = BankHomePage(pc).open_corporate()
    selection = (top.admin_logon() if side == "admin" else top.user_logon()).certificate_logon()
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


@pytest.mark.step("I-4.3")
@pytest.mark.step("II-2.3")
def test_certificate_judged_at_logon(certificates, workstation, subtests):
    """Each kind at 管理者ログオン / 利用者ログオン: no logon."""
    for kind in KINDS:
        with subtests.test(msg=f"cert:{kind}@logon", side=certificates.side):
            pc = workstation(f"{kind} PC", *certificates.of(kind))
            _logon_refused(pc, certificates.side, kind)


@pytest.mark.step("I-4.4")
@pytest.mark.step("II-2.4")
def test_certificate_judged_inside_the_logon(certificates, workstation, subtests):
    """Each kind switched in on 暗証番号入力, after the right certificate was chosen: the right PIN logs nothing on."""
    side, state = certificates.side, certificates.state
    for kind in KINDS:
        with subtests.test(msg=f"cert:{kind}@pin", side=side):
            pc = workstation(f"{side} PC", certificates.own())
            path = urlsplit(logon_at(certificates.arrange, pc, state, side, 4).page.url).path
            pc.replace_store(certificates.of(kind), reload=False)
            if not _reached(pc, path):
                continue  # refused in the handshake
            shown = pc.expect_screen(LogonPinPage, LOGON[side], role=side)
            if isinstance(shown, LogonPinPage):
                shown = shown.enter_wrong_pin(_pin(side))
            assert isinstance(shown, LOGON[side]), f"{kind}: the logon went on; {pc.describe()}"


@pytest.mark.step("I-4.6")
@pytest.mark.step("II-2.6")
def test_certificate_judged_under_an_open_session(certificates, workstation, subtests):
    """Each kind switched in under an open session: the protected screen is not shown again, and — where the request
    reached the bank — the session is over even for the right certificate."""
    side, state = certificates.side, certificates.state
    for kind in KINDS:
        with subtests.test(msg=f"cert:{kind}@session", side=side):
            pc = workstation(f"{side} PC", certificates.own())
            status = certificates.arrange.logged_on(pc, state, side)
            assert isinstance(status, STATUS[side]), status
            path = urlsplit(pc.page.url).path
            pc.replace_store(certificates.of(kind), reload=False)
            if not _reached(pc, path):
                continue  # refused in the handshake: nothing reached the bank
            heading = status.heading_name(pc.wording)
            expect(pc.page.get_by_role("heading", level=1, name=heading, exact=True)).to_have_count(0)
            pc.replace_store([certificates.own()], reload=False)
            pc.goto(path)
            expect(pc.page.get_by_role("heading", level=1, name=heading, exact=True)).to_have_count(0)


@pytest.mark.parametrize("side", SIDES)
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
