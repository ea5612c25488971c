"""Settings of the refserver, read from environment variables with the prefix IBCERT_.

    IBCERT_DATABASE_URL          SQLAlchemy URL (default: SQLite ibcert.db in the instance folder)
    IBCERT_OPERATOR_TOKEN        bearer token of the bank-side JSON API (unset: the API refuses every call)
    IBCERT_SECRET_KEY            session signing key (unset: made once into the instance folder, shared by workers)
    IBCERT_TESTING               1 = testing mode: the clock can be moved, OTP cells can be fixed
    IBCERT_FROZEN_NOW            ISO 8601 instant the app clock stands still at (testing mode only)
    IBCERT_LOCKOUT_THRESHOLD     consecutive wrong PINs / one-time passwords that lock an ID (6)
    IBCERT_CERT_VALIDITY_DAYS    validity of an issued client certificate (365)
    IBCERT_ENROLLMENT_WINDOW_DAYS days after the application within which the first certificate can be obtained (80)
    IBCERT_PKI_DIR               state folder of the dev PKI (default <repo>/.ibcert/pki)
    IBCERT_BANK_NAME             the bank's name on its home page (目黒信用金庫)
    IBCERT_PIN_KDF_COST          scrypt cost exponent for PIN hashes (14, i.e. N = 2**14)
    IBCERT_CLIENT_MISS_LIMIT     wrong answers one client may give on the anonymous forms per window (30)
    IBCERT_CLIENT_MISS_WINDOW_MINUTES  that window (10)
    IBCERT_IDLE_TIMEOUT_MINUTES  a logon with no request for this long ends (10)
    IBCERT_SESSION_LIFETIME_MINUTES  a logon ends this long after it began, however busy (720: ASVS 3.3.2)
    IBCERT_RENEWAL_WINDOW_DAYS   days before its expiry from which a logged-on ID may renew its certificate (30)
    IBCERT_CRL_URL               the CRL's address named in issued certificates (default: this server's
                                 /crl/issuing-ca.crl)
    IBCERT_SMTP_HOST             the mail server notices are sent through (unset: no notice is sent)
    IBCERT_SMTP_PORT             its port (25)
    IBCERT_MAIL_FROM             the sender of notices (ib-notice@example.jp)
    IBCERT_USER_EMAIL_REQUIRED   1 = a user's Eメールアドレス must be given at 利用者登録 (I-4.7); unset: optional
    IBCERT_TRANSFER_LIMIT        the largest amount of one 振込, in 円 (10000000: 1,000万円)
    IBCERT_TRUSTED_PROXY         addresses or networks (comma-separated) of the TLS proxy in front (deploy/): only
                                 its X-SSL-Client-Cert and X-Forwarded-* are read, and gunicorn serves it plain HTTP
                                 (unset: no proxy, gunicorn serves TLS itself); see proxy.py
    IBCERT_SKIN                  a vendor's skin (relative to the repository, e.g. vendors/reskin): its templates/
                                 are found before the refserver's own, its wording.toml words the screens; see skin.py
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from certs.pki import DEFAULT_STATE_DIR

PREFIX = "IBCERT_"

DEFAULTS = {
    "DATABASE_URL": None,
    "OPERATOR_TOKEN": None,
    "SECRET_KEY": None,
    "TESTING": False,
    "FROZEN_NOW": None,
    "LOCKOUT_THRESHOLD": 6,
    "CERT_VALIDITY_DAYS": 365,
    "ENROLLMENT_WINDOW_DAYS": 80,
    "PKI_DIR": str(DEFAULT_STATE_DIR),
    "BANK_NAME": "目黒信用金庫",
    "PIN_KDF_COST": 14,
    "CLIENT_MISS_LIMIT": 30,
    "CLIENT_MISS_WINDOW_MINUTES": 10,
    "IDLE_TIMEOUT_MINUTES": 10,
    "SESSION_LIFETIME_MINUTES": 12 * 60,
    "RENEWAL_WINDOW_DAYS": 30,
    "CRL_URL": None,
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "MAIL_FROM": "ib-notice@example.jp",
    "USER_EMAIL_REQUIRED": False,
    "TRANSFER_LIMIT": 10_000_000,
    "TRUSTED_PROXY": None,
    "SKIN": None,
}


def _parse(default, raw: str):
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    return raw or None


def from_environment(environ=os.environ) -> dict:
    """DEFAULTS overridden by whichever IBCERT_* variables are set."""
    settings = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = environ.get(PREFIX + key)
        if raw is not None:
            settings[key] = _parse(default, raw)
    return settings


def instance_secret_key(instance_path: str) -> str:
    """The signing key kept in the instance folder, made by whichever process comes first.

    Every gunicorn worker must sign sessions with the same key, so a per-process random key will not do. The key is
    written to a private temporary file and hard-linked into place: the link either wins or finds the winner's
    complete file, so no worker ever reads a half-written key.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
