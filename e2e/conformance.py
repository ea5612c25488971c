"""The conformance report of an e2e run: each manual step ID → passed / failed / not run, with its tests; each FAQ
item (FAQ-12, from @pytest.mark.faq(12)) the same way, or information only; and each case a test checks as a subtest
(rule:イ:max+1, cert:expired@session, csrf:missing@I-2.3, session:logoff:replay …) with its outcome.

For a vendor checking their server against the manual, this is the answer per step. A test counts for the steps of
its `@pytest.mark.step(ID)` markers; the full walkthrough counts for every step it got through (and for the step it
failed on). Workers (pytest-xdist) attach the step outcomes to their test reports, which travel to the controller;
the controller, or the single process, gathers them and writes out/conformance/report.json and report.html.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import pytest

import spec
from pages.walkthrough import StepRecorder

PROPERTY = "ibcert_steps"
RECORDER = pytest.StashKey[StepRecorder]()
PASSED, FAILED, NOT_RUN, INFORMATION = "passed", "failed", "not run", "information only"


def recorder_for(item: pytest.Item) -> StepRecorder:
    """The StepRecorder whose steps count for `item` (the walkthrough test)."""
    recorder = StepRecorder()
    item.stash[RECORDER] = recorder
    return recorder


class ConformancePlugin:
    def __init__(self, config: pytest.Config):
        self.config = config
        self.out_dir = Path(config.getoption("--conformance-dir"))
        self.tests: dict[str, list[dict]] = {s.id: [] for s in spec.load_steps()}
        self.tests.update({item.id: [] for item in spec.faq()})
        self.cases: dict[str, list[dict]] = {}

    # worker side (or single process): what the test's outcome says about its steps
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            entries = [(m.args[0], report.outcome) for m in item.iter_markers("step")]
            entries += [(f"FAQ-{m.args[0]}", report.outcome) for m in item.iter_markers("faq")]
            recorder = item.stash.get(RECORDER, None)
            if recorder is not None:
                entries += [(step_id, PASSED) for step_id in recorder.done]
                if recorder.current is not None:
                    entries.append((recorder.current.id, PASSED if report.passed else report.outcome))
            if entries:
                report.user_properties.append((PROPERTY, entries))

    # controller side (or single process): gather
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        case = getattr(getattr(report, "context", None), "msg", None)  # a subtest's report
        if case and report.when == "call":
            self.cases.setdefault(case, []).append({
                "test": report.nodeid, "outcome": report.outcome,
                "message": _short(report.longreprtext) if report.failed else None})
            return
        for name, entries in report.user_properties:
            if name != PROPERTY:
                continue
            message = None
            if report.failed:
                message = _short(report.longreprtext)
            for step_id, step_outcome in entries:
                self.tests.setdefault(step_id, []).append(
                    {"test": report.nodeid, "outcome": step_outcome, "message": message if step_outcome == FAILED else None}
                )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput") or not any(self.tests.values()):
            return
        self.write()

    def status(self, step_id: str) -> str:
        outcomes = {t["outcome"] for t in self.tests.get(step_id, [])}
        if FAILED in outcomes:
            return FAILED
        return PASSED if PASSED in outcomes else NOT_RUN

    def write(self) -> None:
        steps = []
        for step in spec.load_steps():
            steps.append({"id": step.id, "instruction": step.instruction, "status": self.status(step.id),
                          "tests": sorted(self.tests.get(step.id, []), key=lambda t: t["test"])})
        summary = {s: sum(1 for x in steps if x["status"] == s) for s in (PASSED, FAILED, NOT_RUN)}
        faq = [{"id": item.id, "question": item.question, "information_only": item.information_only,
                "status": INFORMATION if item.information_only else self.status(item.id),
                "tests": sorted(self.tests.get(item.id, []), key=lambda t: t["test"])} for item in spec.faq()]
        cases = [{"id": case, "status": FAILED if any(r["outcome"] == FAILED for r in runs) else PASSED,
                  "runs": runs} for case, runs in sorted(self.cases.items())]
        data = {
            "target": self.config.getoption("--base-url") or "embedded reference server",
            "wording": self.config.getoption("--wording") or "spec/wording.toml",
            "generated": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "summary": summary,
            "steps": steps,
            "faq": faq,
            "cases": cases,
        }
        self.out_dir.mkdir(parents=True, exist_ok=True)
        (self.out_dir / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (self.out_dir / "report.html").write_text(_html(data), encoding="utf-8")


def configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ConformancePlugin(config), "ibcert-conformance")


def _short(text: str, limit: int = 600) -> str:
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    text = "\n".join(line[1:].strip() for line in lines) if lines else text
    return text[:limit]


def _run_html(run: dict) -> str:
    e = html.escape
    return f"<code>{e(run['test'])}</code>" + (f"<pre>{e(run['message'])}</pre>" if run.get("message") else "")


def _html(data: dict) -> str:
    e = html.escape
    rows = []
    for step in data["steps"]:
        tests = "<br>".join(
            f'<span class="{e(t["outcome"].replace(" ", "-"))}">{e(t["outcome"])}</span> <code>{e(t["test"])}</code>'
            + (f'<pre>{e(t["message"])}</pre>' if t.get("message") else "")
            for t in step["tests"]
        )
        rows.append(f'<tr><th scope="row">{e(step["id"])}</th><td>{e(step["instruction"])}</td>'
                    f'<td class="{e(step["status"].replace(" ", "-"))}">{e(step["status"])}</td><td>{tests}</td></tr>')
    faq_rows = "\n".join(
        f'<tr><th scope="row">{e(item["id"])}</th><td>{e(item["question"])}</td>'
        f'<td class="{e(item["status"].replace(" ", "-"))}">{e(item["status"])}</td>'
        f'<td>{e(item["information_only"] or "")}{"<br>".join(_run_html(t) for t in item["tests"])}</td></tr>'
        for item in data.get("faq", []))
    case_rows = "\n".join(
        f'<tr><th scope="row">{e(case["id"])}</th><td class="{e(case["status"])}">{e(case["status"])}</td>'
        f'<td>{"<br>".join(_run_html(run) for run in case["runs"])}</td></tr>'
        for case in data.get("cases", []))
    failed_cases = sum(1 for case in data.get("cases", []) if case["status"] == FAILED)
    s = data["summary"]
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>電子証明書かんたんスタートマニュアル 適合性レポート</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: .3em .5em; vertical-align: top; text-align: left; }}
.passed {{ color: #075e07; }} .failed {{ color: #a00000; font-weight: bold; }} .not-run {{ color: #555; }}
pre {{ white-space: pre-wrap; margin: .2em 0; font-size: .85em; }}
</style></head><body>
<h1>適合性レポート（手順ごと）</h1>
<p>対象: <code>{e(data["target"])}</code> ／ 文言: <code>{e(data["wording"])}</code> ／ 作成: {e(data["generated"])}</p>
<p>passed {s["passed"]} ／ failed {s["failed"]} ／ not run {s["not run"]}（全{len(data["steps"])}手順）</p>
<table><thead><tr><th scope="col">ID</th><th scope="col">手順</th><th scope="col">結果</th><th scope="col">テスト</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<h2>よくあるご質問（FAQ）</h2>
<table><thead><tr><th scope="col">ID</th><th scope="col">質問</th><th scope="col">結果</th><th scope="col">テスト</th></tr></thead>
<tbody>
{faq_rows}
</tbody></table>
<h2>ケース（規則・電子証明書・セッション・CSRF）</h2>
<p>{len(data.get("cases", []))} cases ／ failed {failed_cases}</p>
<table><thead><tr><th scope="col">ID</th><th scope="col">結果</th><th scope="col">テスト</th></tr></thead>
<tbody>
{case_rows}
</tbody></table></body></html>
"""
