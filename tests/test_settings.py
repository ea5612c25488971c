"""The browser's launch arguments (pages/settings.py from playwright.config.py): the features switched off for
speed are added to Playwright's own list, never put in its place (Chromium honours only the last --disable-features)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from pages import settings

CONFIG = settings.load()


def _disabled(args: list[str]) -> list[str]:
    flags = [arg for arg in args if arg.startswith("--disable-features=")]
    assert len(flags) == 1, flags
    return flags[0].split("=", 1)[1].split(",")


def test_playwrights_own_list_is_read_from_its_driver():
    assert "HttpsUpgrades" in settings.playwright_disabled_features()  # in Playwright's list since 1.45


def test_one_disable_features_carries_playwrights_list_and_ours():
    features = _disabled(settings.launch_args(None)["args"])
    assert set(settings.playwright_disabled_features()) <= set(features)
    assert set(CONFIG.DISABLED_FEATURES) <= set(features)


def test_where_playwrights_list_cannot_be_read_ours_is_left_out(monkeypatch):
    monkeypatch.setattr(settings, "playwright_disabled_features", lambda: ())
    assert not any(a.startswith("--disable-features=") for a in settings.launch_args(None)["args"])


# Run apart: a test process may hold a Playwright of the browser suite already, and one process runs one at a time.
READ_VARIATIONS = """
import re, sys
from playwright.sync_api import sync_playwright
from pages import settings
with sync_playwright() as pw:
    browser = pw.chromium.launch(**settings.launch_args(sys.argv[1]))
    page = browser.new_page()
    page.goto("chrome://version")
    found = re.search(r"eyJ[A-Za-z0-9+/=]+", page.content())  # the whole value: base64 JSON
    browser.close()
print(found.group(0) if found else "")
"""


def test_the_browser_runs_with_both():
    """What Chromium itself says it runs with (chrome://version, the full browser: the headless shell has no such
    page)."""
    try:
        executable = CONFIG.find_chromium(headless=False)
    except CONFIG.BrowserNotFound as error:
        pytest.skip(str(error))
    encoded = subprocess.run([sys.executable, "-c", READ_VARIATIONS, executable], cwd=settings.ROOT, check=True,
                             capture_output=True, text=True, timeout=60).stdout.strip()
    assert encoded, "chrome://version shows no command-line variations"
    variations = json.loads(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    running = set(variations["disable-features"].split(","))
    assert set(CONFIG.DISABLED_FEATURES) <= running
    assert {"HttpsUpgrades", "ThirdPartyStoragePartitioning"} <= running
