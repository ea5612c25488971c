"""電子証明書取得 (I-3.3 … I-3.8 for the admin, II-1.3 … II-1.8 for the user) and its prompts."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import expect

from .base import Dialog, Screen

_NON_EMPTY = re.compile(r"\S")


@dataclass(frozen=True)
class DownloadedCertificate:
    pkcs12: bytes = field(repr=False)
    password: str = field(repr=False)
    filename: str


class CertificateEnrollmentPage(Screen):
    """電子証明書取得 (I-3.3, II-1.3): the admin's or the user's credentials, then the prompts."""

    HEADING = "enrollment.heading"

    def _fields(self, contract_number: str, logon_pin: str, confirmation_pin: str, user_id: str | None) -> dict:
        if user_id is None:  # the admin (I-3.3)
            return {"enrollment.contract_number": contract_number, "enrollment.admin_logon_pin": logon_pin,
                    "enrollment.admin_confirmation_pin": confirmation_pin}
        return {"enrollment.contract_number": contract_number, "enrollment.user_id": user_id,
                "enrollment.user_logon_pin": logon_pin, "enrollment.user_confirmation_pin": confirmation_pin}

    def enter(self, contract_number: str, logon_pin: str, confirmation_pin: str,
              user_id: str | None = None) -> "EnrollmentConfirmDialog":
        """I-3.3 利用者番号、ご契約先暗証番号、ご契約先確認暗証番号を入力します。
        II-1.3 利用者番号、利用者 ID、利用者暗証番号、利用者確認暗証番号を入力します。 (with `user_id`)"""
        self.fill(self._fields(contract_number, logon_pin, confirmation_pin, user_id))
        self.clicking("enrollment.next_button")()
        return EnrollmentConfirmDialog(self)

    def enter_rejected(self, contract_number: str, logon_pin: str, confirmation_pin: str,
                       user_id: str | None = None) -> "CertificateEnrollmentPage":
        """Credentials refused at once (format): the screen again with messages."""
        self.fill(self._fields(contract_number, logon_pin, confirmation_pin, user_id))
        return self._again(self.clicking("enrollment.next_button"))


class EnrollmentConfirmDialog(Dialog):
    """電子証明書の取得 (I-3.4, II-1.4): はい / いいえ."""

    NAME = "enrollment.confirm_dialog"

    def yes(self) -> "SecurityLevelDialog":
        """I-3.4 「はい」をクリックします。"""
        self.clicking("enrollment.confirm_yes")()
        return SecurityLevelDialog(self.host)

    def yes_refused(self) -> CertificateEnrollmentPage:
        """はい, but the server refuses the application (wrong PIN, 80 days passed, certificate issued already)."""
        return self.host._again(self.clicking("enrollment.confirm_yes"))

    def no(self) -> CertificateEnrollmentPage:
        self.clicking("enrollment.confirm_no")()
        self.expect_closed()
        return self.host


class SecurityLevelDialog(Dialog):
    """セキュリティレベルの確認 (I-3.5, II-1.5)."""

    NAME = "enrollment.security_dialog"

    def expect_level(self) -> None:
        expect(self.root).to_contain_text(self.w("enrollment.security_level"))

    def ok(self) -> "IssuingPage":
        """I-3.5 セキュリティレベルが中になっていることを確認し、「OK」をクリックします。"""
        self.expect_level()
        return self.host._next(self.clicking("enrollment.security_ok"), IssuingPage)

    def ok_refused(self) -> CertificateEnrollmentPage:
        """OK, but the server refuses the application: the enrollment screen again with a message."""
        return self.host._again(self.clicking("enrollment.security_ok"))


class IssuingPage(Screen):
    """電子証明書発行 (I-3.6, II-1.6)."""

    HEADING = "enrollment.issuing_heading"

    def expect_message(self) -> None:
        expect(self.page.get_by_text(self.w("enrollment.issuing_message"), exact=True)).to_be_visible()

    def issue(self) -> "InstallDialog":
        """I-3.6 電子証明書の発行処理が始まります。 (「発行」)"""
        self.expect_message()
        self.clicking("enrollment.issue_button")()
        return InstallDialog(self)


class InstallDialog(Dialog):
    """証明書のインストール (I-3.7, II-1.7): はい / いいえ."""

    NAME = "enrollment.install_dialog"

    def yes(self) -> "EnrollmentCompletePage":
        """I-3.7 「はい」をクリックします。"""
        return self.host._next(self.clicking("enrollment.install_yes"), EnrollmentCompletePage)

    def no(self) -> IssuingPage:
        self.clicking("enrollment.install_no")()
        self.expect_closed()
        return self.host


class CertificateHandedOut(Screen):
    """A screen that hands a certificate out once: the PKCS#12 file and its one-time import password."""

    def import_password(self) -> str:
        """The one-time password shown in the role=status named インポート用パスワード."""
        status = self.status(self.w("enrollment.import_password"))
        expect(status).to_have_text(_NON_EMPTY)
        return status.inner_text().strip()

    def download_certificate(self) -> DownloadedCertificate:
        """The PKCS#12 file behind 電子証明書をダウンロード, with its import password."""
        password = self.import_password()
        link = self.action("enrollment.download_link")
        with self.page.expect_download() as info:
            link.click()
        download = info.value
        # save_as, not path(): the download of a remote browser (--connect) is on the browser server's machine
        with tempfile.TemporaryDirectory(prefix="ibcert-download-") as folder:
            saved = Path(folder) / "certificate.p12"
            download.save_as(saved)
            data = saved.read_bytes()
        return DownloadedCertificate(data, password, download.suggested_filename)

    def install(self):
        """Download the file and import it into this PC's store."""
        certificate = self.download_certificate()
        return self.pc.import_certificate(certificate.pkcs12, certificate.password)


class EnrollmentCompletePage(CertificateHandedOut):
    """電子証明書取得完了 (I-3.8, II-1.8): I-3.8 電子証明書の取得が完了しました。 — installed with install()."""

    HEADING = "enrollment.done_heading"

    def expect_done(self) -> None:
        expect(self.page.get_by_text(self.w("enrollment.done_message"), exact=True)).to_be_visible()
