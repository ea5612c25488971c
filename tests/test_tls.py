"""Real TLS: the refserver under gunicorn (EmbeddedServer) and under `python -m refserver`, with clients that present
no certificate, an issued one, one from another CA, an expired one and one bound to another ID."""

from __future__ import annotations

import base64
import datetime as dt
import re
import socket
import ssl
import subprocess
import sys
import time
from html import unescape

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from conftest import ADMIN_CONFIRMATION_PIN, ADMIN_PIN, alert, h1, typed_again
from refserver.embedded import REPO_ROOT, EmbeddedServer


@pytest.fixture(scope="module")
def server(pki):
    with EmbeddedServer(pki=pki) as server:
        yield server


class TlsClient:
    """A browser over real HTTPS: cookies, the CSRF token of the last screen, and optionally a client certificate."""

    def __init__(self, server: EmbeddedServer, tmp_path, cert_pem: bytes | None = None, key_pem: bytes | None = None):
        self.base = server.base_url
        self.session = requests.Session()
        self.verify = str(server.ca_cert)  # per request: REQUESTS_CA_BUNDLE would override a Session's verify
        self.html = ""
        if cert_pem:
            self.use_certificate(tmp_path, cert_pem, key_pem)

    def use_certificate(self, tmp_path, cert_pem: bytes, key_pem: bytes) -> None:
        cert_file, key_file = tmp_path / f"client-{time.monotonic_ns()}.pem", tmp_path / f"client-{time.monotonic_ns()}.key"
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        self.session.cert = (str(cert_file), str(key_file))
        self.session.close()  # the certificate is presented at the handshake: start new connections

    def get(self, path):
        response = self.session.get(self.base + path, verify=self.verify)
        self.html = response.text
        return response

    def post(self, path, data=None):
        data = dict(data or {})
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.html)
        if token:
            data["csrf_token"] = token.group(1)
        response = self.session.post(self.base + path, data=data, headers={"Referer": self.base + path}, verify=self.verify)
        self.html = response.text
        return response


def api(server, path, body):
    response = requests.post(server.base_url + path, json=body, verify=str(server.ca_cert),
                             headers={"Authorization": f"Bearer {server.operator_token}"})
    assert response.ok, response.text
    return response.json()


def answers(contract, html):
    cells = re.findall(r"確認用パスワード（(.)）", html)
    return {f"cell{i}": contract["card"][cell] for i, cell in enumerate(cells)}


def admin_with_certificate(server, tmp_path):
    """Over real TLS: provision, 開通確認 (I-2) and 電子証明書取得 (I-3); returns (contract, cert PEM, key PEM)."""
    contract = api(server, "/api/contracts", {})
    web = TlsClient(server, tmp_path)
    web.get("/ib/admin/activation")
    web.post("/ib/admin/activation", {"contract_number": contract["contract_number"],
                                      "registration_pin": contract["registration_pin"]})
    web.post("/ib/admin/activation/pins", typed_again({"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN,
                                           "email": "keiri@example.co.jp"}))
    web.post("/ib/admin/activation/otp", answers(contract, web.html))
    assert h1(web.html) == "開通確認完了"
    web.get("/ib/admin/certificate")
    web.post("/ib/admin/certificate", {"contract_number": contract["contract_number"], "logon_pin": ADMIN_PIN,
                                       "confirmation_pin": ADMIN_CONFIRMATION_PIN})
    for step, data in (("confirm", {"answer": "yes"}), ("security", {}), ("issue", {}), ("install", {"answer": "yes"})):
        web.post(f"/ib/admin/certificate/{step}", data)
    assert h1(web.html) == "電子証明書取得完了"
    p12 = base64.b64decode(re.search(r'base64,([^"]+)"', web.html).group(1))
    password = re.search(r'aria-label="インポート用パスワード">([^<]+)<', web.html).group(1)
    key, cert, _ = pkcs12.load_key_and_certificates(p12, password.encode())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return contract, cert.public_bytes(serialization.Encoding.PEM), key_pem


def to_select(web, kind="admin"):
    web.get(f"/ib/{kind}/logon")
    return web.post(f"/ib/{kind}/logon")


def grant(web, kind="admin"):
    to_select(web, kind)
    web.post(f"/ib/{kind}/logon/certificate", {"action": "ok"})
    return web.post(f"/ib/{kind}/logon/permission", {"access": "grant"})


def test_healthz_over_tls_verified_against_the_dev_root(server):
    assert requests.get(server.base_url + "/healthz", verify=str(server.ca_cert)).text == "ok"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion:DeprecationWarning")
def test_tls_below_1_2_is_refused(server):
    context = ssl.create_default_context(cafile=str(server.ca_cert))
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(sock, server_hostname="127.0.0.1")


def test_I_4_2_no_certificate_presented_over_tls(server, tmp_path):
    web = TlsClient(server, tmp_path)
    to_select(web)
    assert "提示できる電子証明書がありません。" in web.html


def test_I_4_issued_certificate_logs_on_under_gunicorn(server, tmp_path):
    contract, cert_pem, key_pem = admin_with_certificate(server, tmp_path)
    web = TlsClient(server, tmp_path, cert_pem, key_pem)
    to_select(web)
    assert f"<td>{contract['contract_number']} 管理者</td><td>目黒信用金庫 電子証明書発行局</td>" in web.html
    web.post("/ib/admin/logon/certificate", {"action": "ok"})
    web.post("/ib/admin/logon/permission", {"access": "grant"})
    assert h1(web.html) == "暗証番号入力"
    web.post("/ib/admin/logon/pin", {"pin": ADMIN_PIN})
    web.post("/ib/admin/logon/otp", answers(contract, web.html))
    assert h1(web.html) == "ご契約先ステータス"

    # The logon is bound to that certificate: the same cookies without it end the session.
    bare = requests.Session()
    bare.cookies.update(web.session.cookies)
    response = bare.get(server.base_url + "/ib/admin/users", verify=str(server.ca_cert))
    assert h1(response.text) == "管理者ログオン"
    assert "ログオン時と異なる電子証明書が提示されたか、電子証明書が提示されなかったため、ログオフしました。" in unescape(response.text)
    assert h1(web.get("/ib/admin/users").text) == "管理者ログオン"  # ended for the certificate holder too


def test_certificate_from_another_ca_is_refused_at_the_handshake(server, tmp_path):
    foreign = server.pki.mint_test_client("foreign")
    web = TlsClient(server, tmp_path, foreign.cert_pem, foreign.key_pem)
    with pytest.raises(requests.exceptions.SSLError):
        web.get("/ib/admin/logon")


def test_expired_certificate_is_refused_with_a_message(server, tmp_path):
    expired = server.pki.mint_test_client("expired")
    web = TlsClient(server, tmp_path, expired.cert_pem, expired.key_pem)
    grant(web)
    assert h1(web.html) == "管理者ログオン"
    assert alert(web.html) == "電子証明書の有効期限が切れています。電子証明書を取得し直してください。"


def test_certificate_bound_to_another_id_is_refused_with_a_message(server, tmp_path):
    contract, cert_pem, key_pem = admin_with_certificate(server, tmp_path)
    web = TlsClient(server, tmp_path, cert_pem, key_pem)
    grant(web, kind="user")
    assert h1(web.html) == "利用者ログオン"
    assert alert(web.html) == "この電子証明書は管理者の電子証明書です。利用者ログオンには使用できません。"


def test_certificate_of_our_ca_bound_to_no_id_is_refused(server, tmp_path):
    stray = server.pki.mint_test_client("valid")
    web = TlsClient(server, tmp_path, stray.cert_pem, stray.key_pem)
    grant(web)
    assert alert(web.html) == "この電子証明書（ibcert test client）はどの ID にも登録されていません。"


def test_dev_server_reads_the_presented_certificate_too(pki, tmp_path):
    """`python -m refserver` (werkzeug) gives the same certificate to the same function as gunicorn does."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"IBCERT_PKI_DIR": str(pki.state_dir), "IBCERT_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
           "IBCERT_SECRET_KEY": "dev", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-m", "refserver", "--port", str(port)], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        stray = pki.mint_test_client("valid", common_name="werkzeug client")
        (tmp_path / "c.pem").write_bytes(stray.cert_pem)
        (tmp_path / "k.pem").write_bytes(stray.key_pem)
        session = requests.Session()
        session.cert = (str(tmp_path / "c.pem"), str(tmp_path / "k.pem"))
        verify = str(pki.root_ca_pem)
        base = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                session.get(base + "/healthz", verify=verify)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, "the dev server did not start"
                time.sleep(0.05)
        page = session.get(base + "/ib/admin/logon", verify=verify).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        page = session.post(base + "/ib/admin/logon", data={"csrf_token": token}, headers={"Referer": base + "/ib/admin/logon"}, verify=verify).text
        assert "<td>werkzeug client</td><td>目黒信用金庫 電子証明書発行局</td>" in page
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_client_certificate_the_root_signed_directly_never_completes_the_handshake(server, tmp_path):
    """Issue 12 #9: only the issuing CA is trusted for client certificates (and named in the CertificateRequest)."""
    now = dt.datetime.now(dt.timezone.utc)
    leaf = server.pki.root_ca.issue_client("root-signed", "client", now - dt.timedelta(minutes=5),
                                           now + dt.timedelta(days=1))
    web = TlsClient(server, tmp_path, leaf.cert_pem, leaf.key_pem)
    with pytest.raises(requests.exceptions.SSLError):
        web.get("/ib/admin/logon")


@pytest.mark.parametrize("cipher, completes", [("ECDHE-ECDSA-AES128-GCM-SHA256", True), ("ECDHE-ECDSA-CHACHA20-POLY1305", True),
                                               ("ECDHE-ECDSA-AES128-SHA256", False),
                                               ("ECDHE-ECDSA-AES256-SHA384", False)])
def test_tls_1_2_offers_the_intermediate_profile_only(server, cipher, completes):
    """Issue 12 #10: TLS 1.2 with forward secrecy and AEAD only — no CBC suites, no static RSA."""
    context = ssl.create_default_context(cafile=str(server.ca_cert))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(cipher)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        if completes:
            with context.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
                assert tls.cipher()[0] == cipher
        else:
            with pytest.raises(ssl.SSLError):
                context.wrap_socket(sock, server_hostname="127.0.0.1")


# P-256 is offered with each: in TLS 1.2 the client's groups also say which curves it can verify (the server's
# certificate is P-256), so only the key-exchange group differs
@pytest.mark.parametrize("group, completes", [("X25519:P-256", True), ("X448:P-256", False), ("P-521:P-256", False)])
@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_key_exchange_groups(server, group, completes, version):
    """Issue 12 #10, checked with openssl s_client: X448 and secp521r1 are not offered."""
    done = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", version, "-groups", group,
                           "-CAfile", str(server.ca_cert)], input="", capture_output=True, text=True, timeout=30)
    negotiated = done.returncode == 0 and "Cipher is (NONE)" not in done.stdout
    assert negotiated is completes, done.stdout[-500:] + done.stderr[-500:]
