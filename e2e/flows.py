"""Ways to reach a later step quickly, made of the same page-object methods as the walkthrough (pages.walkthrough).

Every test starts from its own fresh contract; these helpers bring it to the state a step needs.
"""

from __future__ import annotations

from pages.admin import ContractStatusPage, NewUser
from pages.home import ServiceTopPage
from pages.provisioning import Contract
from pages.walkthrough import (SAMPLE, SampleValues, activate_admin, admin_logon, enroll, logon_screen,
                               open_service_top, register_user)
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


def registered_user(pc: Workstation, contract: Contract, sample: SampleValues = SAMPLE,
                    user: NewUser | None = None) -> NewUser:
    """I-1 … I-4 done on `pc`: the user is registered, the admin logged off."""
    user = user or sample.user
    register_user(admin_logged_on(pc, contract, sample), sample, user=user)
    return user


def user_with_certificate(admin_pc: Workstation, user_pc: Workstation, contract: Contract,
                          sample: SampleValues = SAMPLE) -> tuple[NewUser, StoredCertificate]:
    """I and II-1 done: `user_pc` holds the user's certificate."""
    user = registered_user(admin_pc, contract, sample)
    top = user_pc.open().open_corporate()
    certificate = enroll(top, "user", contract.contract_number, user.temporary_logon_pin,
                         user.temporary_confirmation_pin, user_id=user.user_id)
    return user, certificate


__all__ = ["activated_admin", "admin_with_certificate", "admin_logged_on", "registered_user",
           "user_with_certificate", "logon_screen", "SAMPLE"]
