"""The 付録's shots (spec/appendix.toml): after the walk, the screens of the FAQ's answers on the same demo contract —
the ID・パスワード方式's form of the logon screen (A-4), the bank's back office (A-3), the administrator's reissue of a
user's certificate (A-2), and the renewal notice once the server's clock is a renewal window before the certificate's
expiry (A-1).

A-1 … A-3 need the bank's back office and a testing clock, A-4 the ID・パスワード方式 (GET /api/capabilities): a server
without them gets those shots reported not applicable (see unavailable).
"""

from __future__ import annotations

import datetime as dt

from pages.provisioning import BankOperator, Contract, ProvisioningError
from pages.staff import BankStaff
from pages.walkthrough import SAMPLE, SampleValues, StepRecorder, admin_logon, logon_screen
from pages.workstation import Workstation

# The staff member the shot of the back office shows (the header names them).
STAFF = ("docs", "当金庫 職員", "Manual2026docs")


def unavailable(operator: BankOperator) -> dict[str, str]:
    """The 付録's shots the server cannot give, each with what it lacks."""
    capabilities = operator.capabilities()
    missing = {}
    if not (capabilities.get("back_office") and capabilities.get("clock")):
        missing.update(dict.fromkeys(("A-1", "A-2", "A-3"), "needs: back_office, clock"))
    if "password" not in capabilities.get("auth_methods", ()):
        missing["A-4"] = "needs: auth_methods password"
    return missing


def walk_appendix(admin_pc: Workstation, staff_pc: Workstation, contract: Contract, operator: BankOperator,
                  recorder: StepRecorder, *, sample: SampleValues = SAMPLE, skip=frozenset()) -> None:
    """Shoot A-4, A-3, A-2, A-1 (recorder(step_id, screen) on each), but those in `skip` (see unavailable)."""
    if "A-4" not in skip:  # on the bank's terminal, before its staff logon
        recorder("A-4", logon_screen(staff_pc, "admin"))
    if "A-3" in skip:  # the back office's shots go together
        return
    login, name, password = STAFF
    try:
        operator.create_staff(login, name, password)
    except ProvisioningError as error:
        if error.status != 409:  # there since an earlier build on the same server: the same account
            raise
    recorder("A-3", BankStaff(staff_pc, login, password).contract(contract.contract_number))
    status = admin_logon(admin_pc, contract, sample)
    recorder("A-2", status.management().users().user(sample.user.user_id))
    capabilities = operator.capabilities()
    days = capabilities.get("certificate_validity_days", 365) - capabilities.get("renewal_window_days", 30)
    now = dt.datetime.fromisoformat(operator.clock()["now"])
    operator.set_clock(now=(now + dt.timedelta(days=days)).isoformat())  # the window's first day: its logon ends
    recorder("A-1", admin_logon(admin_pc, contract, sample))
