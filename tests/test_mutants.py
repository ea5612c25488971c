"""The mutants of tests/mutants stay usable, and the runner judges them right (without running a suite).

A patch that no longer applies would be an ERROR in the mutation run, which nobody runs on every change: checking
here, on every test run, names the patch to regenerate as soon as the refserver moves under it
(tests/mutants/README.md).
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

# run.py is a script, not a module of a package: loaded by path (and registered, as its dataclasses need)
_spec = importlib.util.spec_from_file_location("mutants_run", Path(__file__).resolve().parent / "mutants" / "run.py")
run = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(run)
REPO_ROOT = run.REPO

PATCHES = run.patches()
by_stem = pytest.mark.parametrize("patch", PATCHES, ids=lambda path: path.stem)


def test_there_are_mutants_with_distinct_names():
    names = [run.load(patch).name for patch in PATCHES]
    assert names and len(set(names)) == len(names)


@by_stem
def test_header_names_the_mutant_and_the_rule_it_breaks(patch):
    mutant = run.load(patch)
    assert mutant.name and mutant.breaks


@by_stem
def test_it_breaks_the_refserver_only(patch):
    changed = [line.split()[2] for line in patch.read_text(encoding="utf-8").splitlines()
               if line.startswith("diff --git ")]
    assert changed and all(path.startswith("a/refserver/") for path in changed), changed


@by_stem
def test_selection_names_existing_tests(patch):
    mutant = run.load(patch)
    missing = [path for path in run.selection_paths(mutant.select or ()) if not (REPO_ROOT / path).exists()]
    assert not missing, f"{patch.name}: Select names {missing}, which do not exist"


@by_stem
def test_applies_cleanly_to_the_working_tree(patch):
    """`git apply --check` changes nothing; the header before `diff --git` is skipped by git apply."""
    result = subprocess.run(["git", "apply", "--check", str(patch)], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"{patch.name} no longer applies, regenerate it: {result.stderr}"


# -- the runner's logic ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("returncode, verdict", [
    (1, run.KILLED),    # a test failed
    (0, run.SURVIVED),  # every test passed
    (2, run.ERROR),     # interrupted (e.g. a collection error)
    (4, run.ERROR),     # usage error
    (5, run.ERROR),     # no tests collected
    (None, run.ERROR),  # timed out
])
def test_only_a_test_failure_kills(returncode, verdict):
    assert run.verdict(returncode, "") == verdict


XDIST_STOPPED = """\
=========================== short test summary info ============================
FAILED tests/test_auth.py::test_failures_count_then_lock_and_success_resets
!!!!!!!!!!!! xdist.dsession.Interrupted: stopping after 1 failures !!!!!!!!!!!!!
1 failed, 3 passed in 1.80s
"""
COLLECTION_ERROR = """\
=========================== short test summary info ============================
ERROR tests/test_auth.py - ImportError: cannot import name 'x'
!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!
"""


def test_xdist_stopping_at_the_first_failure_kills():
    """-x under xdist exits with 2 (interrupted) rather than 1."""
    assert run.verdict(2, XDIST_STOPPED) == run.KILLED


def test_a_collection_error_does_not_kill():
    assert run.verdict(2, COLLECTION_ERROR) == run.ERROR
    assert run.verdict(2, COLLECTION_ERROR.replace("Interrupted: 1 error during collection",
                                                   "Interrupted: stopping after 1 failures")) == run.ERROR


def test_first_failure_is_read_from_the_short_summary():
    output = """\
[gw1] FAILED e2e/test_rules.py::test_totp_code_is_accepted_once
------------------------------ Captured log call -------------------------------
ERROR    refserver:app.py:875 Exception on /ib/user/logon/permission [POST]
=========================== short test summary info ============================
FAILED e2e/test_rules.py::test_logon_pin_rules[5 chars] - AssertionError: Locator expected to be visible
FAILED tests/test_auth.py::test_failures_count_then_lock_and_success_resets
!!!!!!!!!!!!!!!!!!!!!!!!!! stopping after 1 failures !!!!!!!!!!!!!!!!!!!!!!!!!!!
1 failed, 12 passed in 30.10s
"""
    assert run.first_failure(output) == "FAILED e2e/test_rules.py::test_logon_pin_rules[5 chars]"


def test_a_failed_subtest_is_reported_with_its_name():
    node = "e2e/test_certificates.py::test_certificate_judged_at_logon[chromium-admin]"
    output = f"""\
=========================== short test summary info ============================
SUBFAILED[cert:expired@logon] (side='admin') {node} - AssertionError: x
FAILED {node} - AssertionError: x
!!!!!!!!!!!! xdist.dsession.Interrupted: stopping after 1 failures !!!!!!!!!!!!!
"""
    assert run.first_failure(output) == f"SUBFAILED[cert:expired@logon] (side='admin') {node}"
    assert run.verdict(2, output) == run.KILLED


def test_an_error_in_setup_is_reported_too():
    output = ("=========================== short test summary info ============================\n"
              "ERROR tests/test_tls.py::test_healthz_over_tls_verified_against_the_dev_root - RuntimeError: x\n")
    assert run.first_failure(output) == "ERROR tests/test_tls.py::test_healthz_over_tls_verified_against_the_dev_root"


def test_no_summary_no_failure():
    assert run.first_failure("........ [100%]\n8 passed in 1.00s\n") is None


def test_header_ends_at_the_diff(tmp_path):
    patch = tmp_path / "99-x.patch"
    patch.write_text('Mutant: x\nBreaks: rule:イ:max+1\nSelect: e2e -k "lock or case"\nnote without colon\n\n'
                     "diff --git a/refserver/a.py b/refserver/a.py\n+Select: not a header\n", encoding="utf-8")
    mutant = run.load(patch)
    assert (mutant.name, mutant.breaks, mutant.select) == ("x", "rule:イ:max+1", ("e2e", "-k", "lock or case"))


def test_a_patch_without_the_rule_it_breaks_is_refused(tmp_path):
    patch = tmp_path / "99-x.patch"
    patch.write_text("Mutant: x\n\ndiff --git a/refserver/a.py b/refserver/a.py\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Breaks"):
        run.load(patch)


def test_without_select_the_whole_suite_runs(tmp_path):
    patch = tmp_path / "99-x.patch"
    patch.write_text("Mutant: x\nBreaks: y\n\ndiff --git a/refserver/a.py b/refserver/a.py\n", encoding="utf-8")
    assert run.load(patch).select is None


def test_selection_paths_skip_option_values():
    select = ("tests/test_admin.py::test_x", "e2e", "-k", "e2e or lock", "-m", "rules", "--deselect", "e2e/a.py::b")
    assert run.selection_paths(select) == ["tests/test_admin.py", "e2e"]


@pytest.mark.parametrize("select, only_e2e", [
    (("tests/test_a.py", "e2e/test_b.py::test_c", "-k", "lock"), ("e2e/test_b.py::test_c", "-k", "lock")),
    (("-k", "lock"), ("e2e", "-k", "lock")),
    (("tests/test_a.py", "-k", "e2e"), None),
])
def test_only_keeps_the_tests_under_the_folder(select, only_e2e):
    assert run.restrict(select, "e2e") == only_e2e


@pytest.mark.parametrize("select, conformance", [
    ((), True),                                   # pytest.ini's testpaths: e2e's conftest is loaded
    (("tests/test_auth.py", "-k", "lock"), False),  # --conformance-dir would be an unknown option
    (("tests/test_auth.py", "e2e/test_rules.py::test_x"), True),
])
def test_conformance_folder_only_where_e2e_runs(tmp_path, select, conformance):
    command = run.pytest_command(select, "2", tmp_path)
    assert ("--conformance-dir" in command) == conformance
    assert command[command.index("--output") + 1] == str(tmp_path / "test-results")
    assert "-x" in command and "--ignore=tests/test_mutants.py" in command
