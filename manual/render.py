"""Render the manual as HTML (a folder: manual.html beside steps/<ID>.png) and print it to PDF with Chromium.

The pages are planned here rather than left to the browser's flow, so the PDF's page count and what each page holds
are known in advance: the tests hold the PDF to this plan, and a screen that grows enough to push a step onto an
extra page shows up as a failed check instead of a silently reflowed manual.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import jinja2

from manual.document import Manual, Part, Section, Step

TEMPLATES = Path(__file__).resolve().parent / "templates"
STEPS_PER_PAGE = 4  # two rows of two: room left on every page for the longest notes of the manual
STEPS_DIR = "steps"


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


def shot_name(step_id: str) -> str:
    return f"{step_id}.png"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_template(name: str, out: Path, **context) -> Path:
    out.write_text(_environment().get_template(name).render(**context), encoding="utf-8")
    return out


def render_html(manual: Manual, out_dir: Path) -> Path:
    """Write out_dir/manual.html; its images are out_dir/steps/<ID>.png, referenced relatively so the folder can
    be moved or zipped as it is."""
    return render_template("manual.html.j2", out_dir / "manual.html", manual=manual, doc=manual.doc,
                           pages=plan_pages(manual), steps_dir=STEPS_DIR, shot_name=shot_name)


def print_pdf(browser, html: Path, pdf: Path) -> Path:
    """Print the HTML with Chromium, the way a person would from the browser's print dialog (A4, backgrounds on),
    with a page-number footer."""
    page = browser.new_page()
    try:
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True,
                 display_header_footer=True, header_template="<span></span>",
                 footer_template='<div style="width:100%;text-align:center;font-size:8px;color:#555">'
                                 '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    finally:
        page.close()
    return pdf


def pdf_page_texts(pdf: Path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext), to hold a printed manual to its plan."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed
