"""The browser suite's command-line options and run-wide plugins (the conformance report, the plan), registered by the
root conftest.py for every run.

pytest reads options before it knows which folders a run collects, and takes the value of an option it does not
know yet for a path (`--wording our.toml` without `e2e` before it); and under xdist the controller, which writes the
report, collects nothing, so e2e/conftest.py may never be loaded there. Registered here, at start, both are there for
every run — a shard of the whole suite (`--splits 3 --group 1 --conformance-dir out/shard-1`) included.
"""

from __future__ import annotations

import os

import pytest

from pages import settings
from spec import WORDING_ENV

from . import conformance, plan

CONFIG = settings.load()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ibcert", "ibcert browser suite")
    group.addoption("--operator-token", default=os.environ.get("IBCERT_OPERATOR_TOKEN"),
                    help="Bearer token of the server's provisioning API (env IBCERT_OPERATOR_TOKEN); needed with "
                         "--base-url.")
    group.addoption("--ca-cert", default=os.environ.get("IBCERT_CA_CERT"),
                    help="PEM of the CA that issued the server's TLS certificate (env IBCERT_CA_CERT); with "
                         "--base-url, when the server's certificate is not from a public CA.")
    group.addoption("--wording", default=os.environ.get(WORDING_ENV),
                    help=f"TOML file overriding spec/wording.toml (env {WORDING_ENV}).")
    group.addoption("--no-axe", action="store_true", default=not CONFIG.AXE_ENABLED,
                    help="Do not check screens with axe-core.")
    group.addoption("--conformance-dir", default=str(CONFIG.CONFORMANCE_DIR),
                    help="Where the per-step conformance report (report.json, report.html) goes.")
    plan.addoptions(group)
    group.addoption("--connect", default=os.environ.get(CONFIG.CONNECT_ENV), metavar="WS_ENDPOINT",
                    help=f"Take the browsers from this Playwright browser server (`playwright run-server`, "
                         f"e.g. ws://host:3000/) instead of launching them (env {CONFIG.CONNECT_ENV}).")


def pytest_configure(config: pytest.Config) -> None:
    others = [name for name in config.getoption("--browser", default=None) or [] if name != "chromium"]
    if others:  # at once, not after every test has waited for a browser the suite cannot drive
        raise pytest.UsageError(f"--browser {' '.join(others)}: the suite drives Chromium only (its client "
                                "certificates, trust store and screenshots are Chromium's); leave --browser out")
    # pytest-playwright's artifact folder (--output) defaults to the one of playwright.config.py
    if getattr(config.option, "output", None) == "test-results":
        config.option.output = str(CONFIG.OUTPUT_DIR)
    conformance.configure(config)
    plan.configure(config)
