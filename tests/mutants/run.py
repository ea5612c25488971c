"""Semantic mutation runner: proves that the suite notices when the refserver breaks a rule of the manual.

    .venv/bin/python tests/mutants/run.py [--rev REV] [--full] [--only DIR] [--workers N] [--timeout S] [--baseline]
                                          [NAME ...]

Each tests/mutants/*.patch breaks one rule in the refserver. For each, a copy of the tree (the working tree's tracked
and untracked-not-ignored files, or with --rev the files of that commit) gets the patch applied, and the tests named
by the patch's `Select:` header (all of them with --full) run there. The suite must fail: a run whose tests all pass
means no test checks that rule. The copy runs with the repo's .venv and dev PKI, and writes its artifacts to a
temporary folder, so nothing lands in the repo. Standard library only.

Verdicts: KILLED (pytest exit status 1: a test failed — or 2 with xdist's "stopping after 1 failures", which is how
-x ends a parallel run), SURVIVED (0: every test passed), ERROR (the patch does not apply, pytest could not run the
selection — 2 interrupted otherwise, 4 usage error, 5 no tests collected —, the timeout passed, or, with --baseline,
the selection fails even without the mutant). Exit status 0 only when every mutant was killed.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePath

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
PKI_DIR = REPO / ".ibcert" / "pki"
REQUIRED_HEADERS = ("Mutant", "Breaks")
KILLED, SURVIVED, ERROR = "KILLED", "SURVIVED", "ERROR"
# pytest options whose value is the next argument: that value is not a path to test.
_OPTIONS_WITH_VALUE = {"-k", "-m", "-p", "-o", "-n", "-c", "--deselect", "--ignore", "--ignore-glob", "--rootdir",
                       "--maxfail", "--durations", "--base-url", "--wording", "--operator-token", "--ca-cert"}
_SUMMARY_LINE = re.compile(r"^(?:FAILED|ERROR|SUBFAILED\S*) .+$", re.M)  # SUBFAILED[cert:expired@logon] …
_XDIST_STOPPED = re.compile(r"Interrupted: stopping after \d+ failures")


# -- the patches -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mutant:
    path: Path
    name: str
    breaks: str
    select: tuple[str, ...] | None  # pytest arguments; None: the whole suite


def read_header(text: str) -> dict[str, str]:
    """The `Key: value` lines before the first `diff --git` line (git apply skips that text)."""
    header = {}
    for line in text.splitlines():
        if line.startswith("diff --git "):
            break
        key, colon, value = line.partition(":")
        if colon and key and " " not in key:
            header[key] = value.strip()
    return header


def load(path: Path) -> Mutant:
    header = read_header(path.read_text(encoding="utf-8"))
    missing = [key for key in REQUIRED_HEADERS if not header.get(key)]
    if missing:
        raise ValueError(f"{path.name}: missing header {', '.join(missing)}")
    select = tuple(shlex.split(header["Select"])) if header.get("Select") else None
    return Mutant(path, header["Mutant"], header["Breaks"], select)


def patches() -> list[Path]:
    return sorted(HERE.glob("*.patch"))


def _path_positions(select: tuple[str, ...]) -> list[int]:
    """Where in *select* the files and folders to test are (not options, nor an option's value)."""
    positions, skip = [], False
    for index, arg in enumerate(select):
        if skip:
            skip = False
        elif arg in _OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            positions.append(index)
    return positions


def selection_paths(select: tuple[str, ...]) -> list[str]:
    """The files and folders a selection names (node ids without their ::part)."""
    return [select[i].split("::")[0] for i in _path_positions(select)]


def restrict(select: tuple[str, ...], folder: str) -> tuple[str, ...] | None:
    """The part of *select* under *folder* (options kept), e.g. the browser suite alone, which is all a vendor's
    server gets; None when the selection names nothing there."""
    positions = _path_positions(select)
    if not positions:
        return (folder, *select)
    prefix = PurePath(folder).parts
    outside = {i for i in positions if PurePath(select[i].split("::")[0]).parts[:len(prefix)] != prefix}
    if len(outside) == len(positions):
        return None
    return tuple(arg for i, arg in enumerate(select) if i not in outside)


# -- verdicts --------------------------------------------------------------------------------------------------------
def verdict(returncode: int | None, output: str = "") -> str:
    """pytest's exit status (None: timed out) as a verdict: only a test failure kills a mutant. Under xdist, -x ends
    the session as interrupted (2) after the first failure: that is a failure too, where a test is named."""
    if returncode == 2 and _XDIST_STOPPED.search(output) and "::" in (first_failure(output) or ""):
        return KILLED
    return {0: SURVIVED, 1: KILLED}.get(returncode, ERROR)


def first_failure(output: str) -> str | None:
    """The first `FAILED <node id>`, `ERROR <node id>` or `SUBFAILED[<subtest>] … <node id>` of pytest's short summary
    (without its message): a subtest names the very rule, e.g. cert:expired@logon. Only the summary is read:
    captured logs have lines that start with ERROR too."""
    _, found, summary = output.rpartition("short test summary info")
    match = _SUMMARY_LINE.search(summary) if found else None
    return match.group(0).split(" - ", 1)[0] if match else None


# -- trees -----------------------------------------------------------------------------------------------------------
def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True, text=True).stdout


def copy_tree(dest: Path, rev: str | None) -> None:
    """The files of commit *rev*, or of the working tree (tracked and untracked-not-ignored), into *dest*."""
    dest.mkdir(parents=True)
    if rev:
        with subprocess.Popen(["git", "archive", "--format=tar", rev], cwd=REPO, stdout=subprocess.PIPE) as archive:
            with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
                tar.extractall(dest, filter="data")
        if archive.returncode:
            raise RuntimeError(f"git archive {rev} failed with exit status {archive.returncode}")
        return
    for name in filter(None, _git("ls-files", "-co", "--exclude-standard", "-z").split("\0")):
        source = REPO / name
        if source.is_dir() or not (source.exists() or source.is_symlink()):
            continue  # deleted in the working tree, or a submodule
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / name, follow_symlinks=False)


def apply_patch(patch: Path, tree: Path) -> str | None:
    """Apply *patch* to *tree*; git's complaint if it does not apply. *tree* is no repository: the ceiling keeps git
    from finding one above it and applying relative to that."""
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tree.parent)}
    for variable in ("GIT_DIR", "GIT_WORK_TREE"):
        env.pop(variable, None)
    result = subprocess.run(["git", "apply", str(patch)], cwd=tree, env=env, capture_output=True, text=True)
    return (result.stderr.strip() or f"git apply exit status {result.returncode}") if result.returncode else None


# -- running the suite -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    returncode: int | None  # None: timed out
    output: str
    seconds: float


def pytest_command(select: tuple[str, ...], workers: str, scratch: Path) -> list[str]:
    command = [str(PYTHON), "-m", "pytest", *select, "-x", "-q", "-p", "no:cacheprovider", "-n", workers,
               # its check that every patch applies would fail in a tree that already carries one
               "--ignore=tests/test_mutants.py",
               "--output", str(scratch / "test-results")]
    paths = selection_paths(select)
    if not paths or any(PurePath(p).parts[:1] == ("e2e",) for p in paths):
        command += ["--conformance-dir", str(scratch / "conformance")]  # an option of e2e/conftest.py only
    return command


def run_suite(tree: Path, select: tuple[str, ...], workers: str, timeout: float) -> Outcome:
    """Run pytest on *tree* in a process group of its own, so that a timeout ends it with all it started (servers,
    the Playwright driver) and nothing else."""
    scratch = tree.parent
    env = {**os.environ, "IBCERT_PKI_DIR": str(PKI_DIR)}
    log_path = scratch / "pytest.log"
    started = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.Popen(pytest_command(select, workers, scratch), cwd=tree, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            _end_group(process)
    return Outcome(returncode, log_path.read_text(errors="replace"), time.monotonic() - started)


def _end_group(process: subprocess.Popen) -> None:
    """Stop whatever is left of the process group *process* leads (its own session): TERM, then KILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        deadline = time.monotonic() + 10
        try:
            os.killpg(process.pid, sig)
            while time.monotonic() < deadline:
                process.poll()  # reap the leader: as a zombie it would still count as a member
                os.killpg(process.pid, 0)
                time.sleep(0.1)
        except ProcessLookupError:
            return


def _selection(mutant: Mutant, args) -> tuple[str, ...] | None:
    """What runs for *mutant*: its Select, the whole suite with --full; with --only, the part of that under the
    folder (None: nothing there)."""
    select = () if args.full or mutant.select is None else mutant.select
    return restrict(select, args.only) if args.only else select


def _describe(select: tuple[str, ...]) -> str:
    return shlex.join(select) if select else "(whole suite)"


def _tail(output: str, lines: int = 15) -> str:
    return "\n".join("      " + line for line in output.rstrip().splitlines()[-lines:])


def judge(mutant: Mutant, select: tuple[str, ...], args) -> tuple[str, float, str]:
    """(verdict, seconds, detail) of one mutant, in a fresh copy of the tree."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"ibcert-mutant-{mutant.path.stem}-") as scratch:
        tree = Path(scratch) / "tree"
        copy_tree(tree, args.rev)
        problem = apply_patch(mutant.path, tree)
        if problem:
            return ERROR, time.monotonic() - started, f"patch does not apply: {problem}"
        outcome = run_suite(tree, select, args.workers, args.timeout)
    seconds = time.monotonic() - started
    result = verdict(outcome.returncode, outcome.output)
    if outcome.returncode is None:
        return result, seconds, f"timed out after {args.timeout:.0f} s\n{_tail(outcome.output)}"
    if result == KILLED:
        return result, seconds, f"killed by {first_failure(outcome.output) or '(no FAILED line)'}"
    if result == SURVIVED:
        return result, seconds, f"every test of {_describe(select)} passed"
    return result, seconds, f"pytest exit status {outcome.returncode}\n{_tail(outcome.output)}"


def baseline(selections: set[tuple[str, ...]], args) -> set[tuple[str, ...]]:
    """The selections that fail without any mutant: a mutant "killed" by one of them proves nothing."""
    broken = set()
    with tempfile.TemporaryDirectory(prefix="ibcert-mutant-baseline-") as scratch:
        tree = Path(scratch) / "tree"
        copy_tree(tree, args.rev)
        for select in sorted(selections):
            outcome = run_suite(tree, select, args.workers, args.timeout)
            status = "ok" if outcome.returncode == 0 else (
                "timed out" if outcome.returncode is None else
                f"FAILS (exit status {outcome.returncode}, {first_failure(outcome.output) or 'no FAILED line'})")
            print(f"baseline {_describe(select)}: {status} in {outcome.seconds:.0f} s", flush=True)
            if outcome.returncode != 0:
                broken.add(select)
    return broken


def ensure_pki() -> None:
    """The copies share the repo's dev PKI (IBCERT_PKI_DIR): make it now, once, rather than in parallel later."""
    env = {**os.environ, "IBCERT_PKI_DIR": str(PKI_DIR)}
    subprocess.run([str(PYTHON), "-m", "certs"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these mutants (Mutant: name or file stem)")
    parser.add_argument("--rev", help="mutate the files of this commit instead of the working tree")
    parser.add_argument("--full", action="store_true", help="run the whole suite for every mutant, not its Select")
    parser.add_argument("--workers", default=os.environ.get("IBCERT_WORKERS", "auto"), help="pytest -n (default: "
                        "IBCERT_WORKERS or auto)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per mutant run (default 300)")
    parser.add_argument("--only", metavar="DIR", help="only the selected tests under DIR, e.g. e2e: does the browser "
                        "suite alone, all a vendor's server gets, kill each mutant?")
    parser.add_argument("--baseline", action="store_true",
                        help="first run each distinct selection without a mutant; mutants of failing ones are ERROR")
    args = parser.parse_args(argv)

    if not PYTHON.exists():
        parser.error(f"{PYTHON} does not exist: run ./ibcert setup first")
    try:
        mutants = [load(path) for path in patches()]
    except ValueError as error:
        parser.error(str(error))
    if args.names:
        mutants = [m for m in mutants if m.name in args.names or m.path.stem in args.names]
    if not mutants:
        parser.error("no mutants selected")
    if args.rev:  # resolved once: every copy gets the same files even if the branch moves meanwhile
        resolved = subprocess.run(["git", "rev-parse", "--verify", "-q", f"{args.rev}^{{commit}}"], cwd=REPO,
                                  capture_output=True, text=True)
        if resolved.returncode:
            parser.error(f"--rev {args.rev}: no such commit")
        args.rev = resolved.stdout.strip()
    ensure_pki()
    print(f"{len(mutants)} mutants of {args.rev or 'the working tree'}"
          f"{f', tests under {args.only} only' if args.only else ''}, pytest -n {args.workers}, "
          f"timeout {args.timeout:.0f} s each", flush=True)

    started = time.monotonic()
    selections = {mutant: _selection(mutant, args) for mutant in mutants}
    broken = baseline(set(selections.values()) - {None}, args) if args.baseline else set()
    killed = 0
    for mutant, select in selections.items():
        if select is None:
            result, seconds, detail = ERROR, 0.0, f"its Select names no tests under {args.only}"
        elif select in broken:
            result, seconds, detail = ERROR, 0.0, f"its selection fails without the mutant: {_describe(select)}"
        else:
            result, seconds, detail = judge(mutant, select, args)
        killed += result == KILLED
        print(f"{mutant.path.stem:<40} {result:<8} {seconds:6.1f} s  {detail}", flush=True)
    print(f"mutants: killed {killed} of {len(mutants)} ({100 * killed / len(mutants):.0f} %) in "
          f"{time.monotonic() - started:.0f} s")
    return 0 if killed == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main())
