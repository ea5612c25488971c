"""The fixtures of a test module that checks a server of its own — the refserver behind nginx
(e2e/test_behind_nginx.py), a vendor's skin of it (e2e/test_reskin.py) — rather than the run's target: such a module
defines `ibcert_target` and imports these, which then follow it. (Defined in the module, e2e/conftest.py's
session-wide ones are never made for its tests, which would keep them for the whole session.)
"""

from __future__ import annotations

import pytest

from pages.provisioning import BankOperator

from .arrange import Arranger
from .conftest import _workstation


@pytest.fixture(scope="session")
def base_url(ibcert_target) -> str:
    return ibcert_target.base_url


@pytest.fixture(scope="session")
def operator(ibcert_target) -> BankOperator:
    return BankOperator(ibcert_target.base_url, ibcert_target.operator_token, ibcert_target.ca_cert)


@pytest.fixture(scope="session")
def arrange(browser, browser_context_args, ibcert_target, wording, axe_checker, operator) -> Arranger:
    """e2e/conftest.py's, on the module's target (its scratch PCs are for a server without the set-up API: not
    these)."""
    return Arranger(operator, lambda name: _workstation(
        lambda **options: browser.new_context(**{**browser_context_args, **options}), ibcert_target, wording,
        axe_checker, name))
