"""Certificates and TLS: which client certificates log on, and that the bank's own certificate is verified.

The server verifies client certificates against its issuing CA in the handshake, so a foreign-CA or expired one
does not even reach a page; one from the right CA but bound to no ID, or to another ID, is refused at アクセス許可の付与.
"""

import http.server
import ssl
import threading

import pytest
from playwright.sync_api import Error, expect

from pages import AdminLogonPage, ContractStatusPage, UserLogonPage
from pages.provisioning import BankOperator, ProvisioningError
from pages.walkthrough import logon_screen

from .flows import activated_admin, admin_logged_on, admin_with_certificate, user_with_certificate

pytestmark = pytest.mark.tls
PASSWORD = "Import1234"


@pytest.fixture(scope="session")
def dev_pki(ibcert_target):
    if not ibcert_target.embedded:
        pytest.skip("test certificates are minted by the dev PKI of the embedded reference server")
    from certs.pki import DevPKI

    return DevPKI.default()


def _bank_reached(pc) -> bool:
    """Load the bank's home page: False at once when the TLS handshake fails (instead of waiting for a heading)."""
    try:
        response = pc.goto("/")
    except Error:
        return False
    return response is not None and response.ok


def _page_not_reached(pc) -> None:
    """The bank's home page cannot be loaded: the TLS handshake was refused."""
    try:
        response = pc.page.goto(pc.base_url + "/")
    except Error:
        return  # net::ERR_… : the navigation failed
    heading = pc.page.get_by_role("heading", level=1, name=pc.wording["bank_home.heading"], exact=True)
    assert response is None or not response.ok or heading.count() == 0, pc.describe()
    expect(heading).to_have_count(0)


# -- client certificates -------------------------------------------------------------------------------------------
@pytest.mark.step("I-4.2")
def test_logon_without_certificate_is_refused(pc, contract):
    """A PC that never imported a certificate: 証明書の選択 says none is available."""
    activated_admin(pc, contract)
    selection = logon_screen(pc, "admin").certificate_logon()
    selection.expect_no_certificate()
    logon = selection.cancel()
    assert isinstance(logon, AdminLogonPage)


@pytest.mark.parametrize("kind", ["foreign", "expired", "not_yet_valid"])
def test_certificate_refused_in_the_handshake(pc, dev_pki, kind):
    """A certificate from another CA: the bank's pages are not reached at all; expired or not yet valid: refused
    (the reference server lets those through the handshake and refuses them at アクセス許可の付与)."""
    pc.open()
    issued = dev_pki.mint_test_client(kind, common_name=f"ibcert {kind}")
    pc.import_certificate(issued.pkcs12(PASSWORD), PASSWORD)
    if kind == "foreign":
        _page_not_reached(pc)
        return
    # expired / not yet valid: refused in the handshake, or at the latest when the logon is granted
    if not _bank_reached(pc):
        _page_not_reached(pc)
        return
    logon_screen(pc, "admin").certificate_logon().ok().grant_refused().expect_alert()


@pytest.mark.step("I-4.3")
@pytest.mark.parametrize("kind", ["valid", "wrong_usage"])
def test_certificate_bound_to_no_id_is_refused(pc, contract, dev_pki, kind):
    """From the bank's issuing CA but issued to no ID (or not for client authentication): refused at logon."""
    activated_admin(pc, contract)
    issued = dev_pki.mint_test_client(kind, common_name=f"ibcert {kind}")
    pc.import_certificate(issued.pkcs12(PASSWORD), PASSWORD)
    if not _bank_reached(pc):
        _page_not_reached(pc)  # refused already in the handshake
        return
    logon = logon_screen(pc, "admin").certificate_logon().ok().grant_refused()
    logon.expect_alert()


@pytest.mark.step("I-4.3")
def test_another_ids_certificate_is_refused(bank_admin, user_pc):
    """The user's certificate does not log the admin on (and the certificate shown is the user's)."""
    _user, user_certificate = user_with_certificate(bank_admin, user_pc)
    selection = logon_screen(user_pc, "admin").certificate_logon()
    selection.expect_certificate(user_certificate)
    logon = selection.ok().grant_refused()
    assert isinstance(logon, AdminLogonPage)
    logon.expect_alert()


@pytest.mark.step("II-2.3")
def test_admins_certificate_does_not_log_a_user_on(bank_admin, user_pc):
    """On the admin's own PC (its session survives this, or bank_admin logs on again), with a user enrolled."""
    user_with_certificate(bank_admin, user_pc)
    logon = logon_screen(bank_admin.pc, "user").certificate_logon().ok().grant_refused()
    assert isinstance(logon, UserLogonPage)
    logon.expect_alert()


def test_logon_session_is_bound_to_its_certificate(pc, workstation, contract):
    """Cookies of a logged-on admin carried to a PC without the certificate do not open the admin's screens."""
    status = admin_logged_on(pc, contract)
    assert isinstance(status, ContractStatusPage)
    url = pc.page.url
    other = workstation("cookie thief")
    other.context.add_cookies(pc.context.cookies())
    other.page.goto(url)
    expect(other.page.get_by_role("heading", level=1, name=pc.wording["admin_menu.status_heading"],
                                  exact=True)).to_have_count(0)
    # and the session is over for the certificate's PC too
    pc.page.goto(url)
    expect(pc.page.get_by_role("heading", level=1, name=pc.wording["admin_menu.status_heading"],
                               exact=True)).to_have_count(0)


def test_certificate_shown_is_the_one_presented(pc, contract):
    """証明書の選択 shows the certificate this PC presented in TLS, not just any of the contract's."""
    certificate = admin_with_certificate(pc, contract)
    selection = logon_screen(pc, "admin").certificate_logon()
    selection.expect_certificate(certificate)
    assert selection.issued_to() == certificate.subject_cn
    assert selection.issued_by() == certificate.issuer_cn


# -- the bank's server certificate -----------------------------------------------------------------------------------
@pytest.fixture
def foreign_server(dev_pki):
    """An HTTPS server whose certificate comes from another CA than the one the suite trusts."""
    cert, key = dev_pki.foreign_server()

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = "<!doctype html><html lang=ja><title>偽</title><h1>目黒信用金庫</h1></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_server_from_another_ca_is_refused_by_the_browser(workstation, foreign_server):
    pc = workstation()
    with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
        pc.page.goto(foreign_server + "/")


def test_server_from_another_ca_is_refused_when_presenting_a_certificate(workstation, foreign_server, dev_pki):
    """With a client certificate for that origin, traffic goes through Playwright's proxy, which refuses it too."""
    from pages import Workstation

    issued = dev_pki.mint_test_client("valid")
    pc = workstation()
    fake = Workstation(pc._new_context, foreign_server, wording=pc.wording, name="fake bank PC")
    fake.import_certificate(issued.pkcs12(PASSWORD), PASSWORD)
    try:
        response = fake.page.goto(foreign_server + "/")
    except Error:
        return
    assert response is None or not response.ok
    expect(fake.page.get_by_role("heading", level=1)).to_have_count(0)
    fake.close()


def test_server_from_another_ca_is_refused_by_the_provisioning_client(foreign_server, ibcert_target):
    operator = BankOperator(foreign_server, "token", ibcert_target.ca_cert)
    with pytest.raises(ProvisioningError, match="CERTIFICATE_VERIFY_FAILED"):
        operator.create_contract()
