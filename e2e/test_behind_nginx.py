"""The certificate logon (I-4.1 … I-4.4, II-2.1 … II-2.4) and every certificate refusal at logon (none, another CA's,
bound to no ID, expired, not yet valid, without clientAuth, revoked, another ID's, another contract's) through a real
nginx that terminates TLS in front of gunicorn over plain HTTP, configured as deploy/refserver.nginx.conf has it: the
same tests as e2e/test_I_4_II_2_certificate_logon.py and e2e/test_certificates.py, imported with their fixtures,
pointed at nginx. What nginx changes is how the certificate reaches the bank, which the logon shows for every kind;
judged under a session or on 暗証番号入力, the certificate comes the same way at every request, and those judgements
are the refserver's own (e2e/test_certificates.py). (The headers themselves, and a forged one straight to gunicorn:
tests/test_proxy.py.)

The module's target replaces the run's (e2e/targets.py). The browser's fixtures are shared: they trust the same
dev root CA either way, and the base_url of browser_context_args, whichever target made it, is never used (a
Workstation goes to whole addresses).
"""

from __future__ import annotations

import pytest

from deploy import nginx
from refserver.embedded import EmbeddedServer

from .conftest import EMBEDDED_SETTINGS, Target
from .targets import arrange, base_url, operator  # noqa: F401
from .test_I_4_II_2_certificate_logon import (certificate, pc, state, test_1_certificate_logon_button,  # noqa: F401
                                              test_2_certificate_selection_shows_the_imported_certificate,
                                              test_3_deny_access_aborts_logon, test_3_grant_access, test_4_pin)
from .test_certificates import certificates, test_certificate_judged_everywhere  # noqa: F401

pytestmark = pytest.mark.tls


@pytest.fixture
def places() -> tuple[str, ...]:
    return ("logon",)


@pytest.fixture(scope="session")
def ibcert_target(pytestconfig):
    """gunicorn over plain HTTP trusting 127.0.0.1 (IBCERT_TRUSTED_PROXY), and nginx there in front of it."""
    if pytestconfig.getoption("--base-url"):
        pytest.skip("not applicable: checks the reference server's own deployment behind nginx, not the server "
                    "under test")
    if nginx.binary() is None:
        pytest.skip("nginx is not installed (apt-get install nginx; ./ibcert test installs it)")
    with (EmbeddedServer(env=EMBEDDED_SETTINGS, workers=1, trusted_proxy="127.0.0.1") as server,
          nginx.Nginx(server) as front):
        yield Target(front.base_url, server.operator_token, str(server.ca_cert), embedded=True, mail=server.mail)
