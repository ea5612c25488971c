"""The whole manual walked on a differently built server: the refserver in another vendor's skin (vendors/reskin —
other markup, layout, field order and extra text, actions as links or buttons, parts as boxes under a heading, a logo
as a second <h1>, some words otherwise), driven with its wording file alone. A case that fails here for markup
reasons is a defect of the suite (issue 14); the walkthrough goes through every screen and prompt of the 37 steps and
the 付録 with the page objects, and shoots them with the documentation job's camera.

The whole suite passes there too (`IBCERT_SKIN=vendors/reskin ./ibcert test e2e --wording
vendors/reskin/wording.toml`, docs/vendor.md); this module keeps the walk in every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from refserver.embedded import EmbeddedServer
from spec import Wording

from .conftest import EMBEDDED_SETTINGS, Target
from .targets import arrange, base_url, operator  # noqa: F401
from .test_walkthrough import test_walkthrough_admin_then_user_on_two_pcs  # noqa: F401

SKIN = Path(__file__).resolve().parent.parent / "vendors" / "reskin"


@pytest.fixture(scope="session")
def ibcert_target(pytestconfig):
    """The refserver in the skin, a server of this module's own."""
    if pytestconfig.getoption("--base-url"):
        pytest.skip("not applicable: checks the suite on a skin of the reference server, not the server under test")
    with EmbeddedServer(env={**EMBEDDED_SETTINGS, "IBCERT_SKIN": str(SKIN)}, workers=1) as server:
        yield Target(server.base_url, server.operator_token, str(server.ca_cert), embedded=True, mail=server.mail)


@pytest.fixture
def report_shots() -> None:
    """The skin's screens stay out of the run's report (it reports on the run's target)."""
    return None


@pytest.fixture(scope="session")
def wording() -> Wording:
    """The skin's wording file, as its vendor would pass it (--wording)."""
    return Wording.load(SKIN / "wording.toml")
