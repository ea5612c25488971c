"""A vendor's skin: templates of another markup in front of the refserver's own (IBCERT_TEMPLATE_FOLDER).

The refserver's behaviour stays; what a screen looks like comes from the skin's template of the same name where it
has one, else from the refserver's. A skin's template may extend the refserver's under the prefix "refserver/"
(`{% extends "refserver/base.html" %}`), so that it states only what differs. vendors/reskin is one: a differently
built server the browser suite must drive with no more than a wording file.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

REPO_ROOT = Path(__file__).resolve().parent.parent


def install(app: Flask) -> None:
    folder = app.config.get("TEMPLATE_FOLDER")
    if not folder:
        return
    path = REPO_ROOT / folder  # an absolute folder stays as it is
    if not path.is_dir():
        raise RuntimeError(f"IBCERT_TEMPLATE_FOLDER {folder!r}: no such folder")
    own = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([FileSystemLoader(path), own, PrefixLoader({"refserver": own})])
