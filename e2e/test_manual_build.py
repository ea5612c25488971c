"""The documentation job for real: `python -m manual build` twice, then `check` against the first set.

Run as the command a documentation team runs (a subprocess: its own server, browser and Playwright driver, apart from
this test process's).
"""

from __future__ import annotations

import hashlib
import json
import re
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


def test_two_builds_give_identical_shots_the_planned_pdf_and_no_drift(tmp_path):
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

    info = subprocess.run(["pdfinfo", str(first / "manual.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1) == str(len(render.plan_pages(manual)))

    check = manual_command("check", "--against", str(second))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no drift" in check.stdout
    assert shot_hashes(second) == hashes
