"""The documentation job for real: `python -m manual build` gives a shot per step and the planned PDF (the drift
check is tested in tests/test_manual.py).

Run as the command a documentation team runs (a subprocess: its own server, browser and Playwright driver, apart from
this test process's). That two builds give byte-identical shots is measured by bench/manual_build.py (every run's
PNGs hashed), which builds several times anyway; here one build keeps the suite within its minute.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from manual import document, render

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.docs


def manual_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "manual", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def shot_hashes(out: Path) -> dict[str, str]:
    return {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "steps").glob("*.png")}


def test_build_gives_every_shot_and_the_planned_pdf(tmp_path):
    manual = document.load()
    first = tmp_path / "manual"
    run = manual_command("build", "--out", str(first))
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((first / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] and [s["status"] for s in report["steps"]] == ["passed"] * len(manual.shots)  # 37 + 付録

    hashes = shot_hashes(first)
    assert sorted(hashes) == sorted(s.id for s in manual.shots)

    pdf = first / "manual.pdf"
    assert "A4" in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    plan, pages = render.plan_pages(manual), render.pdf_page_texts(pdf)
    assert len(pages) == len(plan)
    assert all(marker in text for page, text in zip(plan, pages) for marker in page.markers)
