"""`python -m certs`: make the dev PKI (if needed) and print where it is; `python -m certs mint KIND OUT.p12` writes
a test client certificate as PKCS#12, for trying the refserver by hand with a browser or curl."""

import argparse
import sys
from pathlib import Path

from certs.pki import DevPKI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m certs", description=__doc__)
    parser.add_argument("--state-dir", type=Path, help="PKI state folder (default: IBCERT_PKI_DIR or .ibcert/pki)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("show", help="make the PKI if needed and print its files (the default)")
    mint = commands.add_parser("mint", help="write a test client certificate as PKCS#12")
    mint.add_argument("kind", choices=["valid", "foreign", "expired", "not_yet_valid", "wrong_usage"])
    mint.add_argument("output", type=Path)
    mint.add_argument("--password", default="ibcert")
    mint.add_argument("--common-name", default="ibcert test client")
    args = parser.parse_args(argv)

    pki = DevPKI(args.state_dir) if args.state_dir else DevPKI.default()
    if args.command == "mint":
        issued = pki.mint_test_client(args.kind, common_name=args.common_name)
        args.output.write_bytes(issued.pkcs12(args.password, args.common_name))
        print(f"{args.output}  (password: {args.password}, SHA-256 {issued.fingerprint})")
        return 0
    for label, path in [("root CA (trust this for the server)", pki.root_ca_pem),
                        ("client CA bundle (server verifies clients)", pki.client_ca_pem),
                        ("server certificate chain", pki.server_cert_pem),
                        ("server key", pki.server_key_pem)]:
        print(f"{label:45} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
