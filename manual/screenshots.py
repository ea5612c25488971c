"""One PNG per step: the on_step callback of the walkthrough, called on each step's screen before its action.

Deterministic by construction: the contexts have a fixed viewport and scale (playwright.config.py), the server's
clock is frozen, every shot is a full-page shot taken after the web fonts are ready, with animations stopped and the
caret hidden, and the values the server makes up anew each run are painted over with one fixed colour.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from pages.wording import Wording

OUTLINE_ATTRIBUTE = "data-manual-outline"
# The printed manual's red frame around what to click or fill in. Applied only for the shot (screenshot's `style`),
# to elements marked with OUTLINE_ATTRIBUTE, so the page under test never sees it.
OUTLINE_CSS = f"[{OUTLINE_ATTRIBUTE}] {{ outline: 3px solid #e60012 !important; outline-offset: 3px !important; }}"
MASK_COLOUR = "#9e9e9e"

# Values made up anew on every run. The certificate's one-time import password (I-3.8, II-1.8) is an <output> named
# by wording; its serial number is the definition (<dd>) of the term シリアル番号 in the same screen's facts list.
IMPORT_PASSWORD = ("status", "enrollment.import_password")
SERIAL_TERM = ("enrollment.serial_number", "シリアル番号")  # wording key, and the screen's text while it has none


class StepCamera:
    """Calls itself with (step, page): outlines the step's elements, masks generated values, saves <ID>.png."""

    def __init__(self, out_dir: Path, resolve: Callable[[object, object], Iterable], *, outline: bool = True,
                 wording: Wording | None = None):
        self.out_dir = out_dir
        self.resolve = resolve  # (step, page) -> the Locators of the step's acts_on
        self.outline = outline
        self.wording = wording or Wording.load()
        out_dir.mkdir(parents=True, exist_ok=True)

    def path(self, step_id: str) -> Path:
        return self.out_dir / f"{step_id}.png"

    def masks(self, page) -> list:
        role, key = IMPORT_PASSWORD
        serial_term = page.get_by_role("term").filter(has_text=self.wording.get(*SERIAL_TERM))
        return [page.get_by_role(role, name=self.wording[key], exact=True),
                serial_term.locator("xpath=following-sibling::dd[1]")]

    def __call__(self, step, page) -> Path:
        marked = list(self.resolve(step, page)) if self.outline else []
        for locator in marked:
            locator.evaluate(f"e => e.setAttribute('{OUTLINE_ATTRIBUTE}', '')")
        try:
            page.evaluate("document.fonts.ready.then(() => true)")
            page.screenshot(path=self.path(step.id), full_page=True, animations="disabled", caret="hide",
                            style=OUTLINE_CSS, mask=self.masks(page), mask_color=MASK_COLOUR)
        finally:
            for locator in marked:
                locator.evaluate(f"e => e.removeAttribute('{OUTLINE_ATTRIBUTE}')")
        return self.path(step.id)
