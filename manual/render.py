"""Render the manual as HTML (a folder: manual.html beside steps/<ID>.png) and print it to PDF with Chromium.

The PDF is printed from the same template, with JPEG print copies of the shots (see print_copy).

The pages are planned here rather than left to the browser's flow, so the PDF's page count and what each page holds
are known in advance: the tests hold the PDF to this plan, and a screen that grows enough to push a step onto an
extra page shows up as a failed check instead of a silently reflowed manual.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

import jinja2
from PIL import Image

from manual.document import Manual, Part, Section, Step

TEMPLATES = Path(__file__).resolve().parent / "templates"
# A step a page, its shot printed at PRINT_PPI: the screens' 16 px body text prints at 8 pt (1 px = 72/144 pt), the
# least a customer can read on paper. Four to a page, the same text printed at 3 pt.
STEPS_PER_PAGE = 1
PRINT_PPI = 144
SHOT_MAX_MM = (186, 228)  # the most a shot may take of an A4 page (12 mm margins, room for headings and the step)
STEPS_DIR = "steps"
PRINT_ORIGIN = "http://manual.invalid"  # where the browser is shown the HTML it prints (see print_pdf)


@dataclass(frozen=True)
class Page:
    """One printed page: the front page (materials and legend) when `section` is None, else up to
    STEPS_PER_PAGE steps of one section."""

    part: Part | None = None
    section: Section | None = None
    steps: tuple[Step, ...] = ()
    opens_part: bool = False
    opens_section: bool = False
    closes_section: bool = False

    @property
    def markers(self) -> list[str]:
        """Text that shows this page is where the plan puts it: its steps' IDs, or the front page's legend."""
        return [step.id for step in self.steps] or ["使用する暗証番号について"]


def plan_pages(manual: Manual) -> list[Page]:
    pages = [Page(part=manual.parts[0])]
    for part in manual.parts:
        for section in part.sections:
            chunks = [section.steps[i:i + STEPS_PER_PAGE] for i in range(0, len(section.steps), STEPS_PER_PAGE)]
            for index, chunk in enumerate(chunks):
                pages.append(Page(
                    part=part, section=section, steps=chunk,
                    # Part I is opened by the front page; Part II by its first section's page.
                    opens_part=index == 0 and section is part.sections[0] and part is not manual.parts[0],
                    opens_section=index == 0, closes_section=index == len(chunks) - 1,
                ))
    return pages


def shot_src(step_id: str) -> str:
    """Where manual.html finds a step's shot: steps/<ID>.png beside it, so the folder can be moved as it is."""
    return f"{STEPS_DIR}/{step_id}.png"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_template(name: str, out: Path, **context) -> Path:
    out.write_text(_environment().get_template(name).render(**context), encoding="utf-8")
    return out


def placed_width(image: Path) -> str:
    """The printed width of a shot (CSS): its pixels at PRINT_PPI, scaled down only where the page is too small for
    it (a shot taller than SHOT_MAX_MM at PRINT_PPI prints smaller, as a whole); 100% for a shot not there."""
    if not image.is_file():
        return "100%"
    with Image.open(image) as shot:
        width, height = shot.size
    mm_per_px = 25.4 / PRINT_PPI
    scale = min(1.0, SHOT_MAX_MM[0] / (width * mm_per_px), SHOT_MAX_MM[1] / (height * mm_per_px))
    return f"{width * mm_per_px * scale:.2f}mm"


def render_html(manual: Manual, out: Path, src: Callable[[str], str] = shot_src) -> Path:
    """Write the manual to the file `out`, each step's image taken from src(step ID) (beside `out`), placed at
    PRINT_PPI (see placed_width)."""
    widths = {step.id: placed_width(out.parent / src(step.id)) for step in manual.shots}
    return render_template("manual.html.j2", out, manual=manual, doc=manual.doc, pages=plan_pages(manual), src=src,
                           widths=widths)


def print_copy(png: Path, jpeg: Path) -> Path:
    """A JPEG copy of a shot for the PDF (quality 95, no chroma subsampling: no visible loss at print size).

    Chromium puts a JPEG into the PDF as it is, but decodes and re-compresses every PNG: with PNGs the print took
    twice as long. The copies are made while the walk goes on (Pillow lets other threads run meanwhile)."""
    with Image.open(png) as image:
        image.convert("RGB").save(jpeg, quality=95, subsampling=0)
    return jpeg


def print_manual(browser, manual: Manual, copies: Path, pdf: Path) -> Path:
    """Print the manual to `pdf` from the print copies of its shots (copies/<ID>.jpg, see print_copy)."""
    return print_pdf(browser, render_html(manual, copies / "manual.html", src=lambda step_id: f"{step_id}.jpg"), pdf)


def print_pdf(browser, html: Path, pdf: Path) -> Path:
    """Print the HTML with Chromium, the way a person would from the browser's print dialog (A4, backgrounds on),
    with a page-number footer.

    The page and its images are handed to the browser from this process (page.route) rather than opened as
    file:// addresses, which a browser on another machine (--connect) could not read."""
    folder = html.resolve().parent
    page = browser.new_page()
    try:
        page.route(f"{PRINT_ORIGIN}/**", partial(_serve, folder))
        page.goto(f"{PRINT_ORIGIN}/{html.name}", wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True,
                 display_header_footer=True, header_template="<span></span>",
                 footer_template='<div style="width:100%;text-align:center;font-size:8px;color:#555">'
                                 '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    finally:
        page.close()
    return pdf


def _serve(folder: Path, route) -> None:
    """Answer the printing browser's request with the file of `folder` it names; a shot a failed walk did not take
    is missing, as an image of a file:// page would be."""
    file = folder / unquote(urlsplit(route.request.url).path[1:])
    if file.is_file():
        route.fulfill(path=file)
    else:
        route.fulfill(status=404)


def pdf_image_ppi(pdf: Path) -> list[tuple[int, int]]:
    """(page number, horizontal ppi) of each image placed in a PDF (poppler's pdfimages -list): at PRINT_PPI, a
    shot's 16 px text prints at 8 pt."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [(int(row[0]), int(row[12])) for row in (line.split() for line in listing.splitlines()[2:])]


def pdf_page_texts(pdf: Path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext), to hold a printed manual to its plan."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed
