"""gunicorn settings of the refserver: HTTPS that requests a client certificate, TLS 1.2 or later.

    gunicorn -c refserver/gunicorn.conf.py

IBCERT_BIND (127.0.0.1:8443) is the address; WEB_CONCURRENCY (2) the number of workers. The server certificate and
the CA bundle client certificates are verified against come from the dev PKI unless IBCERT_TLS_CERTFILE,
IBCERT_TLS_KEYFILE and IBCERT_TLS_CLIENT_CA name others.

Behind the TLS proxy of deploy/ (IBCERT_TRUSTED_PROXY set): plain HTTP, no certificate of its own. The one setting
decides both, so gunicorn never serves plain HTTP with no proxy to take the certificate from, nor TLS to a proxy it
would read no certificate of. IBCERT_BIND must then be a TCP address only the proxy reaches (loopback, or a private
interface; not a UNIX socket, whose peer has no address to trust), though a certificate header from any other peer
is refused anyway (refserver/proxy.py).
"""

import os
import ssl
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root, whatever the working directory

from certs.pki import DevPKI  # noqa: E402
from refserver.tls import harden  # noqa: E402

_pki = DevPKI.default()

wsgi_app = "refserver:create_app()"
bind = [os.environ.get("IBCERT_BIND", "127.0.0.1:8443")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads, not sync workers: browsers open spare connections they may never use, and each would hold a sync worker.
worker_class = "gthread"
threads = 4
# Keep idle connections open as long as browsers and proxies expect (nginx's default): with gunicorn's 2 s, a request
# sent on a connection just as the server closes it is lost ("ECONNRESET"), and a POST is not sent again.
keepalive = 75
# bounded requests: no screen or API call needs more (the app refuses bodies over 256 KiB itself)
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
if not os.environ.get("IBCERT_TRUSTED_PROXY"):
    certfile = os.environ.get("IBCERT_TLS_CERTFILE") or str(_pki.server_cert_pem)
    keyfile = os.environ.get("IBCERT_TLS_KEYFILE") or str(_pki.server_key_pem)
    ca_certs = os.environ.get("IBCERT_TLS_CLIENT_CA") or str(_pki.client_ca_pem)
    cert_reqs = ssl.CERT_OPTIONAL
# gunicorn reads no forwarded header itself (by default it takes X-Forwarded-Proto from loopback): the scheme and the
# client's address come from refserver/proxy.py alone, from the trusted proxy alone.
forwarded_allow_ips = ""
accesslog = "-"
# gunicorn's control socket has one default path per machine: parallel test servers would fight over it.
control_socket_disable = True


def ssl_context(conf, default_ssl_context_factory):
    return harden(default_ssl_context_factory())
