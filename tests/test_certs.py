"""The dev PKI (certs/pki.py): hierarchy, certificate contents, PKCS#12, concurrency, and real TLS handshakes."""

import datetime as dt
import multiprocessing
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from certs.pki import DevPKI


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return DevPKI(tmp_path_factory.mktemp("pki")).ensure()


def _load(path):
    return x509.load_pem_x509_certificates(path.read_bytes())


def test_hierarchy_root_signs_issuing_ca_and_server(pki):
    root = _load(pki.root_ca_pem)[0]
    server, server_root = _load(pki.server_cert_pem)
    issuing = pki.issuing_ca.cert
    issuing.verify_directly_issued_by(root)
    server.verify_directly_issued_by(root)
    assert server_root == root
    assert issuing.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0
    assert _load(pki.client_ca_pem) == [issuing]  # the issuing CA alone: the root signs no client certificate


def test_the_names_are_a_banks_and_configurable(tmp_path, monkeypatch):
    """What the customer reads in 証明書のインポート and 証明書の選択 names the bank (IBCERT_BANK_NAME), or what the
    bank sets; the look-alike CA copies our root's name."""
    monkeypatch.setenv("IBCERT_BANK_NAME", "テスト信用金庫")
    monkeypatch.setenv("IBCERT_ISSUING_CA_NAME", "テスト信用金庫 法人IB認証局")
    made = DevPKI(tmp_path).ensure()
    assert made.root_ca.cert.subject.rfc4514_string() == "CN=テスト信用金庫 ルート認証局,O=テスト信用金庫"
    assert made.issuing_ca.cert.subject.rfc4514_string() == "CN=テスト信用金庫 法人IB認証局,O=テスト信用金庫"
    assert made.mint_test_client("valid").cert.issuer == made.issuing_ca.cert.subject
    assert made.foreign_ca.cert.subject == made.root_ca.cert.subject and made.foreign_ca.cert != made.root_ca.cert


def test_server_certificate_names_localhost_and_loopback(pki):
    server = _load(pki.server_cert_pem)[0]
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} >= {"127.0.0.1", "::1"}
    assert ExtendedKeyUsageOID.SERVER_AUTH in server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value


def test_client_certificate_is_for_client_auth_with_requested_names_and_validity(pki):
    start = dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)
    issued = pki.issuing_ca.issue_client("12345678901 管理者", "12345678901", start, start + dt.timedelta(days=365))
    cert = issued.cert
    cert.verify_directly_issued_by(pki.issuing_ca.cert)
    assert cert.subject.rfc4514_string() == "CN=12345678901 管理者,OU=12345678901,O=目黒信用金庫"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=365)
    assert cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.CLIENT_AUTH])
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_pkcs12_holds_key_certificate_and_chain_under_its_password(pki):
    issued = pki.mint_test_client("valid")
    blob = issued.pkcs12("Imp0rt-pass", "利用者")
    with pytest.raises(ValueError):
        pkcs12.load_pkcs12(blob, b"wrong")
    loaded = pkcs12.load_pkcs12(blob, b"Imp0rt-pass")
    assert loaded.cert.certificate == issued.cert
    assert loaded.key.public_key().public_numbers() == issued.private_key.public_key().public_numbers()
    assert [c.certificate for c in loaded.additional_certs] == list(pki.issuing_ca.chain)


def test_fingerprint_is_sha256_of_der(pki):
    issued = pki.mint_test_client("valid")
    assert len(issued.fingerprint) == 64 and issued.fingerprint == issued.fingerprint.lower()
    assert issued.fingerprint != pki.mint_test_client("valid").fingerprint


def test_test_kinds_have_the_defect_they_are_named_after(pki):
    now = dt.datetime.now(dt.timezone.utc)
    assert pki.mint_test_client("expired").cert.not_valid_after_utc < now
    assert pki.mint_test_client("not_yet_valid").cert.not_valid_before_utc > now
    foreign = pki.mint_test_client("foreign").cert
    assert foreign.issuer == pki.issuing_ca.cert.issuer  # look-alike names…
    with pytest.raises(Exception):
        foreign.verify_directly_issued_by(pki.issuing_ca.cert)  # …but another key
    usage = pki.mint_test_client("wrong_usage").cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH not in usage
    with pytest.raises(ValueError):
        pki.mint_test_client("revoked")


def _ensure_in_process(state_dir):
    DevPKI(state_dir).ensure()
    return DevPKI(state_dir).root_ca_pem.read_bytes()


def test_parallel_first_use_makes_one_hierarchy(tmp_path):
    # xdist and gunicorn workers all reach for the PKI at once on a fresh clone: they must agree on one root.
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        roots = pool.map(_ensure_in_process, [tmp_path] * 8)
    assert len(set(roots)) == 1


# -- real TLS: the server side as the refserver configures it (client certificate requested, verified) ----------

def _mtls_server(pki):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(pki.server_cert_pem, pki.server_key_pem)
    context.load_verify_locations(pki.client_ca_pem)
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # the issuing CA alone is the anchor, as on the refserver
    context.verify_mode = ssl.CERT_OPTIONAL
    listener = socket.create_server(("127.0.0.1", 0))
    seen = []

    def serve():
        while True:
            conn, _ = listener.accept()
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    seen.append(tls.getpeercert(binary_form=True))
                    tls.sendall(b"ok")
            except (ssl.SSLError, OSError):
                seen.append("refused")

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], seen


def _handshake(pki, port, issued, tmp_path):
    context = ssl.create_default_context(cafile=pki.root_ca_pem)
    if issued is not None:
        cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
        cert.write_bytes(issued.cert_pem)
        key.write_bytes(issued.key_pem)
        context.load_cert_chain(cert, key)
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.recv(2)  # TLS 1.3 reports a refused client certificate on the first read


@pytest.fixture(scope="module")
def mtls(pki):
    return _mtls_server(pki)


def test_tls_accepts_no_certificate_and_an_issued_one(pki, mtls, tmp_path):
    port, seen = mtls
    assert _handshake(pki, port, None, tmp_path) == b"ok"
    issued = pki.mint_test_client("valid")
    assert _handshake(pki, port, issued, tmp_path) == b"ok"
    assert x509.load_der_x509_certificate(seen[-1]) == issued.cert


@pytest.mark.parametrize("kind", ["foreign", "expired", "not_yet_valid", "wrong_usage"])
def test_tls_refuses_defective_client_certificates(pki, mtls, tmp_path, kind):
    port, seen = mtls
    with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
        _handshake(pki, port, pki.mint_test_client(kind), tmp_path)


def test_client_refuses_server_from_another_ca(pki, tmp_path):
    cert, key = pki.foreign_server()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_once():
        conn, _ = listener.accept()
        try:
            context.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            pass

    threading.Thread(target=serve_once, daemon=True).start()
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(pki, listener.getsockname()[1], None, tmp_path)
