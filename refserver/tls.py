"""TLS: the server's context and the client certificate presented in the handshake, whichever server runs (the
refserver's own TLS, or the proxy's of deploy/: proxy.py).

The handshake checks that a client certificate chains to the issuing CA (another CA's certificate never gets a
connection; behind nginx, which cannot check that, it reaches the app, which refuses it at logon). Validity dates are left to the application, judged by the app clock: in production that is the real
time, and in testing mode it lets certificate expiry be tested without waiting — and an expired certificate gets a
clear Japanese message on the logon screen instead of a browser's connection error.
"""

from __future__ import annotations

import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes

# OpenSSL's X509_V_FLAG_NO_CHECK_TIME; Python's ssl module has no name for it.
_NO_CHECK_TIME = 0x200000

# Mozilla's "intermediate" profile for TLS 1.2: forward secrecy and AEAD only (no CBC, no static RSA); TLS 1.3's
# suites are all of that kind already.
CIPHERS_TLS12 = ":".join([
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-CHACHA20-POLY1305",
])


def harden(context: ssl.SSLContext) -> ssl.SSLContext:
    """The one TLS profile of the refserver, under gunicorn and the dev server alike: TLS 1.2 at least with the
    intermediate cipher list; ask for a client certificate, verified against the issuing CA alone (its file is the
    trust anchor: a certificate the root signed directly never completes the handshake), and let the app judge its
    validity dates."""
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(CIPHERS_TLS12)
    # Key exchange on X25519 alone: Python's ssl module sets a single group (no X448 / secp521r1 offered); every
    # current browser and TLS library leads with it.
    context.set_ecdh_curve("X25519")
    context.verify_mode = ssl.CERT_OPTIONAL
    context.verify_flags |= _NO_CHECK_TIME | ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def server_context(certfile, keyfile, client_ca) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    context.load_verify_locations(cafile=str(client_ca))
    return harden(context)


def presented_certificate(environ) -> x509.Certificate | None:
    """The client certificate of this request's connection, or None.

    werkzeug's dev server puts it in SSL_CLIENT_CERT as PEM (so does proxy.py with the trusted TLS proxy's header,
    and so do the tests, through the test client's environ); under gunicorn's TLS it is read from the socket itself.
    One that cryptography cannot read (OpenSSL is more lenient) is taken as none presented: refused like it, not
    a 500.
    """
    try:
        pem = environ.get("SSL_CLIENT_CERT")
        if pem:
            return x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)
        sock = environ.get("gunicorn.socket")
        if isinstance(sock, ssl.SSLSocket):
            der = sock.getpeercert(binary_form=True)
            if der:
                return x509.load_der_x509_certificate(der)
    except ValueError:
        pass
    return None


def fingerprint(cert: x509.Certificate | None) -> str | None:
    return cert.fingerprint(hashes.SHA256()).hex() if cert is not None else None


def common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else name.rfc4514_string()
