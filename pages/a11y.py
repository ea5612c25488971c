"""axe-core check of every screen the page objects arrive on (serious / critical violations fail).

axe.min.js comes bundled with axe-playwright-python, so this works offline. A checker remembers what it has checked,
so each screen state is checked once per checker; the e2e suite keeps one checker per worker. A state is the screen
(or dialog) name plus the messages it shows: a form showing field errors has other markup than the same form empty.
"""

from __future__ import annotations

from typing import Iterable

from playwright.sync_api import Page


# Which kinds of message the screen shows now: form-wide alerts, notices, and fields marked invalid.
_MESSAGES_SIGNATURE = """() => ['[role=alert]', '[role=status]', '[aria-invalid=true]']
    .map(selector => document.querySelectorAll(selector).length > 0 ? '+' + selector : '').join('')"""


class AccessibilityViolation(AssertionError):
    pass


class AxeChecker:
    def __init__(self, enabled: bool = True, impacts: Iterable[str] = ("serious", "critical")):
        self.enabled = enabled
        self.impacts = tuple(impacts)
        self.checked: set[str] = set()
        self.reports: dict[str, list[dict]] = {}  # screen -> violations of any impact, for whoever wants them
        self._axe = None

    def check(self, page: Page, screen: str, context: str | None = None) -> None:
        """Run axe on `page` (optionally only on the CSS `context`) once per distinct state of `screen`."""
        if not self.enabled:
            return
        state = screen + page.evaluate(_MESSAGES_SIGNATURE)
        if state in self.checked:
            return
        self.checked.add(state)
        if self._axe is None:
            from axe_playwright_python.sync_playwright import Axe

            self._axe = Axe()
        options = {"resultTypes": ["violations"]}
        results = self._axe.run(page, context=context, options=options).response
        violations = results["violations"]
        self.reports[screen] = violations
        failing = [v for v in violations if v.get("impact") in self.impacts]
        if failing:
            lines = [f"axe-core: {len(failing)} {'/'.join(self.impacts)} violation(s) on screen {screen!r} "
                     f"({page.url}):"]
            for violation in failing:
                lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
                for node in violation["nodes"][:5]:
                    lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')}"
                                 .replace("\n", " "))
            raise AccessibilityViolation("\n".join(lines))
