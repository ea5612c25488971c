"""Benchmark of the README's test command: `./ibcert test` without its setup, i.e. the whole suite, end to end.

    .venv/bin/python bench/suite.py [-n 3] [--timeout 600] [-- extra pytest args]

Each run is a fresh `python -m pytest -n ${IBCERT_WORKERS:-auto} --durations=10 -q -p no:cacheprovider` from the repo
root, as a user or CI starts it: collection, the embedded servers, the browsers and every test count. Prints every
run's wall time, CPU time and passed/failed counts, then the medians and the ten slowest tests of the median run (by
wall time), after a reference loop timed on one core, so that figures of different machines or days compare. A
failed or timed-out run still prints its figures, and the script then exits 1.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)\b")
_FINAL_LINE = re.compile(r"^.*\b\d+ (?:passed|failed|errors?|skipped|xfailed|xpassed)\b.* in [\d.]+s\b.*$", re.M)
_DURATION = re.compile(r"^(\d+\.\d+)s (call|setup|teardown)\s+(.+)$")


@dataclass
class Run:
    wall: float
    cpu: float
    status: int | None  # None: timed out
    counts: dict[str, int] = field(default_factory=dict)
    slowest: list[tuple[float, str, str]] = field(default_factory=list)  # (seconds, phase, node id)
    failures: list[str] = field(default_factory=list)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def counts(output: str) -> dict[str, int]:
    """passed/failed/… from pytest's final line ("3 failed, 120 passed, 2 skipped in 95.1s")."""
    finals = _FINAL_LINE.findall(output)
    found = {kind: int(n) for n, kind in _COUNT.findall(finals[-1])} if finals else {}
    if "error" in found:
        found["errors"] = found.pop("error")
    return found


def slowest(output: str) -> list[tuple[float, str, str]]:
    """The `--durations` block: (seconds, phase, node id), slowest first as pytest lists them."""
    rows, inside = [], False
    for line in output.splitlines():
        if "slowest" in line and "durations" in line:
            inside = True
        elif inside:
            match = _DURATION.match(line)
            if match:
                rows.append((float(match.group(1)), match.group(2), match.group(3).strip()))
            elif line.startswith("=") or (rows and not line.strip()):
                break
    return rows


def run_once(command: list[str], timeout: float) -> Run:
    """One run in a process group of its own, so that a timeout ends it with all it started (servers, drivers).

    The CPU figure is the children's user+sys time: each finished process's CPU is added to its parent's when the
    parent reaps it, so servers and browsers count too. It does not depend on what else the machine is doing."""
    cpu = _children_cpu()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: nothing left behind can hold it open
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            status = None
            _stop_group(process)
        wall = time.perf_counter() - started
        log.seek(0)
        output = log.read()
    summary = output.rpartition("short test summary info")[2]  # captured logs have ERROR lines too
    failures = [line for line in summary.splitlines() if line.startswith(("FAILED ", "ERROR ", "SUBFAILED"))]
    return Run(wall, _children_cpu() - cpu, status, counts(output), slowest(output), failures)


def _stop_group(process: subprocess.Popen) -> None:
    """TERM the run's process group (servers shut down, temporary folders go), KILL what is left after 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=10)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def machine_speed() -> float:
    """Seconds this machine's one core takes for a fixed pure-Python loop (best of three): the same suite's figures
    differ from one machine, or one day of a shared machine, to the next, and this says by how much."""
    def once() -> float:
        started = time.process_time()
        total = 0
        for i in range(10_000_000):
            total += i
        return time.process_time() - started

    return min(once() for _ in range(3))


def _describe(run: Run) -> str:
    figures = ", ".join(f"{n} {kind}" for kind, n in run.counts.items()) or "no test counts"
    outcome = "timed out" if run.status is None else f"exit status {run.status}"
    return f"{run.wall:7.1f} s wall, {run.cpu:7.1f} s CPU, {figures} ({outcome})"


def main() -> int:
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)

    workers = os.environ.get("IBCERT_WORKERS") or "auto"
    command = [sys.executable, "-m", "pytest", "-n", workers, "--durations=10", "-q", "-p", "no:cacheprovider", *extra]
    print(f"{shlex.join(['python', *command[1:]])}  ({args.runs} runs, timeout {args.timeout:.0f} s each)", flush=True)
    print(f"machine: {machine_speed():.2f} s for the reference loop on one core (lower is faster), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the runs", flush=True)
    runs = []
    for index in range(args.runs):
        run = run_once(command, args.timeout)
        runs.append(run)
        print(f"run {index + 1}: {_describe(run)}", flush=True)
        for line in run.failures[:10]:
            print(f"    {line}", file=sys.stderr)

    print(f"median {statistics.median(r.wall for r in runs):.1f} s wall (min {min(r.wall for r in runs):.1f}, "
          f"max {max(r.wall for r in runs):.1f}), {statistics.median(r.cpu for r in runs):.1f} s CPU, over "
          f"{len(runs)} runs; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    by_wall = sorted(range(len(runs)), key=lambda i: runs[i].wall)
    middle = by_wall[(len(runs) - 1) // 2]
    print(f"slowest tests of run {middle + 1} (the median run):")
    for seconds, phase, node in runs[middle].slowest:
        print(f"  {seconds:7.2f} s {phase:<8} {node}")
    if not runs[middle].slowest:
        print("  (no --durations block in its output)")
    return 0 if all(r.status == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
