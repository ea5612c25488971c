"""The conformance report of an e2e run: each manual step ID → passed / failed / not applicable / not run, with its
tests; each FAQ item (FAQ-12, from @pytest.mark.faq(12)) the same way, or information only; each case a test checks
as a subtest (rule:イ:max+1, cert:expired@session, csrf:missing@I-2.3, session:logoff:replay …) with its outcome; and
every other test of the run, so that nothing the suite ran is missing from the report.

For a vendor checking their server against the manual, this is the answer per step. A test counts for the steps of
its `@pytest.mark.step(ID)` markers; the full walkthrough counts for every step it got through (and for the step it
failed on). Workers (pytest-xdist) attach the step outcomes to their test reports, which travel to the controller;
the controller, or the single process, gathers them and writes out/conformance/report.json and report.html.

A test skipped as "not applicable (needs: clock …)" — the server lacks what the case needs (GET /api/capabilities) —
is reported as not applicable with its reason, never as passed. Shards of one run (several CI machines) each write
their report; `python -m e2e.conformance merge out/shard-*/report.json --into out/conformance` makes them one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

import spec
from pages import settings
from pages.walkthrough import StepRecorder

PROPERTY = "ibcert_steps"
RECORDER = pytest.StashKey[StepRecorder]()
PASSED, FAILED, NOT_APPLICABLE, SKIPPED, NOT_RUN = "passed", "failed", "not applicable", "skipped", "not run"
INFORMATION = "information only"
# worst first: a step's status is the worst outcome among its tests
STATUSES = (FAILED, PASSED, NOT_APPLICABLE, SKIPPED, NOT_RUN)
NOT_APPLICABLE_PREFIX = "not applicable"


def recorder_for(item: pytest.Item) -> StepRecorder:
    """The StepRecorder whose steps count for `item` (the walkthrough test)."""
    recorder = StepRecorder()
    item.stash[RECORDER] = recorder
    return recorder


def outcome_of(report: pytest.TestReport) -> tuple[str, str | None]:
    """The report's outcome in the report's terms, and what to show beside it (a failure's assertion, a skip's
    reason)."""
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        return (NOT_APPLICABLE if reason.startswith(NOT_APPLICABLE_PREFIX) else SKIPPED), reason
    if report.failed:
        return FAILED, _short(report.longreprtext)
    return PASSED, None


def status_of(outcomes) -> str:
    outcomes = set(outcomes)
    return next((s for s in STATUSES if s in outcomes), NOT_RUN)


def _groups(steps: list[dict], faq: list[dict], cases: list[dict]) -> dict[str, dict[str, int]]:
    """The verdicts counted by the manual's section (I-2 …), by FAQ, and by family of case: each legend letter
    (rule:イ), each kind of certificate (cert:expired), csrf, session, pkcs12 …"""
    grouped: dict[str, list[str]] = {}
    for step in steps:
        grouped.setdefault(step["id"].rsplit(".", 1)[0], []).append(step["status"])
    for item in faq:
        if item["status"] != INFORMATION:
            grouped.setdefault("FAQ", []).append(item["status"])
    for case in cases:
        family, _, rest = case["id"].partition(":")
        if family in ("rule", "cert") and rest:  # rule:イ:max+1 → rule:イ; cert:expired@session → cert:expired
            family = f"{family}:{rest.split(':')[0].split('@')[0]}"
        grouped.setdefault(family, []).append(case["status"])
    return {name: {s: verdicts.count(s) for s in STATUSES if verdicts.count(s)} for name, verdicts in grouped.items()}


class Results:
    """What a run (or several shards of one) found: the runs of each step / FAQ ID, of each case, and of the tests
    that count for neither."""

    def __init__(self):
        self.tests: dict[str, list[dict]] = {s.id: [] for s in spec.load_steps()}
        self.tests.update({item.id: [] for item in spec.faq()})
        self.cases: dict[str, list[dict]] = {}
        self.others: list[dict] = []

    def __bool__(self) -> bool:
        return any(self.tests.values()) or bool(self.cases) or bool(self.others)

    def add(self, ids: list[tuple[str, str]], run: dict) -> None:
        """A test's run, counting for the given (ID, outcome) pairs; for none, it is one of the other tests."""
        for test_id, outcome in ids:
            self.tests.setdefault(test_id, []).append({**run, "outcome": outcome,
                                                      "message": run["message"] if outcome != PASSED else None})
        if not ids:
            self.others.append(run)

    def add_case(self, case: str, run: dict) -> None:
        self.cases.setdefault(case, []).append(run)

    def attach(self, artifacts: dict[str, list]) -> None:
        """Each failed run gets what its test kept (a trace, a screenshot of the failing screen: [kind, path])."""
        runs = [r for rs in [*self.tests.values(), *self.cases.values()] for r in rs] + self.others
        for run in runs:
            if run["outcome"] == FAILED and run["test"] in artifacts:
                run["artifacts"] = artifacts[run["test"]]

    def status(self, test_id: str) -> str:
        return status_of(t["outcome"] for t in self.tests.get(test_id, []))

    def data(self, *, target: str, wording: str, selection: list[str] | None = None,
             sources: list[str] | None = None, wording_changes: dict | None = None) -> dict:
        def runs(test_id):
            return sorted(self.tests.get(test_id, []), key=lambda t: t["test"])

        steps = [{"id": step.id, "instruction": step.instruction, "status": self.status(step.id), "tests": runs(step.id)}
                 for step in spec.load_steps()]
        faq = [{"id": item.id, "question": item.question, "information_only": item.information_only,
                "status": INFORMATION if item.information_only else self.status(item.id), "tests": runs(item.id)}
               for item in spec.faq()]
        cases = [{"id": case, "status": status_of(r["outcome"] for r in case_runs), "runs": case_runs}
                 for case, case_runs in sorted(self.cases.items())]
        others = sorted(self.others, key=lambda t: t["test"])
        every = [s["status"] for s in steps] + [i["status"] for i in faq if i["status"] != INFORMATION]
        every += [c["status"] for c in cases] + [t["outcome"] for t in others]
        return {
            "suite": f"ibcert {spec.suite_commit() or '(commit unknown)'}",
            "target": target,
            "wording": wording,
            "wording_changes": wording_changes or {},
            "generated": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "selection": selection or [],
            "sources": sources or [],
            "summary": {s: sum(1 for x in steps if x["status"] == s) for s in STATUSES},
            "totals": {s: every.count(s) for s in STATUSES},
            "groups": _groups(steps, faq, cases),
            "conformant": FAILED not in every and PASSED in every,
            "steps": steps,
            "faq": faq,
            "cases": cases,
            "others": others,
        }

    @classmethod
    def from_report(cls, data: dict) -> "Results":
        results = cls()
        for entry in data["steps"] + data.get("faq", []):
            for run in entry["tests"]:
                results.tests.setdefault(entry["id"], []).append(run)
        for case in data.get("cases", []):
            for run in case["runs"]:
                results.add_case(case["id"], run)
        results.others.extend(data.get("others", []))
        return results

    def merge(self, other: "Results") -> None:
        for test_id, runs in other.tests.items():
            self.tests.setdefault(test_id, []).extend(runs)
        for case, runs in other.cases.items():
            self.cases.setdefault(case, []).extend(runs)
        self.others.extend(other.others)


def write(data: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out_dir / "report.html").write_text(_html(data, out_dir), encoding="utf-8")


class ConformancePlugin:
    def __init__(self, config: pytest.Config):
        self.config = config
        self.out_dir = report_dir(config)
        self.results = Results()
        self.artifacts: dict[str, list[list[str]]] = {}  # test → [kind, path] of what it kept (traces, screenshots)
        self.e2e_collected = False
        self.written: str | None = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.e2e_collected = any(Path(str(item.path)).parent.name == "e2e" for item in session.items)

    # worker side (or single process): what the test's outcome says about its steps
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if Path(str(item.path)).parent.name != "e2e":
                return
            verdict, _ = outcome_of(report)
            entries = [(m.args[0], verdict) for m in item.iter_markers("step")]
            entries += [(f"FAQ-{m.args[0]}", verdict) for m in item.iter_markers("faq")]
            recorder = item.stash.get(RECORDER, None)
            if recorder is not None:
                entries += [(step_id, PASSED) for step_id in recorder.done]
                if recorder.current is not None:
                    entries.append((recorder.current.id, PASSED if report.passed else verdict))
            report.user_properties.append((PROPERTY, entries))

    # controller side (or single process): gather
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":  # pytest-playwright names what it kept of a test on its teardown report
            kept = [[name.removeprefix("playwright_"), str(Path(self.config.invocation_params.dir, path).resolve())]
                    for name, path in report.user_properties if name.startswith("playwright_")]
            if kept:
                self.artifacts.setdefault(report.nodeid, []).extend(kept)
        outcome, message = outcome_of(report)
        case = getattr(getattr(report, "context", None), "msg", None)  # a subtest's report
        if case and report.when == "call":
            self.results.add_case(case, {"test": report.nodeid, "outcome": outcome, "message": message})
            return
        for name, entries in report.user_properties:
            if name == PROPERTY:
                self.results.add([tuple(e) for e in entries],
                                 {"test": report.nodeid, "outcome": outcome, "message": message})

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # a run of tests/ alone writes no report, and leaves the last browser run's report in place
        if hasattr(self.config, "workerinput") or not (self.e2e_collected or self.results):
            return
        wording = self.config.getoption("--wording")
        changes = {key: {"manual": manual, "vendor": vendor}
                   for key, (manual, vendor) in spec.wording_changes(wording).items()} if wording else {}
        selection = selection_of(self.config)
        self.results.attach(self.artifacts)
        write(self.results.data(target=self.config.getoption("--base-url") or "embedded reference server",
                                wording=wording or "spec/wording.toml", wording_changes=changes, selection=selection),
              self.out_dir)
        self.written = f"{self.out_dir / 'report.html'}" + (f" (a part of the suite: {' '.join(selection)})"
                                                            if selection else "")

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.written:
            terminalreporter.write_line(f"conformance report: {self.written}")


PARTIAL = "partial"
STEPS_DIR = "steps"
DEFAULT_DIR = str(settings.load().CONFORMANCE_DIR)


def selection_of(config: pytest.Config) -> list[str]:
    """What narrows a run to a part of the browser suite (-k, -m, --only, a shard, paths within e2e/), as given;
    [] for the whole suite."""
    given = [f"{flag} {value}" for flag, value in (("-k", config.option.keyword), ("-m", config.option.markexpr),
                                                   ("--only", config.getoption("--only")),
                                                   ("--group", getattr(config.option, "group", None))) if value]
    whole = {"e2e", "e2e/", "tests", "tests/", "."}
    return given + [arg for arg in config.args if arg not in whole and not arg.startswith("tests")]


def report_dir(config: pytest.Config) -> Path:
    """Where this run's report goes: --conformance-dir; a narrower run's (see selection_of) in its partial/ unless
    that folder was given, so that it leaves the whole run's report as it was. The walkthrough's shots of the steps go
    beside the report (steps/<ID>.png): the report shows the screen of each step."""
    folder = Path(config.getoption("--conformance-dir"))
    if selection_of(config) and config.getoption("--conformance-dir") == DEFAULT_DIR:
        return folder / PARTIAL
    return folder


def configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ConformancePlugin(config), "ibcert-conformance")


def merge(reports: list[Path], into: Path) -> dict:
    """One report of several shards' reports: every run of every shard, the statuses worked out again."""
    loaded = []
    results = Results()
    for path in reports:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            results.merge(Results.from_report(data))
        except (ValueError, KeyError, TypeError) as error:  # JSONDecodeError is a ValueError
            raise ValueError(f"{path}: not a conformance report.json ({type(error).__name__}: {error})") from None
        loaded.append(data)
    targets = sorted({d["target"] for d in loaded})
    wordings = sorted({d["wording"] for d in loaded})
    data = results.data(target=", ".join(targets), wording=", ".join(wordings),
                        selection=sorted({s for d in loaded for s in d.get("selection", [])}),
                        sources=[str(path) for path in reports],
                        wording_changes={k: v for d in loaded for k, v in d.get("wording_changes", {}).items()})
    for path in reports:  # the shots of the steps, from whichever shard walked them
        if (path.parent / STEPS_DIR).is_dir():
            shutil.copytree(path.parent / STEPS_DIR, into / STEPS_DIR, dirs_exist_ok=True)
    write(data, into)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m e2e.conformance", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    merging = commands.add_parser("merge", help="merge the report.json of several shards into one report")
    merging.add_argument("reports", nargs="+", type=Path)
    merging.add_argument("--into", type=Path, required=True, help="folder of the merged report.json and report.html")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.reports if not path.is_file()]
    if missing:
        print(f"conformance: no such report: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        data = merge(args.reports, args.into)
    except ValueError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    totals = ", ".join(f"{n} {s}" for s, n in data["totals"].items() if n)
    print(f"conformance: {len(args.reports)} reports merged into {args.into / 'report.json'}: {totals}")
    return 0 if data["conformant"] else 1


def _short(text: str, limit: int = 600) -> str:
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    text = "\n".join(line[1:].strip() for line in lines) if lines else text
    return text[:limit]


def _css(status: str) -> str:
    return html.escape(status.replace(" ", "-"))


def _href(path: str, out_dir: Path) -> str:
    """A link from the report to `path` (relative where it can be: the report and its evidence move together)."""
    try:
        return html.escape(Path(os.path.relpath(path, out_dir)).as_posix())
    except ValueError:  # another drive
        return html.escape(Path(path).as_uri())


def _run_html(run: dict, out_dir: Path) -> str:
    """A test's outcome, its message and, for a failure, what it kept: the failing screen and the trace."""
    e = html.escape
    evidence = []
    for kind, path in run.get("artifacts", ()):
        href = _href(path, out_dir)
        evidence.append(f'<a href="{href}"><img src="{href}" alt="{e(kind)}" class="shot"></a>' if kind == "screenshot"
                        else f'<a href="{href}">{e(kind)}</a>')
    return (f'<span class="{_css(run["outcome"])}">{e(run["outcome"])}</span> <code>{e(run["test"])}</code>'
            + (f"<pre>{e(run['message'])}</pre>" if run.get("message") else "")
            + (f'<div class="evidence">{" ".join(evidence)}</div>' if evidence else ""))


def _table(heading: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """rows: (ID, *cells as HTML, status, runs as HTML); the status cell is coloured by its value."""
    e = html.escape
    head = "".join(f'<th scope="col">{e(c)}</th>' for c in columns)
    body = "\n".join(
        f'<tr><th scope="row">{e(row[0])}</th>{"".join(f"<td>{c}</td>" for c in row[1:-2])}'
        f'<td class="{_css(row[-2])}">{e(row[-2])}</td><td>{row[-1]}</td></tr>' for row in rows)
    return f"<h2>{e(heading)}</h2>\n<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"


def _shot(step_id: str, out_dir: Path) -> str:
    """The screen of the step as the walkthrough shot it, where it did (steps/<ID>.png beside the report)."""
    shot = out_dir / STEPS_DIR / f"{step_id}.png"
    if not shot.is_file():
        return ""
    href = _href(str(shot), out_dir)
    return f'<br><a href="{href}"><img src="{href}" alt="{html.escape(step_id)} の画面" class="shot"></a>'


def _html(data: dict, out_dir: Path) -> str:
    e = html.escape
    runs = lambda items: "<br>".join(_run_html(t, out_dir) for t in items)  # noqa: E731
    steps = _table("手順", ("ID", "手順", "結果", "テスト"),
                   [(s["id"], e(s["instruction"]) + _shot(s["id"], out_dir), s["status"], runs(s["tests"]))
                    for s in data["steps"]])
    faq = _table("よくあるご質問（FAQ）", ("ID", "質問", "結果", "テスト"),
                 [(i["id"], e(i["question"]), i["status"], e(i["information_only"] or "") + runs(i["tests"]))
                  for i in data.get("faq", [])])
    cases = _table("ケース（規則・電子証明書・セッション・CSRF）", ("ID", "結果", "テスト"),
                   [(c["id"], c["status"], runs(c["runs"])) for c in data.get("cases", [])])
    others = _table("その他のテスト（TLS ほか）", ("テスト", "結果", "理由"),
                    [(t["test"], t["outcome"], _run_html({**t, "outcome": "", "test": ""}, out_dir))
                     for t in data.get("others", [])])
    s, totals = data["summary"], data.get("totals", {})
    count = lambda counts: " ／ ".join(f"{k} {v}" for k, v in counts.items() if v)  # noqa: E731
    groups = _table("まとめ（節・FAQ・規則・電子証明書ほか）", ("まとめ", "件数", "結果", ""),
                    [(name, e(count(counts)), status_of(counts), "") for name, counts in data.get("groups", {}).items()])
    verdict = "適合" if data.get("conformant") else "不適合（失敗したケースがあります）" if totals.get(FAILED) else "判定なし"
    extra = ""
    if data.get("selection"):
        extra += f"<p>選択: <code>{e(' '.join(data['selection']))}</code></p>"
    if data.get("wording_changes"):
        extra += _table("文言ファイルによる変更", ("キー", "マニュアルの文言", "変更後", ""),
                        [(k, e(str(v["manual"])), str(v["vendor"]), "") for k, v in data["wording_changes"].items()])
    if data.get("sources"):
        extra += f"<p>統合したレポート: {', '.join(f'<code>{e(p)}</code>' for p in data['sources'])}</p>"
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>電子証明書かんたんスタートマニュアル 適合性レポート</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: .3em .5em; vertical-align: top; text-align: left; }}
.passed {{ color: #075e07; }} .failed {{ color: #a00000; font-weight: bold; }} .not-run, .skipped {{ color: #555; }}
.not-applicable {{ color: #6a4a00; }}
pre {{ white-space: pre-wrap; margin: .2em 0; font-size: .85em; }}
img.shot {{ max-width: 320px; max-height: 240px; border: 1px solid #ccc; margin: .3em 0; }}
</style></head><body>
<h1>適合性レポート</h1>
<p>対象: <code>{e(data["target"])}</code> ／ 文言: <code>{e(data["wording"])}</code> ／ 作成: {e(data["generated"])}
 ／ <code>{e(data.get("suite", ""))}</code></p>
{extra}
<p><strong>判定: {e(verdict)}</strong>（すべての手順・FAQ・ケース・テスト: {e(count(totals))}）</p>
<p>手順: {e(count(s))}（全{len(data["steps"])}手順）</p>
{groups}
{steps}
{faq}
{cases}
{others}
</body></html>
"""


if __name__ == "__main__":
    sys.exit(main())
