"""python -m manual: rebuild 電子証明書かんたんスタートマニュアル from the running service.

    python -m manual build                  # out/manual/: steps/<ID>.png, manual.html, manual.pdf, report.{json,html}
    python -m manual check --against DIR    # drift check against a previous set (e.g. the one the docs team keeps)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from manual import build, document, drift
from manual.render import STEPS_DIR, plan_pages
from pages import settings

EXIT_OK, EXIT_DRIFT, EXIT_FAILED = 0, 1, 3

EPILOG = """\
exit status: 0 = every step passed (check: and no screen drifted); 1 = check only: drift, the changed step IDs
are listed, their diff images written to DIR/diff/<ID>.png and the changed shots (and the manual) rewritten in DIR;
3 = a step of the walkthrough failed (see DIR.failed/report.html: which step ID, what was expected; DIR itself is
left as it was, byte for byte); 2 = usage error.
A check against a folder without a previous set writes every step as new and exits 1: commit that set as the
baseline, and later checks compare with it."""


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-outline", dest="outline", action="store_false",
                        help="do not outline the element each step acts on (outlined in red by default)")
    parser.add_argument("--wording", type=Path, help="TOML file overriding spec/wording.toml (env IBCERT_WORDING)")
    server = parser.add_argument_group(
        "server", "default: an embedded reference server with a frozen clock. A server given instead must run in "
                  "testing mode with a frozen clock (IBCERT_TESTING=1, IBCERT_FROZEN_NOW) for the shots to be "
                  "reproducible, and must not hold the demo contract 12345678901 yet; its bank name is its own.")
    server.add_argument("--base-url", help="use this running server instead")
    server.add_argument("--operator-token", help="bearer token of that server's operator API")
    server.add_argument("--ca-cert", type=Path, help="PEM of the CA that signed that server's TLS certificate")
    connect_env = settings.load().CONNECT_ENV
    parser.add_argument("--connect", default=os.environ.get(connect_env), metavar="WS_ENDPOINT",
                        help="take the browser from this Playwright browser server (`playwright run-server`, "
                             f"e.g. ws://host:3000/) instead of launching one (env {connect_env})")
    bank = parser.add_argument_group("bank", "defaults: the manual's (目黒信用金庫)")
    bank.add_argument("--bank-name")
    bank.add_argument("--bank-homepage", dest="homepage", help="the bank's home page address, printed at I-1.1")
    bank.add_argument("--contact-department", dest="departments", action="append",
                      help="a line of the 問い合わせ先 block under the bank's name (repeat for several)")
    bank.add_argument("--contact-phone", dest="phone")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m manual", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="walk the manual, write one PNG per step and the manual",
                                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    build_parser.add_argument("--out", type=Path, default=Path("out/manual"), help="output folder (%(default)s)")
    check_parser = commands.add_parser("check", help="regenerate and compare with a previous set (drift check)",
                                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check_parser.add_argument("--against", type=Path, default=Path("out/manual"),
                              help="folder of the previous set, updated in place (%(default)s)")
    for sub in (build_parser, check_parser):
        _options(sub)
    return parser


def _server(parser: argparse.ArgumentParser, args) -> build.RemoteServer | None:
    given = [args.base_url, args.operator_token, args.ca_cert]
    if not any(given):
        return None
    if not all(given):
        parser.error("--base-url, --operator-token and --ca-cert go together")
    return build.RemoteServer(args.base_url, args.operator_token, args.ca_cert)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    departments = tuple(args.departments) if args.departments else None
    branding = document.Branding(bank_name=args.bank_name, homepage=args.homepage, departments=departments,
                                 phone=args.phone)
    options = dict(outline=args.outline, branding=branding, server=_server(parser, args),
                   wording_file=args.wording, connect=args.connect)

    if args.command == "build":
        report = build.publish(args.out, **options)
        print(report.summary())
        if not report.ok:
            print(f"{args.out} is left as it was; this build's report and shots: "
                  f"{build.failed_dir(args.out)}/report.html")
            return EXIT_FAILED
        print(f"{args.out}/manual.html, manual.pdf, report.html ({report.seconds:.1f} s)")
        return EXIT_OK

    with tempfile.TemporaryDirectory(prefix="manual-check-") as fresh:
        report = build.build(Path(fresh), **options)
        if report.ok:
            report.drift = drift.sync(Path(fresh), args.against, STEPS_DIR, "manual.html", "manual.pdf")
        else:
            for result in report.results:  # the fresh shots go with the temporary folder
                result.screenshot = None
    written = args.against if report.ok else build.failed_dir(args.against)  # a failed check leaves the set as it was
    written.mkdir(parents=True, exist_ok=True)
    report.write(written)
    print(report.summary())
    if not report.ok:
        print(f"{args.against} is left as it was; this check's report: {written}/report.html")
        return EXIT_FAILED
    if report.drift.drifted:
        for kind in ("changed", "added", "removed"):
            ids = getattr(report.drift, kind)
            if ids:
                print(f"drift: {kind}: {' '.join(ids)}")
        page_of = {step.id: number for number, page in enumerate(plan_pages(document.load(branding)), start=1)
                   for step in page.steps}
        pages = sorted({page_of[i] for i in report.drift.changed + report.drift.added if i in page_of})
        print(f"these manual pages need review: {', '.join(map(str, pages))} of manual.pdf; see {args.against}/diff/ "
              f"and {args.against}/report.html")
        return EXIT_DRIFT
    print(f"no drift against {args.against}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
