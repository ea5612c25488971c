"""The run report of a build or check: per step ID its status and screenshot, plus the drift, as JSON and HTML.

It is the main job's report, so a failure must read on its own: which step, on which screen, what went wrong.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from manual.document import Step
from manual.drift import Drift
from manual.render import render_template

PASSED, FAILED, NOT_RUN, NOT_APPLICABLE = "passed", "failed", "not run", "not applicable"


@dataclass
class StepResult:
    id: str
    instruction: str
    status: str = NOT_RUN
    screenshot: str | None = None  # relative to the output folder
    error: str | None = None
    page: int | None = None  # where the printed manual has the step (its plan, manual.render.plan_pages)
    failed_screenshot: str | None = None  # what the PC showed when the step failed


@dataclass
class Report:
    results: list[StepResult]
    drift: Drift | None = None
    seconds: float | None = None
    error: str | None = None  # a failure outside the steps: server start, provisioning, browser, PDF
    about: dict[str, str] = field(default_factory=dict)  # what was built, when, from what: for whoever reads it

    @classmethod
    def for_steps(cls, steps: tuple[Step, ...], pages: dict[str, int] | None = None) -> "Report":
        return cls([StepResult(s.id, s.instruction, page=(pages or {}).get(s.id)) for s in steps])

    def __getitem__(self, step_id: str) -> StepResult:
        return next(r for r in self.results if r.id == step_id)

    def not_applicable(self, step_ids: list[str], why: str) -> None:
        """Shots the server cannot give (the 付録 of a server without the bank's back office): not a failure."""
        for step_id in step_ids:
            self[step_id].status, self[step_id].error = NOT_APPLICABLE, why

    @property
    def failed(self) -> list[StepResult]:
        return [r for r in self.results if r.status not in (PASSED, NOT_APPLICABLE)]

    @property
    def ok(self) -> bool:
        return not self.failed and self.error is None

    def write(self, out_dir: Path) -> None:
        data = {
            "ok": self.ok,
            "seconds": self.seconds,
            "error": self.error,
            "about": self.about,
            "steps": [asdict(r) for r in self.results],
            "drift": self.drift.as_dict() if self.drift else None,
        }
        (out_dir / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        render_template("report.html.j2", out_dir / "report.html", report=self)

    def summary(self) -> str:
        passed = len(self.results) - len(self.failed)
        lines = [f"{passed}/{len(self.results)} steps passed"]
        if self.error:
            lines.append(f"  error: {self.error}")
        lines += [f"  {r.id} {r.status}: {r.instruction}" + (f"\n      {r.error}" if r.error else "")
                  for r in self.failed if r.status == FAILED]
        not_run = [r.id for r in self.results if r.status == NOT_RUN]
        if not_run:
            lines.append(f"  not run: {', '.join(not_run)}")
        return "\n".join(lines)
