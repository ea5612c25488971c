"""The whole quick-start manual: 管理者編 on the admin's PC, then 利用者編 on the user's PC (all 37 steps), walked
the way the documentation job walks it — each step's screen shot, the 付録 after it, the manual printed.

One walk for both: the suite's one test that goes through every screen by the UI, and the proof that the
documentation job gives a shot per step and the planned PDF. The job's own process (`python -m manual build`: its
frozen-clock server and browser) is measured by bench/manual_build.py, which also checks that two builds give
byte-identical shots; its options and drift check are tested in tests/test_manual.py.
"""

import shutil
import subprocess

import pytest

import spec
from spec import Wording
from manual import document, render
from manual.build import SHOT_CONTEXT, Desk, document_walk
from manual.report import Report

from .conformance import recorder_for


@pytest.mark.walkthrough
@pytest.mark.docs
@pytest.mark.clock  # the 付録's renewal notice (A-1) is shot with the clock in the renewal window
def test_walkthrough_admin_then_user_on_two_pcs(request, browser, workstation, contract, operator, arrange, wording,
                                                report_shots, tmp_path):
    """I-1.1 … II-2.6 in order; every step's screen is the one the manual names and is shot; the manual prints, a
    step a page (legibly, where the screens are the manual's own)."""
    if arrange.capabilities.get("clock"):
        request.getfixturevalue("server_clock")  # the 付録 moves it to the renewal window; put back afterwards
    manual = document.load()
    # PCs of the suite (traces, axe) in contexts as the documentation job makes them for its shots
    admin_pc, user_pc, staff_pc = (workstation(name, context=SHOT_CONTEXT) for name in ("管理者PC", "利用者PC", "当金庫の端末"))
    report = Report.for_steps(manual.shots)
    walk = document_walk(tmp_path, manual, wording, Desk(browser, operator, contract, admin_pc, user_pc, staff_pc),
                         report, recorder=recorder_for(request.node))
    assert report.ok, report.summary()
    assert walk.steps == list(spec.STEP_IDS)
    assert admin_pc.certificates == [walk.admin_certificate]
    assert user_pc.certificates == [walk.user_certificate]

    shots = sorted(p.stem for p in (tmp_path / render.STEPS_DIR).glob("*.png"))
    assert shots == sorted(s.id for s in manual.shots)  # 37 + 付録
    if report_shots is not None:  # the screen of each step, in the conformance report
        shutil.copytree(tmp_path / render.STEPS_DIR, report_shots, dirs_exist_ok=True)
    pdf = tmp_path / "manual.pdf"
    assert "A4" in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    plan, pages = render.plan_pages(manual), render.pdf_page_texts(pdf)
    assert len(pages) == len(plan)
    assert all(marker in text for page, text in zip(plan, pages) for marker in page.markers)
    # each of the 37 steps' shots is in the print; legible on paper, for the manual's own screens: placed so that
    # their 16 px text prints at 8 pt or more (a vendor's taller screen is scaled to fit its page, and prints smaller)
    step_pages = {number for number, page in enumerate(plan, start=1) if set(page.markers) <= set(spec.STEP_IDS)}
    placed = [(number, ppi) for number, ppi in render.pdf_image_ppi(pdf) if number in step_pages]
    assert sorted({number for number, _ in placed}) == sorted(step_pages)
    if wording.sources == Wording.manual().sources:
        assert all(ppi <= render.PRINT_PPI for _, ppi in placed), [p for p in placed if p[1] > render.PRINT_PPI]
