"""Revoking a certificate (失効) and the issuing CA's revocation list (CRL, RFC 5280) that says so to everyone.

A revoked certificate is refused at logon and ends any session made with it (issuance.logon_refusal, judged on every
protected request). The CRL is signed anew at every revocation and kept in the database, so every worker serves the
same list; issued certificates name its address (the CRL distribution point: issuance.crl_url).
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from certs.pki import Revoked

from . import clock, issuance
from .models import Certificate, RevocationList, db

# why a certificate was revoked, as the CRL says it
LOST = x509.ReasonFlags.key_compromise  # FAQ 12, 17: the PC that holds it may be in someone else's hands
SUPERSEDED = x509.ReasonFlags.superseded  # reissued or renewed: a new one takes its place
ENDED = x509.ReasonFlags.cessation_of_operation  # the contract was cancelled, or the user deleted
REASONS = {"lost": LOST, "superseded": SUPERSEDED, "ended": ENDED}
# a CRL stays current this long even if nothing is revoked (each revocation publishes a new one at once)
NEXT_UPDATE = dt.timedelta(days=7)


def revoke(record: Certificate, reason: x509.ReasonFlags) -> bool:
    """Revoke *record* now, once (one conditional UPDATE: of two racing revocations one takes effect), and publish the
    CRL with it. False if it was revoked already. Commits."""
    now = clock.now()
    taken = db.session.execute(
        update(Certificate).where(Certificate.id == record.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=now, revocation_reason=reason.value)
    ).rowcount
    db.session.commit()
    db.session.refresh(record)
    if taken:
        publish()
    return taken == 1


def publish() -> bytes:
    """Sign a CRL of every revoked certificate, with the next cRLNumber, and keep it as the one served. Commits.

    The list is written only over the one it was made after: a worker whose list another worker's has replaced in
    the meantime signs again, so the list served always holds every revocation committed before it was signed."""
    for _attempt in range(20):
        latest = _latest()
        number = (latest.number + 1) if latest else 1
        now = clock.now()
        der = _signed(number, now)
        if latest is None:
            db.session.add(RevocationList(id=1, number=number, der=der, published_at=now))
            try:
                db.session.commit()
                return der
            except IntegrityError:  # another worker published the first list meanwhile
                db.session.rollback()
                continue
        written = db.session.execute(
            update(RevocationList).where(RevocationList.id == 1, RevocationList.number == latest.number)
            .values(number=number, der=der, published_at=now)).rowcount
        db.session.commit()
        if written:
            return der
    raise RuntimeError("the CRL could not be published: it kept changing under this worker")


def _signed(number: int, now: dt.datetime) -> bytes:
    revoked = db.session.scalars(db.select(Certificate).where(Certificate.revoked_at.is_not(None))
                                 .order_by(Certificate.revoked_at)).all()
    crl = issuance.pki().issuing_ca.revocation_list(
        [Revoked(int(c.serial, 16), c.revoked_at, x509.ReasonFlags(c.revocation_reason or "unspecified"))
         for c in revoked],
        number=number, this_update=now, next_update=now + NEXT_UPDATE)
    return crl.public_bytes(serialization.Encoding.DER)


def current() -> bytes:
    """The CRL as last published (one is published the first time it is asked for)."""
    latest = _latest()
    return latest.der if latest else publish()


def _latest() -> RevocationList | None:
    db.session.expire_all()
    return db.session.get(RevocationList, 1)
