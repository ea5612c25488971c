"""Browser and run settings of the ibcert browser suite: the one place to change them.

Read by e2e/conftest.py (pytest-playwright's launch/context fixtures and the --output default) and by any other job
that drives the page objects (e.g. the documentation job), through ``pages.settings.load()``. Plain Python so that
executable discovery can live here too; the file name keeps the familiar Playwright spelling, so it is loaded by path,
not imported.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# -- browser --------------------------------------------------------------------------------------------------------
BROWSER = "chromium"

# Variables that may name the Chromium executable, first wins.
EXECUTABLE_ENV = ("IBCERT_CHROMIUM", "PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH")
# Headless runs take Chromium's headless shell where there is one, as Playwright itself does: the same engine
# (same pixels, same TLS) without the browser's own windows and UI, at half the CPU per screen.
SYSTEM_HEADLESS_SHELLS = ("/usr/lib/chromium/chromium-headless-shell", "chromium-headless-shell", "chrome-headless-shell")
# System Chromium builds tried after Playwright's own download.
SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome-stable", "google-chrome")

# Running as root in a container without network: no sandbox, nothing phoning home.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium features switched off besides Playwright's own list (pages.settings.launch_args merges the two: Chromium
# takes only the last --disable-features it is given). RenderDocument makes a new renderer-side document for every
# navigation; off, a page load costs about 40 % less CPU here (bench/navigation.py), with the same pages and pixels.
# Playwright itself ran with it off from 1.57 to 1.61 (microsoft/playwright#37715, #41303).
DISABLED_FEATURES = ("RenderDocument",)

# -- remote browsers -----------------------------------------------------------------------------------------------
# A Playwright browser server (`playwright run-server`) that the suite and the documentation job take their browsers
# from instead of launching them here: `--connect ws://host:port/`, or this variable.
CONNECT_ENV = "IBCERT_CONNECT"
# The Chromium executable on the browser server's machine; unset, the server launches its own Playwright browser.
# The server only takes an executable path and launch args from its clients when started with --unsafe.
REMOTE_EXECUTABLE_ENV = "IBCERT_REMOTE_CHROMIUM"

# -- contexts (one per PC) ------------------------------------------------------------------------------------------
VIEWPORT = {"width": 1280, "height": 800}
DEVICE_SCALE_FACTOR = 1
LOCALE = "ja-JP"
TIMEZONE = "Asia/Tokyo"

# -- timeouts (milliseconds) ----------------------------------------------------------------------------------------
ACTION_TIMEOUT = 10_000  # clicks, fills, expect(...) assertions
NAVIGATION_TIMEOUT = 20_000
SERVER_START_TIMEOUT = 30  # seconds, embedded reference server

# -- artifacts ------------------------------------------------------------------------------------------------------
OUTPUT_DIR = ROOT / "out" / "test-results"  # pytest-playwright --output default (traces, videos, screenshots)
CONFORMANCE_DIR = ROOT / "out" / "conformance"  # per-step report of the e2e run

# -- accessibility --------------------------------------------------------------------------------------------------
# Every screen the suite visits is checked with axe-core; the documentation job may switch it off (IBCERT_AXE=0).
AXE_ENABLED = os.environ.get("IBCERT_AXE", "1") not in ("0", "false", "no", "off")
AXE_IMPACTS = ("serious", "critical")  # violations of these impacts fail the test


class BrowserNotFound(RuntimeError):
    pass


# Where `playwright install` puts each browser, under its folder <name with _>-<revision>.
_BUNDLED = {
    "chromium": ("chrome-linux64/chrome", "chrome-linux/chrome", "chrome-mac/Chromium.app/Contents/MacOS/Chromium",
                 "chrome-win64/chrome.exe", "chrome-win/chrome.exe"),
    "chromium-headless-shell": ("chrome-headless-shell-linux64/chrome-headless-shell", "chrome-linux/headless_shell",
                                "chrome-headless-shell-mac-x64/chrome-headless-shell",
                                "chrome-headless-shell-mac-arm64/chrome-headless-shell",
                                "chrome-headless-shell-win64/chrome-headless-shell.exe"),
}


def _playwright_folder(name: str) -> Path | None:
    """The folder where `playwright install` puts browser or tool `name` (whether it is there or not).

    Worked out from the driver's browsers.json and PLAYWRIGHT_BROWSERS_PATH, without starting a driver (starting a
    second one from inside a running one is not allowed)."""
    try:
        import json

        import playwright as pw_package
    except ImportError:
        return None
    manifest = Path(pw_package.__file__).parent / "driver" / "package" / "browsers.json"
    try:
        browsers = json.loads(manifest.read_text())["browsers"]
        revision = next(b["revision"] for b in browsers if b["name"] == name)
    except (OSError, ValueError, KeyError, StopIteration):
        return None
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or "~/.cache/ms-playwright"
    if root == "0":
        root = str(Path(pw_package.__file__).parent / "driver" / "package" / ".local-browsers")
    return Path(root).expanduser() / f"{name.replace('-', '_')}-{revision}"


def _playwright_bundled(name: str) -> str | None:
    """Playwright's own download of browser `name` (see _BUNDLED), if `playwright install` has put it in place."""
    folder = _playwright_folder(name)
    if folder is None:
        return None
    return next((str(folder / relative) for relative in _BUNDLED[name] if (folder / relative).is_file()), None)


# -- video (pytest-playwright's --video) ---------------------------------------------------------------------------
# Playwright records with an ffmpeg of its own, which `playwright install ffmpeg` downloads; where that download is
# unreachable, ./ibcert installs the system's (Debian's ffmpeg) and links it where Playwright looks for its own.
FFMPEG = {"linux": "ffmpeg-linux", "darwin": "ffmpeg-mac", "win32": "ffmpeg-win64.exe"}


def ffmpeg_slot() -> Path | None:
    """Where Playwright runs its ffmpeg from; None where that cannot be worked out."""
    folder = _playwright_folder("ffmpeg")
    name = FFMPEG.get(sys.platform)
    return folder / name if folder is not None and name else None


def link_system_ffmpeg() -> bool:
    """Link the system's ffmpeg into Playwright's slot (see FFMPEG), unless there is one there: True once there is."""
    slot, system = ffmpeg_slot(), shutil.which("ffmpeg")
    if slot is None:
        return False
    if not slot.exists() and system:
        slot.parent.mkdir(parents=True, exist_ok=True)
        slot.unlink(missing_ok=True)  # a link whose target is gone
        slot.symlink_to(system)
    return slot.exists()


def _on_path(candidates) -> str | None:
    return next((path for path in map(shutil.which, candidates) if path), None)


def find_headless_shell() -> str | None:
    """Chromium's headless shell: Playwright's download, else a system one."""
    return _playwright_bundled("chromium-headless-shell") or _on_path(SYSTEM_HEADLESS_SHELLS)


def find_chromium(*, headless: bool = True) -> str:
    """The Chromium executable to drive: named by env; else, for a headless run, a headless shell; else Playwright's
    bundled Chromium, else a system Chromium."""
    for variable in EXECUTABLE_ENV:
        value = os.environ.get(variable)
        if value:
            path = shutil.which(value) or value
            if not Path(path).is_file():
                raise BrowserNotFound(f"{variable}={value!r} does not name an existing executable.")
            return path
    found = (headless and find_headless_shell()) or _playwright_bundled("chromium") or _on_path(SYSTEM_CHROMIUMS)
    if found:
        return found
    raise BrowserNotFound(
        "No Chromium found. Either run `.venv/bin/python -m playwright install chromium chromium-headless-shell` "
        "(needs network access), install a system Chromium (Debian/Ubuntu: `apt-get install chromium "
        "chromium-headless-shell`), or point IBCERT_CHROMIUM at a Chromium/Chrome executable."
    )


def remote_chromium() -> str | None:
    """The executable the browser server is asked to launch (REMOTE_EXECUTABLE_ENV): a path on its machine, so not
    looked up here."""
    return os.environ.get(REMOTE_EXECUTABLE_ENV) or None


chromium_executable = find_chromium  # the name ./ibcert setup asks for
