"""Serve the refserver over HTTPS with werkzeug, requesting a client certificate (development and embedded use).

    python -m refserver [--host 127.0.0.1] [--port 8443]

For production use gunicorn with refserver/gunicorn.conf.py (see README).
"""

from __future__ import annotations

import argparse

from . import create_app, tls


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m refserver", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    args = parser.parse_args()
    app = create_app()
    pki = app.extensions["ibcert_pki"]
    context = tls.server_context(pki.server_cert_pem, pki.server_key_pem, pki.client_ca_pem)
    print(f" * https://{args.host}:{args.port}/  (trust {pki.root_ca_pem} in the browser)")
    app.run(host=args.host, port=args.port, ssl_context=context, threaded=True)


if __name__ == "__main__":
    main()
