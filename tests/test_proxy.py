"""Behind nginx (deploy/, refserver/proxy.py): the certificate header and the forwarded address and scheme are taken
from IBCERT_TRUSTED_PROXY alone, a certificate header from anyone else is refused; and a real nginx in front of a
real gunicorn passes the presented certificate, drops a client's forged one and gives the public https URLs. (The
browser suite's certificate logon and refusals through nginx: e2e/test_behind_nginx.py.)"""

from __future__ import annotations

import base64
import http.client
import re
from urllib.parse import quote, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from conftest import ADMIN_CONFIRMATION_PIN, ADMIN_PIN, alert
from deploy import nginx
from refserver import proxy, tls
from refserver.embedded import EmbeddedServer
from refserver.models import AuditEntry, ClientMisses, db

TRUSTED, STRANGER = "192.0.2.10", "198.51.100.7"
CERT_ENVIRON = "HTTP_X_SSL_CLIENT_CERT"


@pytest.fixture
def behind_proxy(app, web):
    """The app behind a proxy at TRUSTED (given as its network, beside an IPv6 one); the web client arrives from it."""
    app.config["TRUSTED_PROXY"] = "192.0.2.0/24, 2001:db8::/32"
    web.client.environ_base["REMOTE_ADDR"] = TRUSTED
    return web


def _through_proxy(web, certificate_pem: str | None) -> None:
    """The next requests carry X-SSL-Client-Cert as nginx writes it ($ssl_client_escaped_cert), or none."""
    web.present(None)
    if certificate_pem:
        web.client.environ_base[CERT_ENVIRON] = quote(certificate_pem)
    else:
        web.client.environ_base.pop(CERT_ENVIRON, None)


def test_the_trusted_proxys_certificate_header_is_the_presented_certificate(behind_proxy, walk):
    contract, pem = walk.admin_ready()
    _through_proxy(behind_proxy, pem)
    response = walk.permission("admin", None)
    assert response.status_code == 302 and response.headers["Location"].endswith("/ib/admin/logon/pin"), \
        alert(behind_proxy.html)


def test_a_certificate_header_from_anyone_else_is_refused_audited_and_changes_nothing(app, behind_proxy, walk):
    contract, pem = walk.admin_ready()
    _through_proxy(behind_proxy, pem)
    behind_proxy.client.environ_base["REMOTE_ADDR"] = STRANGER
    response = behind_proxy.post("/ib/admin/logon")
    assert response.status_code == 400 and alert(behind_proxy.html) == proxy.MESSAGE
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.contract_number) == (f"接続元 {STRANGER}", "証明書ヘッダーの拒否", None)
    _through_proxy(behind_proxy, None)
    out_of_order = behind_proxy.get("/ib/admin/logon/certificate")  # the refused POST began no certificate logon
    assert out_of_order.status_code == 302 and out_of_order.headers["Location"].endswith("/ib/admin/logon")


def test_no_proxy_is_trusted_unless_configured(app, web, walk):
    contract, pem = walk.admin_ready()
    _through_proxy(web, pem)
    assert web.get("/ib/admin/logon").status_code == 400


def test_forwarded_address_and_scheme_are_the_trusted_proxys_alone(app, behind_proxy, provision):
    """X-Forwarded-For names the client the per-client throttle counts, and X-Forwarded-Proto makes plain HTTP from
    the proxy https (CSRF's strict Referer check then applies) — from the proxy; from anyone else they are ignored."""
    contract = provision(registration_pin="2580")
    wrong = {"contract_number": contract.contract_number, "registration_pin": "0852"}
    behind_proxy.client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.5"
    behind_proxy.submit("/ib/admin/activation", wrong)
    behind_proxy.client.environ_base["REMOTE_ADDR"] = STRANGER
    behind_proxy.submit("/ib/admin/activation", wrong)
    with app.app_context():
        assert {row.client: row.misses for row in db.session.scalars(db.select(ClientMisses))} == \
            {"203.0.113.5": 1, STRANGER: 1}

    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=TRUSTED, HTTP_X_FORWARDED_PROTO="https")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ib/admin/logon").get_data(as_text=True))[1]
    for referer, status in (("https://evil.example/ib/admin/logon", 400), ("https://localhost/ib/admin/logon", 302)):
        response = client.post("/ib/admin/logon", data={"csrf_token": token}, headers={"Referer": referer})
        assert response.status_code == status, referer


def test_a_wrong_trusted_proxy_setting_names_the_entry():
    with pytest.raises(ValueError, match="'proxy.example'"):
        proxy.trusted_networks("127.0.0.1, proxy.example")


def test_an_unreadable_certificate_is_none_presented():
    assert tls.presented_certificate({"SSL_CLIENT_CERT": "-----BEGIN CERTIFICATE-----\nnonsense\n"}) is None


def test_the_nginx_config_has_the_refservers_tls_profile_and_five_values():
    template = nginx.TEMPLATE.read_text()
    assert re.search(r"^\s*ssl_ciphers (\S+);", template, re.M)[1] == tls.CIPHERS_TLS12
    assert re.search(r"^\s*ssl_protocols (.+);", template, re.M)[1] == "TLSv1.2 TLSv1.3"
    assert set(re.findall(r"\$\{(\w+)\}", template)) == {"IBCERT_LISTEN", "IBCERT_SERVER_CERT", "IBCERT_SERVER_KEY",
                                                         "IBCERT_CLIENT_CA", "IBCERT_UPSTREAM"}


# -- a real nginx in front of a real gunicorn ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def stack():
    """gunicorn over plain HTTP trusting 127.0.0.1, and nginx there in front of it."""
    if nginx.binary() is None:
        pytest.skip("nginx is not installed (apt-get install nginx; ./ibcert test installs it)")
    with EmbeddedServer(trusted_proxy="127.0.0.1", workers=1, mail=False,
                        env={"IBCERT_PIN_KDF_COST": "4"}) as server, nginx.Nginx(server) as front:
        yield server, front


def test_a_forged_certificate_header_straight_to_gunicorn_is_refused(stack):
    """From 127.0.0.2, a loopback address that is not the proxy's."""
    server, _ = stack
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, source_address=("127.0.0.2", 0), timeout=10)
    connection.request("GET", "/ib/admin/logon", headers={"X-SSL-Client-Cert": quote("forged")})
    response = connection.getresponse()
    assert response.status == 400 and proxy.MESSAGE in response.read().decode()


def _certificate_in_selection(front, server, *, cert=None, headers=None) -> str:
    """Through nginx: 管理者ログオン's ログオン (CSRF's Referer check, the __Host- cookie), then what 証明書の選択 shows."""
    browser, verify, url = requests.Session(), str(server.ca_cert), front.base_url + "/ib/admin/logon"
    browser.cert = cert
    browser.headers.update(headers or {})
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(url, verify=verify).text)[1]
    shown = browser.post(url, data={"csrf_token": token}, headers={"Referer": url}, verify=verify)
    assert shown.url.endswith("/ib/admin/logon/certificate"), shown.text
    return re.search(r"<dialog open.*?</dialog>", shown.text, re.S)[0]


def test_through_nginx_the_presented_certificate_is_taken_and_a_forged_header_dropped(stack, tmp_path):
    server, front = stack
    issued = server.pki.mint_test_client("valid", common_name="ibcert proxied client")
    (tmp_path / "cert.pem").write_bytes(issued.cert_pem)
    (tmp_path / "key.pem").write_bytes(issued.key_pem)
    presented = _certificate_in_selection(front, server,
                                          cert=(str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")))
    assert "<td>ibcert proxied client</td>" in presented
    forged = _certificate_in_selection(front, server,
                                       headers={"X-SSL-Client-Cert": quote(issued.cert_pem.decode())})
    assert "提示できる電子証明書がありません。" in forged


def test_behind_nginx_issued_certificates_name_the_public_crl(stack):
    server, front = stack
    made = requests.post(front.base_url + "/api/contracts", verify=str(server.ca_cert), json={
        "at": "admin_certified",
        "admin": {"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN, "email": "keiri@example.co.jp"}},
                         headers={"Authorization": f"Bearer {server.operator_token}"})
    assert made.status_code == 201, made.text
    file = made.json()["admin_certificate"]
    _, cert, _ = pkcs12.load_key_and_certificates(base64.b64decode(file["pkcs12"]), file["password"].encode())
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [name.value for point in points for name in point.full_name] == [front.base_url + "/crl/issuing-ca.crl"]
    assert requests.get(front.base_url + "/crl/issuing-ca.crl", verify=str(server.ca_cert)).status_code == 200
