"""管理者ログオン / 利用者ログオン and the certificate logon they share (I-4.1 … I-4.4, II-2.1 … II-2.4).

Admin and user go through the same screens; `role` ("admin" / "user") picks the few wording keys that differ.
"""

from __future__ import annotations

from playwright.sync_api import Locator, expect

from .base import Dialog, Screen, action

PIN_FIELD = {"admin": "certificate_logon.admin_pin", "user": "certificate_logon.user_pin"}
PASSWORD_PIN_FIELD = {"admin": "logon.admin_pin", "user": "logon.user_pin"}


class LogonPage(Screen):
    """The logon screen: 開通確認 (admin) / 電子証明書取得, and the ログオン of the part 電子証明書方式."""

    def certificate_method(self) -> Locator:
        return self.part("logon.certificate_method", action(self.page, self.w("logon.certificate_logon_button")))

    def logon_button(self) -> Locator:
        return action(self.certificate_method(), self.w("logon.certificate_logon_button"))

    def enrollment(self):
        """I-3.2 / II-1.2 「電子証明書取得」をクリックします。"""
        from .enrollment import CertificateEnrollmentPage

        return self._next(self.clicking("logon.enrollment_link"), CertificateEnrollmentPage)

    def certificate_logon(self) -> "CertificateSelectionDialog":
        """I-4.1 / II-2.1 電子証明書方式の「ログオン」をクリックします。 -> 証明書の選択."""
        self.logon_button().click()
        return CertificateSelectionDialog(self)

    # -- ID・パスワード方式 (FAQ 6: a password contract, from any PC, no certificate) ------------------------------
    def password_method(self) -> Locator:
        """The part ID・パスワード方式: 利用者番号, (a user's) 利用者ID, the logon PIN, and its ログオン."""
        return self.part("logon.password_method", action(self.page, self.w("logon.password_logon_button")))

    def _fill_password_form(self, contract_number: str, pin: str, user_id: str | None) -> None:
        region = self.password_method()
        region.get_by_label(self.w("logon.contract_number"), exact=True).fill(contract_number)
        if user_id is not None:
            region.get_by_label(self.w("logon.user_id"), exact=True).fill(user_id)
        region.get_by_label(self.w(PASSWORD_PIN_FIELD[self.role or "admin"]), exact=True).fill(pin)

    def _password_logon_button(self) -> Locator:
        return action(self.password_method(), self.w("logon.password_logon_button"))

    def password_logon(self, contract_number: str, pin: str, user_id: str | None = None):
        """ID・パスワード方式: 利用者番号 (and 利用者ID), the PIN, 「ログオン」. Next: the administrator's ワンタイムパスワード
        入力, or the user's 利用者暗証番号設定 (first logon) or 利用者ステータス."""
        from .activation import OneTimePasswordPage
        from .user import UserPinSetupPage, UserStatusPage

        self._fill_password_form(contract_number, pin, user_id)
        return self._next(self._password_logon_button().click, OneTimePasswordPage, UserPinSetupPage, UserStatusPage)

    def password_logon_refused(self, contract_number: str, pin: str, user_id: str | None = None) -> "LogonPage":
        """The same, refused by the bank (a 電子証明書方式 contract, a wrong PIN, a locked or stopped one): this logon
        screen again, with its alert."""
        self._fill_password_form(contract_number, pin, user_id)
        return self._again(self._password_logon_button().click)


class AdminLogonPage(LogonPage):
    """管理者ログオン (I-2.1, I-3.2, I-4.1)."""

    HEADING = "logon.admin_heading"

    def __init__(self, pc, **state):
        super().__init__(pc, **{"role": "admin", **state})

    def activation(self):
        """I-2.1 「開通確認」をクリックします。"""
        from .activation import ActivationPage

        return self._next(self.clicking("logon.activation_link"), ActivationPage)


class UserLogonPage(LogonPage):
    """利用者ログオン (II-1.2, II-2.1)."""

    HEADING = "logon.user_heading"

    def __init__(self, pc, **state):
        super().__init__(pc, **{"role": "user", **state})


class CertificateSelectionDialog(Dialog):
    """証明書の選択 (I-4.2, II-2.2): the certificate the PC presents in TLS, shown for confirmation."""

    NAME = "certificate_logon.select_dialog"

    def issued_to(self) -> str:
        return self.fact("certificate_logon.issued_to").inner_text().strip()

    def issued_by(self) -> str:
        return self.fact("certificate_logon.issued_by").inner_text().strip()

    def valid_until(self) -> str:
        return self.fact("certificate_logon.valid_until").inner_text().strip()

    def expect_certificate(self, certificate) -> None:
        """The dialog shows the certificate `certificate` (a StoredCertificate) as the one to present."""
        expect(self.fact("certificate_logon.issued_to")).to_have_text(certificate.subject_cn)
        expect(self.fact("certificate_logon.issued_by")).to_have_text(certificate.issuer_cn)

    def expect_no_certificate(self) -> None:
        """No certificate to present: the dialog says so (role=alert) and offers nothing to choose."""
        expect(self.root.get_by_role("alert")).to_be_visible()
        expect(self.action("certificate_logon.select_ok")).to_have_count(0)

    def ok(self) -> "AccessPermissionDialog":
        """I-4.2 / II-2.2 証明書を選択します。"""
        self.clicking("certificate_logon.select_ok")()
        return AccessPermissionDialog(self.host)

    def cancel(self) -> LogonPage:
        """キャンセル: no logon; the logon screen again (with a message)."""
        return self.host._again(self.clicking("certificate_logon.select_cancel"))


class AccessPermissionDialog(Dialog):
    """アクセス許可の付与 (I-4.3, II-2.3)."""

    NAME = "certificate_logon.permission_dialog"

    def _choose(self, key: str) -> None:
        self.root.get_by_role("radio", name=self.w(key), exact=True).check()

    def grant(self) -> "LogonPinPage":
        """I-4.3 / II-2.3 「アクセス許可の付与」を選択し「OK」をクリックします。"""
        self._choose("certificate_logon.grant")
        return self.host._next(self.clicking("certificate_logon.permission_ok"), LogonPinPage)

    def grant_outcome(self) -> "LogonPinPage | LogonPage":
        """Grant, whatever the bank then decides: 暗証番号入力, or the logon screen again with its refusal."""
        self._choose("certificate_logon.grant")
        logon = AdminLogonPage if self.state.get("role") == "admin" else UserLogonPage
        return self.host._next(self.clicking("certificate_logon.permission_ok"), LogonPinPage, logon)

    def grant_refused(self) -> LogonPage:
        """Grant, but the bank refuses this certificate (bound to another ID, locked ID): the logon screen again
        with a message."""
        self._choose("certificate_logon.grant")
        return self.host._again(self.clicking("certificate_logon.permission_ok"))

    def deny(self) -> LogonPage:
        """「アクセス許可の拒否」を選択し「OK」: the logon is aborted, back on the logon screen with a message."""
        self._choose("certificate_logon.deny")
        return self.host._again(self.clicking("certificate_logon.permission_ok"))


class LogonPinPage(Screen):
    """暗証番号入力 (I-4.4, II-2.4): the admin's ご契約先暗証番号 or the user's 利用者暗証番号."""

    HEADING = "certificate_logon.pin_heading"

    @property
    def pin_key(self) -> str:
        return PIN_FIELD[self.role or "admin"]

    def enter_pin(self, pin: str):
        """I-4.4 ご契約先暗証番号 / II-2.4 利用者暗証番号を入力します。

        Next: the admin's one-time password, or the user's PIN set-up (first logon) or status screen."""
        from .activation import OneTimePasswordPage
        from .user import UserPinSetupPage, UserStatusPage

        self.field(self.pin_key).fill(pin)
        return self._next(self.clicking("certificate_logon.pin_logon_button"), OneTimePasswordPage, UserPinSetupPage,
                          UserStatusPage)

    def enter_wrong_pin(self, pin: str):
        """A PIN the server refuses: this screen again with the field's message, or, once the ID is locked, the
        logon screen with an alert."""
        logon = AdminLogonPage if self.role == "admin" else UserLogonPage
        self.field(self.pin_key).fill(pin)
        return self._next(self.clicking("certificate_logon.pin_logon_button"), LogonPinPage, logon)
