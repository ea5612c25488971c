"""Access to playwright.config.py (the one place for browser and run settings) and what follows from it."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "playwright.config.py"


@lru_cache(maxsize=None)
def load(path: str | os.PathLike = CONFIG_PATH) -> ModuleType:
    spec = importlib.util.spec_from_file_location("ibcert_playwright_config", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def context_args() -> dict:
    """Arguments of browser.new_context() every PC gets (viewport, locale, time zone)."""
    config = load()
    return {
        "viewport": dict(config.VIEWPORT),
        "device_scale_factor": config.DEVICE_SCALE_FACTOR,
        "locale": config.LOCALE,
        "timezone_id": config.TIMEZONE,
    }


def trust_home(ca_pem: str | os.PathLike, folder: str | os.PathLike) -> Path:
    """A HOME folder whose NSS database (~/.pki/nssdb) trusts `ca_pem` for TLS servers.

    Chromium on Linux reads user-added roots from $HOME/.pki/nssdb, so launching it with HOME=<this folder> makes it
    verify our servers without ignoring certificate errors (a server from another CA is still refused).
    """
    home = Path(folder)
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True, exist_ok=True)
    database = f"sql:{nssdb}"
    try:
        if not (nssdb / "cert9.db").exists():
            subprocess.run(["certutil", "-d", database, "-N", "--empty-password"], check=True, capture_output=True)
        subprocess.run(["certutil", "-d", database, "-A", "-t", "C,,", "-n", "ibcert-dev-root", "-i", str(ca_pem)],
                       check=True, capture_output=True)
    except FileNotFoundError:
        raise RuntimeError("certutil not found: install libnss3-tools (Debian/Ubuntu) / nss-tools so that Chromium "
                           "can be told to trust the test CA") from None
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"certutil failed: {error.stderr.decode(errors='replace')}") from None
    return home


@lru_cache(maxsize=None)
def playwright_disabled_features() -> tuple[str, ...]:
    """The Chromium features Playwright's driver switches off itself (its --disable-features), read from the driver
    installed; () where they cannot be read.

    Playwright offers no option to add to that list, and Chromium honours only the last --disable-features on its
    command line: a flag of ours alone would switch Playwright's features back on."""
    import playwright

    bundle = Path(playwright.__file__).parent / "driver" / "package" / "lib" / "coreBundle.js"
    try:
        source = bundle.read_text(encoding="utf-8")
        start = source.index("disabledFeatures = [")
        listing = source[start:source.index("]", start)]
    except (OSError, ValueError):
        return ()
    return tuple(re.findall(r'"([A-Za-z0-9]+)"', re.sub(r"//[^\n]*", "", listing)))


def disable_features_arg(extra: tuple[str, ...]) -> list[str]:
    """One --disable-features with Playwright's features and `extra`; none where Playwright's cannot be read (the
    browser is then slower, never configured otherwise than Playwright means it to be)."""
    own = playwright_disabled_features()
    if not extra or not own:
        return []
    return ["--disable-features=" + ",".join(dict.fromkeys([*own, *extra]))]


def launch_args(executable: str | None, *, home: str | os.PathLike | None = None, **base) -> dict:
    """Arguments of browser_type.launch(): `base` (e.g. pytest-playwright's own, or extra `args`) plus `executable`,
    our launch args and, with `home` (see trust_home), a Chromium that trusts the CA installed there."""
    config = load()
    options: dict = {"headless": True, **base,
                     "args": [*config.LAUNCH_ARGS, *disable_features_arg(config.DISABLED_FEATURES),
                              *base.get("args", [])]}
    if executable:
        options["executable_path"] = executable
    if home is not None:
        options["env"] = {**os.environ, "HOME": str(home)}
    return options


def connect_options(endpoint: str, launch: dict) -> dict:
    """Arguments of browser_type.connect() to the Playwright browser server at `endpoint` (`playwright run-server`),
    asking it to launch its browser with `launch` (launch_args() without `home`).

    The server reads launch options from the x-playwright-launch-options header, spelt as in Playwright's JavaScript
    API (executablePath, slowMo); it drops executablePath and args unless started with --unsafe, and takes no env:
    its browser runs in the server's own environment, where HOME's NSS database and NODE_EXTRA_CA_CERTS (for its
    client-certificate proxy) must trust the bank's CA (README, "Use remote browsers")."""
    options = {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key): value
               for key, value in launch.items() if key != "env"}
    return {"endpoint": endpoint, "headers": {"x-playwright-launch-options": json.dumps(options)}}


@contextmanager
def node_trusts(ca_pem: str | os.PathLike) -> Iterator[None]:
    """While open, a Playwright driver started then trusts `ca_pem`: its client-certificate proxy runs in Node, which
    reads NODE_EXTRA_CA_CERTS once, at start."""
    saved = os.environ.get("NODE_EXTRA_CA_CERTS")
    os.environ["NODE_EXTRA_CA_CERTS"] = str(Path(ca_pem).resolve())
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("NODE_EXTRA_CA_CERTS", None)
        else:
            os.environ["NODE_EXTRA_CA_CERTS"] = saved
