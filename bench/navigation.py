"""What one page load and one new PC cost the browser suite: CPU of the whole machine (browser, renderers, Playwright's
driver, the server) per navigation and per new browser context, with the launch arguments of playwright.config.py and
with Playwright's alone (`--only-playwright`), on the embedded refserver.

    .venv/bin/python bench/navigation.py [-n 40] [--only-playwright]

The browser suite is CPU-bound on a 2-core machine: these unit costs, times the loads and contexts a run makes, are
most of its wall time. Machine-wide busy time from /proc/stat, so run it on an otherwise quiet machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from pages import settings  # noqa: E402
from pages.provisioning import BankOperator  # noqa: E402
from refserver.embedded import EmbeddedServer  # noqa: E402

ADMIN = {"logon_pin": "Kanri2024x", "confirmation_pin": "Kakunin77y", "email": "keiri@example.co.jp"}


def busy_seconds() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def measure(label: str, action, n: int) -> None:
    action()  # warm up
    wall, cpu = time.monotonic(), busy_seconds()
    for _ in range(n):
        action()
    wall, cpu = (time.monotonic() - wall) / n, (busy_seconds() - cpu) / n
    print(f"{label:42s} wall {wall * 1000:6.1f} ms   CPU {cpu * 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=40, help="repetitions of each measure (default 40)")
    parser.add_argument("--only-playwright", action="store_true",
                        help="launch with Playwright's features only (without playwright.config.py's DISABLED_FEATURES)")
    args = parser.parse_args()
    config = settings.load()
    if args.only_playwright:
        config.DISABLED_FEATURES = ()
    with EmbeddedServer(env={"IBCERT_PIN_KDF_COST": "10"}, workers=1) as server, \
            tempfile.TemporaryDirectory() as folder, settings.node_trusts(server.ca_cert), sync_playwright() as pw:
        operator = BankOperator(server.base_url, server.operator_token, str(server.ca_cert))
        certificate = operator.create_contract(at="admin_certified", admin=ADMIN).admin_certificate
        browser = pw.chromium.launch(**settings.launch_args(config.find_chromium(),
                                                            home=settings.trust_home(server.ca_cert, folder)))
        context_args = {**settings.context_args(), "base_url": server.base_url}
        with_certificate = {"client_certificates": [{"origin": server.base_url, "pfx": certificate.pkcs12,
                                                     "passphrase": certificate.password}]}
        print(f"launch arguments: {' '.join(settings.launch_args(None)['args'])}")
        page = browser.new_context(**context_args).new_page()
        measure("page load (サービストップ)", lambda: page.goto("/"), args.n)
        page = browser.new_context(**context_args, **with_certificate).new_page()
        measure("page load, a client certificate held", lambda: page.goto("/"), args.n)

        def new_pc(**options):
            context = browser.new_context(**context_args, **options)
            context.new_page().goto("/")
            context.close()

        measure("new context + first page load", new_pc, args.n // 2)
        measure("new context + first page load, certificate", lambda: new_pc(**with_certificate), args.n // 2)
        browser.close()


if __name__ == "__main__":
    main()
