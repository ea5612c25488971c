"""One PNG per step: the on_step callback of the walkthrough, called on each step's screen before its action.

Deterministic by construction: the contexts have a fixed viewport and scale (playwright.config.py), the server's
clock is frozen, every shot shows the whole page once its stylesheet and fonts are in, with animations stopped and
the caret hidden, and the values the server makes up anew each run are painted over in one colour.

What the shot adds to the page (frames, masks, the stopping style) is put in just before the capture and taken out
right after, in one round trip each: the shots are a quarter of the job's time.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Callable, Iterable

from pages.base import any_of
from spec import Wording

MARK = "data-manual-shot"  # on everything the shot adds, to take it out again
# The printed manual's red frame around what to click or fill in, and the grey over generated values. Drawn as boxes
# of their own on whole pixels (the measured boxes come rounded), not as CSS outlines: an outline follows the
# element's rounded corners, and Chromium anti-aliases a rounded corner differently the first time it paints it,
# which made shots differ between runs.
OUTLINE = {"border": "3px solid #e60012", "pad": 6, "fill": "transparent"}  # pad = outline-offset + width, px
MASK = {"border": "none", "pad": 0, "fill": "#9e9e9e"}
# The legend's letter beside a field a note names by it (I-2.3's イ ロ ハ, II-1.3's A ニ ホ ヘ), as the printed
# manual's legend marks its letters: a red badge left of the field.
LETTER = {"border": "none", "pad": 0, "fill": "#e60012", "size": 22, "gap": 8}
CROP_MARGIN = 16  # px kept around the content a shot is cropped to (see StepCamera.crop)
STILL_CSS = ("*, *::before, *::after { caret-color: transparent !important; animation: none !important;"
             " transition: none !important; }")
# The boxes come measured (see _boxes), so drawing needs no lookup in the page's own JavaScript world. Fixed to the
# viewport, which is what the shot shows: the page cannot scroll then, as it is never taller.
DRAW = """(shapes) => { for (const [b, o] of shapes) {
  const box = document.createElement("div");
  box.setAttribute(o.mark, "");
  Object.assign(box.style, {
    position: "fixed", left: b.x - o.pad + "px", top: b.y - o.pad + "px", boxSizing: "border-box", margin: "0",
    width: b.width + 2 * o.pad + "px", height: b.height + 2 * o.pad + "px",
    border: o.border, background: o.fill, pointerEvents: "none", zIndex: "2147483647",
  });
  if (o.text) {
    box.textContent = o.text;
    Object.assign(box.style, {color: "#fff", font: "bold 14px/1 sans-serif", display: "flex",
                              alignItems: "center", justifyContent: "center", borderRadius: "3px"});
  }
  document.body.appendChild(box);
} }"""
# Stops the page (style), returns its height once fonts are in (reading it forces layout: the height the shot has).
STILL = f"""css => {{
  const style = document.createElement("style");
  style.setAttribute("{MARK}", "");
  style.textContent = css;
  document.head.appendChild(style);
  return document.fonts.ready.then(() => Math.max(document.documentElement.scrollHeight, document.body.scrollHeight));
}}"""
CLEAN_UP = f"() => document.querySelectorAll('[{MARK}]').forEach(e => e.remove())"

# Values made up anew on every run. The certificate's one-time import password (I-3.8, II-1.8) is an <output> named
# by wording; its serial number is the definition (<dd>) of the term シリアル番号 in the same screen's facts list.
IMPORT_PASSWORD = ("status", "enrollment.import_password")
SERIAL_TERM = "enrollment.serial_number"
# Serial numbers in a table's cells (the back office's ご契約の状況, 付録 A-3): 40 hex digits made at random.
SERIAL_CELL = re.compile(r"\b[0-9a-f]{16,}\b")


# Locator.aria_snapshot(boxes=True) writes each node's box as "[box=x,y,width,height]": viewport CSS pixels, rounded
# (getBoundingClientRect). It runs in Playwright's utility world, which every screen has loaded already for the
# walk's own lookups; Locator.bounding_box() would load Playwright's selector engine into the page's main world too,
# some 20 ms more per screen.
_BOX = re.compile(r"\[box=(-?\d+),(-?\d+),(\d+),(\d+)\]")


def _boxes(locator) -> list[dict]:
    """Where the shown elements of `locator` are, in viewport pixels (elements outside the accessibility tree, e.g.
    hidden ones, have none)."""
    boxes = []
    for element in locator.all():
        first_line = element.aria_snapshot(boxes=True, depth=0).partition("\n")[0]
        if found := _BOX.search(first_line):
            x, y, width, height = map(int, found.groups())
            boxes.append({"x": x, "y": y, "width": width, "height": height})
    return boxes


class StepCamera:
    """Calls itself with (step, page): outlines the step's elements, masks generated values, saves <ID>.png."""

    def __init__(self, out_dir: Path, resolve: Callable[[object, object], Iterable], *, outline: bool = True,
                 wording: Wording | None = None):
        self.out_dir = out_dir
        self.resolve = resolve  # (step, page) -> the Locators of the step's acts_on
        self.outline = outline
        self.wording = wording or Wording.load()
        self._devtools: dict = {}  # page -> its CDP session
        out_dir.mkdir(parents=True, exist_ok=True)

    def path(self, step_id: str) -> Path:
        return self.out_dir / f"{step_id}.png"

    def masks(self, page):
        role, key = IMPORT_PASSWORD
        serial_term = page.get_by_role("term").filter(has_text=self.wording[SERIAL_TERM])
        return any_of([page.get_by_role(role, name=self.wording[key], exact=True),
                        serial_term.locator("xpath=following-sibling::dd[1]"),
                        page.get_by_role("cell").filter(has_text=SERIAL_CELL)])

    def outlines(self, step, page) -> list[dict]:
        """The boxes of what the step acts on; each must be on the screen, as the catalog says."""
        boxes, missing = [], []
        for locator in self.resolve(step, page):
            found = _boxes(locator)
            boxes += found
            if not found:
                missing.append(str(locator))
        if missing:
            raise AssertionError(f"step {step.id}: the screen lacks what the step acts on: {', '.join(missing)}")
        return boxes

    def letters(self, step, page) -> list[list[dict]]:
        """A badge with each of the step's legend letters, left of its field; each field must be on the screen."""
        shapes = []
        for letter, key in step.letters:
            found = _boxes(page.get_by_label(self.wording[key], exact=True))
            if not found:
                raise AssertionError(f"step {step.id}: the screen lacks the field {self.wording[key]!r} of {letter}")
            field, size = found[0], LETTER["size"]
            badge = {"x": field["x"] - size - LETTER["gap"], "y": field["y"] + (field["height"] - size) // 2,
                     "width": size, "height": size}
            shapes.append([badge, {**LETTER, "mark": MARK, "text": letter}])
        return shapes

    @staticmethod
    def crop(page, drawn: list[dict]) -> dict | None:
        """The part of the viewport a shot keeps: from the top to the end of the screen's content, across the column
        of its main landmark — widened to take in any dialog and whatever is drawn (frames, masks) — plus a margin.
        The empty margins either side and below a short screen are a third of a 1280×800 viewport: cut, the
        printed shot is that much larger (see manual.render). None, the whole viewport, for a screen without a
        main landmark."""
        content = _boxes(page.get_by_role("main"))
        if not content:
            return None
        viewport = page.viewport_size
        kept = content + _boxes(page.get_by_role("dialog")) + drawn
        left = max(0, min(b["x"] for b in kept) - CROP_MARGIN)
        right = min(viewport["width"], max(b["x"] + b["width"] for b in kept) + CROP_MARGIN)
        footer = _boxes(page.get_by_role("contentinfo"))[-1:]  # its height only: it spans the viewport
        bottom = min(viewport["height"], max(b["y"] + b["height"] for b in kept + footer) + CROP_MARGIN)
        return {"x": left, "y": 0, "width": right - left, "height": bottom, "scale": 1}

    def capture(self, page, clip: dict | None = None) -> bytes:
        """A PNG of the viewport (or of its `clip`) straight from Chromium (Chromium only, as the suite is): a third
        faster than page.screenshot(), whose own stopping, masking and waiting this camera does itself."""
        if page not in self._devtools:
            self._devtools[page] = page.context.new_cdp_session(page)
        options = {"format": "png", "optimizeForSpeed": True, **({"clip": clip} if clip else {})}
        shot = self._devtools[page].send("Page.captureScreenshot", options)
        return base64.b64decode(shot["data"])

    def __call__(self, step, page) -> Path:
        """Shoot the page as it is. A page taller than the viewport is shot whole by growing the viewport to its
        height for the shot."""
        # The walk moves on once a screen's document is parsed; its stylesheet may still be on the way, and where
        # the outlines go and how tall the page is are known only once it is in.
        page.wait_for_load_state("load")
        viewport = page.viewport_size
        height = page.evaluate(STILL, STILL_CSS)
        grown = height > viewport["height"]
        try:
            if grown:
                page.set_viewport_size({"width": viewport["width"], "height": height})
            # after growing: a dialog's place depends on the viewport's height
            shapes = [[box, {**MASK, "mark": MARK}] for box in _boxes(self.masks(page))]
            if self.outline:
                shapes += [[box, {**OUTLINE, "mark": MARK}] for box in self.outlines(step, page)]
            shapes += self.letters(step, page)
            page.evaluate(DRAW, shapes)
            self.path(step.id).write_bytes(self.capture(page, self.crop(page, [box for box, _ in shapes])))
        finally:
            page.evaluate(CLEAN_UP)
            if grown:
                page.set_viewport_size(viewport)
        return self.path(step.id)
