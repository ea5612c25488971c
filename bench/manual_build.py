"""Benchmark of the documentation job: `python -m manual build` (37 PNGs + HTML + PDF), end to end.

    .venv/bin/python bench/manual_build.py [-n 5] [--keep DIR]

Each run is a fresh process, as a user or CI starts it: server start, provisioning, browser launch, the walk, the
shots, HTML and PDF all count. Prints every run's wall time, the median, the peak memory of the whole process tree
(python + server workers + Playwright driver + Chromium, sampled from /proc) and whether every run produced the
same PNGs (SHA-256).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_EVERY = 0.05  # seconds between memory samples


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


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(root: int) -> int:
    """Resident memory of `root` and all its descendants (shared pages counted once per process)."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kib(pid)
        todo.extend(tree.get(pid, []))
    return total


def run_once(out: Path) -> tuple[float, int, int]:
    """(wall seconds, peak tree RSS in KiB, exit status) of one build into `out`."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "manual", "build", "--out", str(out)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(SAMPLE_EVERY)
    seconds = time.perf_counter() - started
    output = process.stdout.read()
    if process.returncode:
        print(output, file=sys.stderr)
    return seconds, peak, process.returncode


def shot_hashes(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((out / "steps").glob("*.png"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="leave the runs' output folders here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="manual-bench-") as scratch:
        base = args.keep or Path(scratch)
        times, peaks, hashes = [], [], []
        for index in range(args.runs):
            out = base / f"run{index + 1}"
            seconds, peak, status = run_once(out)
            if status:
                print(f"run {index + 1}: exit status {status}", file=sys.stderr)
                return status
            times.append(seconds)
            peaks.append(peak)
            hashes.append(shot_hashes(out))
            print(f"run {index + 1}: {seconds:6.2f} s, peak RSS {peak / 1024:7.1f} MiB, {len(hashes[-1])} PNGs")

    print(f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}) over {len(times)} "
          f"runs; peak RSS of the process tree {max(peaks) / 1024:.1f} MiB")
    identical = all(h == hashes[0] for h in hashes)
    print("PNGs identical in every run (SHA-256)" if identical else "PNGs DIFFER between runs")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
