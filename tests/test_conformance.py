"""The conformance report across shards: each machine of a CI matrix runs a share of the suite (pytest-split) and
writes its report; `python -m e2e.conformance merge` makes them one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from e2e import conformance

ROOT = Path(__file__).resolve().parent.parent


def _shard(folder: Path, name: str, runs: dict[str, str], cases: dict[str, str] | None = None) -> Path:
    """A shard's report.json: `runs` {step or FAQ ID: outcome of the test that counted for it}."""
    results = conformance.Results()
    for test_id, outcome in runs.items():
        run = {"test": f"e2e/test_{name}.py::test_{test_id}", "outcome": outcome,
               "message": "AssertionError: the screen was not shown" if outcome == conformance.FAILED else None}
        results.add([(test_id, outcome)], run)
    for case, outcome in (cases or {}).items():
        results.add_case(case, {"test": f"e2e/test_{name}.py::test_cases", "outcome": outcome, "message": None})
    conformance.write(results.data(target="https://127.0.0.1:8443", wording="ours.toml",
                                   wording_changes={"activation.next_button": {"manual": "次へ", "vendor": "確認"}}),
                      folder / name)
    return folder / name / "report.json"


def _status(data: dict, test_id: str) -> str:
    return next(entry["status"] for entry in data["steps"] + data["faq"] if entry["id"] == test_id)


def test_a_step_failed_in_one_shard_is_failed_in_the_merged_report(tmp_path):
    first = _shard(tmp_path, "shard-1", {"I-2.2": "passed", "I-2.3": "failed", "FAQ-12": "passed"},
                   {"rule:イ:max+1": "passed"})
    second = _shard(tmp_path, "shard-2", {"I-2.3": "passed", "II-2.6": "passed"}, {"rule:イ:max+1": "failed"})
    data = conformance.merge([first, second], tmp_path / "merged")
    assert _status(data, "I-2.2") == "passed"  # run in one shard only
    assert _status(data, "I-2.3") == "failed"  # passed in the other: still failed
    assert _status(data, "II-2.6") == "passed"
    assert _status(data, "I-1.1") == "not run"
    assert _status(data, "FAQ-12") == "passed"
    assert next(c for c in data["cases"] if c["id"] == "rule:イ:max+1")["status"] == "failed"
    assert not data["conformant"]
    assert data["sources"] == [str(first), str(second)]
    assert data["wording_changes"] == {"activation.next_button": {"manual": "次へ", "vendor": "確認"}}
    assert json.loads((tmp_path / "merged" / "report.json").read_text()) == data
    assert "I-2.3" in (tmp_path / "merged" / "report.html").read_text()


def _merge_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "e2e.conformance", "merge", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_the_merge_command_says_whether_the_shards_together_conform(tmp_path):
    passing = [_shard(tmp_path, f"shard-{n}", {"I-2.2": "passed"}) for n in (1, 2)]
    merged = _merge_command(*map(str, passing), "--into", str(tmp_path / "merged"))
    assert merged.returncode == 0, merged.stderr
    assert "2 reports merged" in merged.stdout
    failing = _shard(tmp_path, "shard-3", {"I-2.2": "failed"})
    assert _merge_command(str(passing[0]), str(failing), "--into", str(tmp_path / "merged")).returncode == 1


def test_the_merge_command_refuses_what_is_no_report_in_one_line(tmp_path):
    broken = tmp_path / "report.json"
    broken.write_text("{ not json")
    for args in ([str(tmp_path / "missing.json")], [str(broken)]):
        refused = _merge_command(*args, "--into", str(tmp_path / "merged"))
        assert refused.returncode == 2
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert not (tmp_path / "merged").exists()


def test_shards_share_out_every_test_once():
    """Two shards of a selection (the README's --splits/--group): together every test, none twice."""
    selection = ["tests/test_auth.py", "tests/test_otp.py", "e2e/test_I_1_service_top.py"]

    def collected(*args: str) -> set[str]:
        listing = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                                  "-n", "0", *selection, *args], cwd=ROOT, capture_output=True, text=True,
                                 timeout=120, check=True).stdout
        return {line for line in listing.splitlines() if "::" in line}

    every = collected()
    shards = [collected("--splits", "2", "--group", str(group)) for group in (1, 2)]
    assert shards[0] and shards[1]
    assert not shards[0] & shards[1]
    assert shards[0] | shards[1] == every
