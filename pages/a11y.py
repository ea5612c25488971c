"""axe-core check of every screen the page objects arrive on (serious / critical violations fail).

axe.min.js comes bundled with axe-playwright-python, so this works offline. A checker remembers what it has checked,
so each screen state is checked once per checker. A state is named by the page objects: the screen (or dialog) as it
is first shown, and the screen showing each kind of message once a test has seen it there (a form showing field errors
has other markup than the same form empty). Checkers of parallel workers can share what they checked through a folder
(`shared_dir`): a state is then checked once per run, by whichever worker meets it first, instead of once per worker.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

from playwright.sync_api import Page


class AccessibilityViolation(AssertionError):
    pass


class AxeChecker:
    def __init__(self, enabled: bool = True, impacts: Iterable[str] = ("serious", "critical"),
                 shared_dir: str | os.PathLike | None = None):
        self.enabled = enabled
        self.shared_dir = Path(shared_dir) if shared_dir else None
        if self.shared_dir:
            self.shared_dir.mkdir(parents=True, exist_ok=True)
        self.impacts = tuple(impacts)
        self.checked: set[str] = set()
        self.reports: dict[str, list[dict]] = {}  # state -> violations of any impact, for whoever wants them
        self._axe = None

    def check(self, page: Page, state: str, context: str | None = None) -> None:
        """Run axe on `page` (optionally only on the CSS `context`) once per `state` (e.g. "開通確認 +field error")."""
        if not self.enabled:
            return
        if state in self.checked or not self._claim(state):
            return
        self.checked.add(state)
        if self._axe is None:
            from axe_playwright_python.sync_playwright import Axe

            self._axe = Axe()
        options = {"resultTypes": ["violations"]}
        results = self._axe.run(page, context=context, options=options).response
        violations = results["violations"]
        self.reports[state] = violations
        failing = [v for v in violations if v.get("impact") in self.impacts]
        if failing:
            lines = [f"axe-core: {len(failing)} {'/'.join(self.impacts)} violation(s) on screen {state!r} "
                     f"({page.url}):"]
            for violation in failing:
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
                for node in violation["nodes"][:5]:
                    lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')}"
                                 .replace("\n", " "))
            raise AccessibilityViolation("\n".join(lines))

    def _claim(self, state: str) -> bool:
        """True if this checker is the first of those sharing `shared_dir` to meet `state` (creating its file is
        atomic: exactly one worker wins)."""
        if self.shared_dir is None:
            return True
        try:
            os.close(os.open(self.shared_dir / hashlib.sha256(state.encode()).hexdigest(), os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            self.checked.add(state)
            return False
        return True
