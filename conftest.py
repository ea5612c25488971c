"""The run order of the whole suite (tests/ and e2e/): the longest work first, the short in-process tests last.

xdist hands tests to whichever worker is free, in this order. With a long test (the documentation build, a browser
test walking many screens) at the end, one worker would finish it alone while the other idles; started first, the
long tests overlap, and the hundreds of short tests of tests/ fill the end evenly.
"""

from __future__ import annotations

import os

import pytest

# The browser suite's options, known to every run whatever paths it names (see e2e/options.py).
pytest_plugins = ("e2e.options",)

# Lower runs earlier; within a rank the collection order stays.
_FIRST = ("docs", "walkthrough", "tls")


def _rank(item: pytest.Item) -> int:
    for rank, marker in enumerate(_FIRST):
        if item.get_closest_marker(marker):
            return rank
    return len(_FIRST) + (item.nodeid.startswith("tests/"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (the README's test command): one worker more than the machine has cores. A browser test waits a
    part of its time — on Playwright's client-certificate proxy (some 20 ms a page load), on the server — and with
    one worker a core that time is idle; the extra worker fills it (bench/suite.py: 2 cores, 2 workers 12 % idle,
    3 workers 3 %). PYTEST_XDIST_AUTO_NUM_WORKERS still decides where it is set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return (os.cpu_count() or 1) + 1
