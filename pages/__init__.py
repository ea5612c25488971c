"""Page objects of the 法人IB certificate onboarding, in the quick-start manual's terms.

Elements are found by ARIA role and accessible name only, with the manual's wording (spec/wording.toml, overridable
through IBCERT_WORDING / --wording). One class per screen, one method per manual step returning the next screen.
"""

from .activation import ActivationCompletePage, ActivationPage, ActivationPinsPage, OneTimePasswordPage
from .admin import (ContractManagementPage, ContractStatusPage, NewUser, UserDetailPage, UserListPage,
                    UserRegisteredPage, UserRegistrationPage)
from .base import Dialog, Screen, ScreenMismatch
from .credentials import CustomerCard, SoftwareToken
from .enrollment import (CertificateEnrollmentPage, DownloadedCertificate, EnrollmentCompletePage,
                         EnrollmentConfirmDialog, InstallDialog, IssuingPage, SecurityLevelDialog)
from .home import BankHomePage, ServiceTopPage
from .logon import (AccessPermissionDialog, AdminLogonPage, CertificateSelectionDialog, LogonPage, LogonPinPage,
                    UserLogonPage)
from .provisioning import BankOperator, Contract
from .renewal import RenewalCompletePage, RenewalConfirmPage
from .staff import AuditLogPage, BankStaff, RecontractedPage, StaffContractPage, StaffLogonPage, StaffSearchPage
from .transfer import Payment, TransferConfirmPage, TransferDonePage, TransferPage, TransferRefusedPage
from .user import UserPinSetupPage, UserStatusPage
from spec import Wording
from .workstation import StoredCertificate, Workstation

__all__ = [
    "AccessPermissionDialog", "ActivationCompletePage", "ActivationPage", "ActivationPinsPage", "AdminLogonPage",
    "AuditLogPage", "BankHomePage", "BankOperator", "BankStaff", "RecontractedPage", "RenewalCompletePage",
    "RenewalConfirmPage", "StaffContractPage", "StaffLogonPage", "StaffSearchPage", "UserDetailPage", "CertificateEnrollmentPage", "CertificateSelectionDialog", "Contract",
    "ContractManagementPage", "ContractStatusPage", "CustomerCard", "Dialog", "DownloadedCertificate",
    "EnrollmentCompletePage", "EnrollmentConfirmDialog", "InstallDialog", "IssuingPage", "LogonPage", "LogonPinPage",
    "NewUser", "OneTimePasswordPage", "Screen", "ScreenMismatch", "SecurityLevelDialog", "ServiceTopPage",
    "SoftwareToken", "StoredCertificate", "Payment", "TransferConfirmPage", "TransferDonePage", "TransferPage",
    "TransferRefusedPage", "UserListPage", "UserLogonPage", "UserPinSetupPage", "UserRegisteredPage",
    "UserRegistrationPage", "UserStatusPage", "Wording", "Workstation",
]
