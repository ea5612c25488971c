"""Ways to reach a later step quickly, made of the same page-object methods as the walkthrough (pages.walkthrough).

Admin-side tests start from their own fresh contract; these helpers bring it to the state a step needs. User-side
tests get a fresh user from the worker's BankAdministrator instead.
"""

from __future__ import annotations

import itertools

from pages.admin import ContractStatusPage, NewUser
from pages.home import ServiceTopPage
from pages.provisioning import Contract
from pages.walkthrough import (SAMPLE, SampleValues, activate_admin, admin_logon, enroll, logon_screen,
                               open_service_top)
from pages.workstation import StoredCertificate, Workstation


def activated_admin(pc: Workstation, contract: Contract, sample: SampleValues = SAMPLE) -> ServiceTopPage:
    """I-1, I-2 done: the admin's PINs are set; on the service top."""
    return activate_admin(open_service_top(pc), contract, sample)


def admin_with_certificate(pc: Workstation, contract: Contract, sample: SampleValues = SAMPLE) -> StoredCertificate:
    """I-1 … I-3 done: `pc` holds the admin's certificate."""
    top = activated_admin(pc, contract, sample)
    return enroll(top, "admin", contract.contract_number, sample.admin_logon_pin, sample.admin_confirmation_pin)


def admin_logged_on(pc: Workstation, contract: Contract, sample: SampleValues = SAMPLE) -> ContractStatusPage:
    """… and I-4.1 … I-4.5: the admin is on ご契約先ステータス."""
    admin_with_certificate(pc, contract, sample)
    return admin_logon(pc, contract, sample)


class BankAdministrator:
    """One contract's admin, activated, with a certificate, staying logged on on its own PC: the registrar of users.

    Why: every user-side test needs a registered user, and building a contract up to I-4 through the browser took
    20–30 s per test. One of these per xdist worker (fixture `bank_admin`) registers a FRESH user for each test
    (unique 利用者ID) through the admin screens (I-4.6, I-4.7), so each test still has its own user, PC and
    certificate store. Admin-side behaviour (I-x steps, the admin's lockout and certificate rules) is not tested
    on it: those tests keep their own contract.
    """

    def __init__(self, pc: Workstation, contract: Contract, user_id_prefix: str, sample: SampleValues = SAMPLE):
        self.pc, self.contract, self.sample = pc, contract, sample
        self._user_ids = (f"{user_id_prefix}u{n:03d}" for n in itertools.count(1))
        self.certificate = admin_with_certificate(pc, contract, sample)
        self._status_url = self._log_on().page.url

    def _log_on(self) -> ContractStatusPage:
        return admin_logon(self.pc, self.contract, self.sample)

    def status(self) -> ContractStatusPage:
        """ご契約先ステータス, logging on again (same page objects) if the bank has ended the admin's session."""
        self.pc.page.goto(self._status_url)
        shown = self.pc.expect_screen(ContractStatusPage, ServiceTopPage)
        return shown if isinstance(shown, ContractStatusPage) else self._log_on()

    def register_user(self) -> NewUser:
        """I-4.6, I-4.7: a new user (fresh 利用者ID, SAMPLE's name and 仮 PINs); the admin stays logged on."""
        user = NewUser(next(self._user_ids), self.sample.user.name, self.sample.user.temporary_logon_pin,
                       self.sample.user.temporary_confirmation_pin)
        done = self.status().open_new_user_registration().register(user, self.sample.admin_confirmation_pin)
        done.expect_done()
        return user


def user_with_certificate(bank_admin: BankAdministrator, user_pc: Workstation) -> tuple[NewUser, StoredCertificate]:
    """A fresh user of `bank_admin`'s contract, II-1 done: `user_pc` holds the user's certificate."""
    user = bank_admin.register_user()
    top = user_pc.open().open_corporate()
    certificate = enroll(top, "user", bank_admin.contract.contract_number, user.temporary_logon_pin,
                         user.temporary_confirmation_pin, user_id=user.user_id)
    return user, certificate


__all__ = ["activated_admin", "admin_with_certificate", "admin_logged_on", "BankAdministrator",
           "user_with_certificate", "logon_screen", "SAMPLE"]
