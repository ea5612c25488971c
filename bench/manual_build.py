"""Benchmark of the documentation job: `python -m manual build` (37 PNGs + HTML + PDF), end to end.

    .venv/bin/python bench/manual_build.py [-n 5] [--keep DIR]

Each run is a fresh process, as a user or CI starts it: server start, provisioning, browser launch, the walk, the
shots, HTML and PDF all count. Prints every run's wall time, the median, the peak memory of the whole process tree
(python + server workers + Playwright driver + Chromium: PSS sampled from /proc) and whether every run produced the
same PNGs (SHA-256).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_EVERY = 0.25  # seconds between memory samples (a scan of /proc costs CPU the build would miss)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _memory_kib(pid: int) -> int:
    """Proportional set size: shared pages (libraries, fonts, Chromium's shared memory) split among their users,
    so that the sum over processes is the memory the tree really takes; VmRSS where smaps_rollup is unreadable."""
    for name, field in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1])
        except OSError:
            pass
    return 0


def tree_memory_kib(root: int) -> int:
    """Memory of `root` and all its descendants."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _memory_kib(pid)
        todo.extend(tree.get(pid, []))
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(out: Path) -> tuple[float, float, int, int]:
    """(wall s, CPU s of the whole tree, peak memory of the tree (PSS) in KiB, exit status) of one build into `out`.

    The CPU figure does not depend on what else the machine is doing; on a busy machine it tells more than the wall
    time (each finished process's CPU time is added to its parent's when the parent reaps it)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "manual", "build", "--out", str(out)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_memory_kib(process.pid))
        time.sleep(SAMPLE_EVERY)
    seconds = time.perf_counter() - started
    output = process.stdout.read()
    if process.returncode:
        print(output, file=sys.stderr)
    return seconds, _children_cpu() - cpu, peak, process.returncode


def shot_hashes(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((out / "steps").glob("*.png"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="leave the runs' output folders here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="manual-bench-") as scratch:
        base = args.keep or Path(scratch)
        times, cpus, peaks, hashes = [], [], [], []
        for index in range(args.runs):
            out = base / f"run{index + 1}"
            seconds, cpu, peak, status = run_once(out)
            if status:
                print(f"run {index + 1}: exit status {status}", file=sys.stderr)
                return status
            times.append(seconds)
            cpus.append(cpu)
            peaks.append(peak)
            hashes.append(shot_hashes(out))
            print(f"run {index + 1}: {seconds:6.2f} s wall, {cpu:6.2f} s CPU, peak memory {peak / 1024:7.1f} MiB, "
                  f"{len(hashes[-1])} PNGs")
            sys.stdout.flush()

    print(f"median {statistics.median(times):.2f} s wall (min {min(times):.2f}, max {max(times):.2f}), "
          f"{statistics.median(cpus):.2f} s CPU, over {len(times)} runs; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"peak memory of the process tree {max(peaks) / 1024:.1f} MiB (PSS: shared pages split among processes)")
    first = hashes[0]
    differing = sorted({name for h in hashes[1:] for name in h.keys() | first.keys() if h.get(name) != first.get(name)})
    print(f"PNGs DIFFER between runs: {', '.join(differing)}" if differing else "PNGs identical in every run (SHA-256)")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
