"""A vendor's skin: another server's screens in front of the refserver's behaviour (IBCERT_SKIN).

A skin is a folder: templates/ of another markup, found before the refserver's own, and wording.toml, the words its
screens use where they differ from the manual's (spec/wording.toml's keys, as a vendor's wording file for the suite
has them). A skin's template may extend the refserver's under the prefix "refserver/"
(`{% extends "refserver/base.html" %}`), so that it states only what differs. vendors/reskin is one: a differently
built server the browser suite must drive with no more than that wording file.

Without a skin the screens have the manual's words. Either way the app's words are app.extensions[WORDING]: the
views, the messages and the templates (`w`) all read them from there.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_app_context
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

import spec

REPO_ROOT = Path(__file__).resolve().parent.parent
WORDING = "ibcert.wording"


def install(app: Flask) -> None:
    folder = app.config.get("SKIN")
    wording = spec.Wording.manual()
    if folder:
        path = REPO_ROOT / folder  # an absolute folder stays as it is
        if not (path / "templates").is_dir():
            raise RuntimeError(f"IBCERT_SKIN {folder!r}: no templates/ folder there")
        own = app.jinja_env.loader
        app.jinja_env.loader = ChoiceLoader([FileSystemLoader(path / "templates"), own,
                                             PrefixLoader({"refserver": own})])
        if (path / "wording.toml").is_file():
            wording = spec.Wording.load(path / "wording.toml")
    app.extensions[WORDING] = wording
    app.jinja_env.globals["w"] = wording.data


def wording() -> spec.Wording:
    """The words of the screens of the app serving this request; the manual's outside an app (a module's constant
    message, composed at import)."""
    return current_app.extensions[WORDING] if has_app_context() else spec.Wording.manual()
