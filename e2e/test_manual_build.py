"""The documentation job for real: `python -m manual build` twice gives the same shots, the planned PDF, no drift.

Run as the command a documentation team runs (a subprocess: its own server, browser and Playwright driver, apart from
this test process's).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from manual import document, drift, render

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.docs


def manual_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "manual", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def shot_hashes(out: Path) -> dict[str, str]:
    return {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "steps").glob("*.png")}


def test_two_builds_give_identical_shots_and_the_planned_pdf(tmp_path):
    manual = document.load()
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        run = manual_command("build", "--out", str(out))
        assert run.returncode == 0, run.stdout + run.stderr
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert report["ok"] and [s["status"] for s in report["steps"]] == ["passed"] * 37

    hashes = shot_hashes(first)
    assert sorted(hashes) == sorted(s.id for s in manual.steps)
    assert shot_hashes(second) == hashes

    plan, pages = render.plan_pages(manual), render.pdf_page_texts(first / "manual.pdf")
    assert len(pages) == len(plan)
    assert all(marker in text for page, text in zip(plan, pages) for marker in page.markers)

    no_drift = drift.sync(second, first, render.STEPS_DIR, "manual.html", "manual.pdf")
    assert not no_drift.drifted and len(no_drift.unchanged) == 37
