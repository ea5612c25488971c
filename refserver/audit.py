"""The audit log: who did what, when, on which contract — every action of the bank's staff (back-office screens,
API, CLI) and every change an administrator makes to the contract's IDs. Entries are only ever added."""

from __future__ import annotations

from . import clock
from .models import AuditEntry, db

# who acts, when nobody logged on says it: a call with the operator token, the command line
API = "API"


def record(actor: str, action: str, contract_number: str | None, detail: str = "") -> AuditEntry:
    """Add one entry to the session (the caller's commit writes it with the change it records)."""
    entry = AuditEntry(at=clock.now(), actor=actor, action=action, contract_number=contract_number, detail=detail)
    db.session.add(entry)
    return entry


def entries(contract_number: str | None = None, limit: int = 200) -> list[AuditEntry]:
    """The newest entries first, of one contract or of all."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if contract_number:
        query = query.where(AuditEntry.contract_number == contract_number)
    return list(db.session.scalars(query))
