"""The messages the suites check, in the words of spec/wording.toml's [messages]: the manual quotes none of them, so
the wording file names the refserver's (and a vendor's wording file its own), and the tests read them from there.

This module imports nothing of the refserver but the skin's words: the modules below web.py (auth, issuance) word
their refusals with it.
"""

from __future__ import annotations

from .skin import wording


def message(key: str, **values) -> str:
    """The message `key` of [messages], its {placeholders} filled with `values`."""
    return wording().format(f"messages.{key}", **values)
