"""One PNG per step: the on_step callback of the walkthrough, called on each step's screen before its action.

Deterministic by construction: the contexts have a fixed viewport and scale (playwright.config.py), the server's
clock is frozen, every shot shows the whole page once its fonts are in and its layout has settled, with animations
stopped and the caret hidden, and the values the server makes up anew each run are painted over in one colour.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from pages.wording import Wording

OUTLINE_ATTRIBUTE = "data-manual-outline"
OUTLINE = {"colour": "#e60012", "width": 3, "offset": 3}  # px
# The printed manual's red frame around what to click or fill in. Drawn as boxes of their own on whole pixels, not
# as CSS outlines: an outline follows the element's rounded corners, and Chromium anti-aliases a rounded corner
# differently the first time it paints it, which would make the shots differ from run to run.
DRAW_OUTLINE = """(e, o) => {
  const r = e.getBoundingClientRect();
  let fixed = false;
  for (let a = e; a && !fixed; a = a.parentElement) fixed = getComputedStyle(a).position === "fixed";
  const dx = fixed ? 0 : scrollX, dy = fixed ? 0 : scrollY, pad = o.offset + o.width;
  const left = Math.round(r.left + dx) - pad, top = Math.round(r.top + dy) - pad;
  const box = document.createElement("div");
  box.setAttribute(o.attribute, "");
  Object.assign(box.style, {
    position: fixed ? "fixed" : "absolute", left: left + "px", top: top + "px", boxSizing: "border-box",
    width: Math.round(r.right + dx) + pad - left + "px", height: Math.round(r.bottom + dy) + pad - top + "px",
    border: o.width + "px solid " + o.colour, pointerEvents: "none", zIndex: "2147483647", margin: "0",
  });
  document.body.appendChild(box);
}"""
REMOVE_OUTLINES = f"() => document.querySelectorAll('[{OUTLINE_ATTRIBUTE}]').forEach(e => e.remove())"
# The page's height once its web fonts are in (reading it forces layout: it is the height the shot will have).
SETTLED_HEIGHT = """() => document.fonts.ready
  .then(() => Math.max(document.documentElement.scrollHeight, document.body.scrollHeight))"""
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

    @staticmethod
    def draw_outlines(locators: list, step) -> None:
        """Outline every element of `locators` in one round trip; each must be on the screen, as the catalog says."""
        if not locators:
            return
        any_of = locators[0]
        for locator in locators[1:]:
            any_of = any_of.or_(locator)
        drawn = any_of.evaluate_all(f"(es, o) => {{ es.forEach(e => ({DRAW_OUTLINE})(e, o)); return es.length; }}",
                                    {**OUTLINE, "attribute": OUTLINE_ATTRIBUTE})
        if drawn < len(locators):
            missing = [str(locator) for locator in locators if not locator.count()]
            raise AssertionError(f"step {step.id}: the screen lacks what the step acts on: {', '.join(missing)}")

    def __call__(self, step, page) -> Path:
        """Shoot the page as it is, outlines drawn for the shot only. A page taller than the viewport is shot
        whole by growing the viewport to its height (measured here, after layout has settled) for the shot."""
        # The walk moves on once a screen's document is parsed; its stylesheet may still be on the way, and where
        # the outlines go and how tall the page is are known only once it is in.
        page.wait_for_load_state("load")
        viewport = page.viewport_size
        height = page.evaluate(SETTLED_HEIGHT)
        grown = height > viewport["height"]
        try:
            if grown:
                page.set_viewport_size({"width": viewport["width"], "height": height})
            if self.outline:  # after growing: a dialog's place depends on the viewport's height
                self.draw_outlines(list(self.resolve(step, page)), step)
            page.screenshot(path=self.path(step.id), animations="disabled", caret="hide", mask=self.masks(page),
                            mask_color=MASK_COLOUR)
        finally:
            if self.outline:
                page.evaluate(REMOVE_OUTLINES)
            if grown:
                page.set_viewport_size(viewport)
        return self.path(step.id)
