"""TLS: a logon's cookies are worthless without its certificate, and the bank's own certificate is verified by the
browser, by Playwright's client-certificate proxy and by the provisioning client. (Which client certificates log on,
at logon and under an open session: e2e/test_certificates.py.)
"""

import http.server
import ssl
import threading

import pytest
from playwright.sync_api import Error, expect

from pages.provisioning import BankOperator, ProvisioningError

pytestmark = pytest.mark.tls
PASSWORD = "Import1234"


def test_logon_session_is_bound_to_its_certificate(workstation, arrange):
    """Cookies of a logged-on admin carried to a PC without the certificate do not open the admin's screens."""
    state = arrange("admin_certified")
    pc = workstation("管理者PC", state.admin_certificate)
    arrange.logged_on(pc, state, "admin")
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


# -- the bank's server certificate -----------------------------------------------------------------------------------
@pytest.fixture
def foreign_server(suite_pki):
    """An HTTPS server whose certificate comes from another CA than the one the suite trusts (any target's)."""
    cert, key = suite_pki.foreign_server()

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


def test_server_from_another_ca_is_refused_when_presenting_a_certificate(workstation, foreign_server, suite_pki):
    """With a client certificate for that origin, traffic goes through Playwright's proxy, which refuses it too."""
    from pages import Workstation

    # not the foreign CA's: Node trusts the CA certificates a PKCS#12 carries, so a client certificate of the
    # foreign server's own CA would vouch for that server
    issued = suite_pki.mint_test_client("valid")
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
