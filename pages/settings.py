"""Access to playwright.config.py (the one place for browser and run settings) and what follows from it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from functools import lru_cache
from pathlib import Path
from types import ModuleType

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


def launch_args(executable: str, *, headless: bool = True, home: str | os.PathLike | None = None) -> dict:
    """Arguments of browser_type.launch() for `executable`, trusting the CA installed in `home` (see trust_home)."""
    config = load()
    options: dict = {"executable_path": executable, "args": list(config.LAUNCH_ARGS), "headless": headless}
    if home is not None:
        options["env"] = {**os.environ, "HOME": str(home)}
    return options
