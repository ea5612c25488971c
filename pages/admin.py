"""The admin's screens after logon (I-4.6 … I-4.8): status, management menu, user registration; and each user's
利用者情報変更 (権限, the user's Eメールアドレス, ロック解除, the reissue of FAQ 14 and 18, 削除)."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Locator, expect

from .home import LoggedOnScreen
from .renewal import RenewableScreen


@dataclass(frozen=True)
class NewUser:
    """A user the admin registers (I-4.7): ニ 利用者ID, 利用者名, ホ/ヘ the temporary PINs, 権限."""

    user_id: str
    name: str
    temporary_logon_pin: str = field(repr=False)
    temporary_confirmation_pin: str = field(repr=False)
    permissions: tuple[str, ...] | None = None  # wording values; None = every permission on the screen
    email: str | None = None  # the user's own Eメールアドレス (FAQ 16), beyond the manual: None leaves the field alone


class ContractStatusPage(RenewableScreen):
    """ご契約先ステータス (I-4.6)."""

    HEADING = "admin_menu.status_heading"

    def management(self) -> "ContractManagementPage":
        return self._next(self.clicking("admin_menu.management_link"), ContractManagementPage)

    def open_new_user_registration(self) -> "UserRegistrationPage":
        """I-4.6 「ご契約先管理情報変更」→「利用者情報登録/変更」→「新規登録」をクリックします。"""
        return self.management().users().new_user()


class ContractManagementPage(LoggedOnScreen):
    """ご契約先管理情報変更."""

    HEADING = "admin_menu.management_heading"

    def users(self) -> "UserListPage":
        return self._next(self.clicking("admin_menu.users_link"), UserListPage)


class UserListPage(LoggedOnScreen):
    """利用者情報登録/変更."""

    HEADING = "admin_menu.users_heading"

    def new_user(self) -> "UserRegistrationPage":
        return self._next(self.clicking("admin_menu.new_user_link"), UserRegistrationPage)

    def user(self, user_id: str) -> "UserDetailPage":
        """The user's 利用者情報変更, from the link of its 利用者ID."""
        link = self.page.get_by_role("link", name=self.wording.format("user_admin.user_link", user_id=user_id),
                                     exact=True)
        return self._next(link.click, UserDetailPage)


class UserRegistrationPage(LoggedOnScreen):
    """利用者情報新規登録 (I-4.7)."""

    HEADING = "admin_menu.new_user_heading"

    def permission(self, name: str):
        group = self.page.get_by_role("group", name=self.w("admin_menu.permissions"), exact=True)
        return group.get_by_role("checkbox", name=name, exact=True)

    def _submit(self, user: NewUser, confirmation_pin: str) -> None:
        self.fill({
            "admin_menu.user_id": user.user_id,
            "admin_menu.user_name": user.name,
            "admin_menu.temporary_logon_pin": user.temporary_logon_pin,
            "admin_menu.temporary_confirmation_pin": user.temporary_confirmation_pin,
        })
        if user.email is not None:
            self.field("admin_menu.user_email").fill(user.email)
        wanted = user.permissions if user.permissions is not None else tuple(self.w("admin_menu.permission_names"))
        for name in self.w("admin_menu.permission_names"):
            self.permission(name).set_checked(name in wanted)
        self.field("admin_menu.confirmation_pin").fill(confirmation_pin)

    def register(self, user: NewUser, confirmation_pin: str) -> "UserRegisteredPage":
        """I-4.7 利用者 ID、利用者名、利用者暗証番号(仮)、利用者確認暗証番号(仮)、権限を設定、ご契約先確認暗証番号を入力します。"""
        self._submit(user, confirmation_pin)
        return self._next(self.clicking("admin_menu.register_button"), UserRegisteredPage)

    def register_rejected(self, user: NewUser, confirmation_pin: str) -> "UserRegistrationPage":
        self._submit(user, confirmation_pin)
        return self._again(self.clicking("admin_menu.register_button"))


class UserRegisteredPage(LoggedOnScreen):
    """利用者登録完了 (I-4.8); its header's ログオフ ends the admin's session (LoggedOnScreen.log_off)."""

    HEADING = "admin_menu.registered_heading"

    def expect_done(self) -> None:
        expect(self.page.get_by_text(self.w("admin_menu.registered_message"), exact=True)).to_be_visible()


class UserDetailPage(LoggedOnScreen):
    """利用者情報変更: one region per change, each confirmed with ロ ご契約先確認暗証番号."""

    HEADING = "user_admin.heading"

    def _region(self, key: str) -> Locator:
        return self.page.get_by_role("region", name=self.w(key), exact=True)

    def _confirm(self, region_key: str, button_key: str, confirmation_pin: str, fields: dict | None = None):
        region = self._region(region_key)
        for key, value in (fields or {}).items():
            region.get_by_label(self.w(key), exact=True).fill(value)
        region.get_by_label(self.w("user_admin.confirmation_pin"), exact=True).fill(confirmation_pin)
        return self._next(region.get_by_role("button", name=self.w(button_key), exact=True).click, UserDetailPage,
                          UserListPage)

    def change_permissions(self, permissions: tuple[str, ...], confirmation_pin: str):
        """権限を変更: the user's 権限 become `permissions` (wording values of admin_menu.permission_names)."""
        group = self._region("admin_menu.permissions").get_by_role("group", name=self.w("admin_menu.permissions"),
                                                                   exact=True)
        for name in self.w("admin_menu.permission_names"):
            group.get_by_role("checkbox", name=name, exact=True).set_checked(name in permissions)
        return self._confirm("admin_menu.permissions", "user_admin.permissions_button", confirmation_pin)

    def change_email(self, email: str, confirmation_pin: str):
        """The user's own Eメールアドレス (FAQ 16), beyond the manual: changed, or taken away (empty) where the bank
        does not require one."""
        return self._confirm("user_admin.email_button", "user_admin.email_button", confirmation_pin,
                             {"admin_menu.user_email": email})

    def reissue(self, temporary_logon_pin: str, temporary_confirmation_pin: str, confirmation_pin: str):
        """電子証明書を再発行 (FAQ 14, 18): the old certificate is revoked; the user obtains a new one with these 仮
        PINs."""
        return self._confirm("user_admin.reissue_heading", "user_admin.reissue_button", confirmation_pin,
                             {"admin_menu.temporary_logon_pin": temporary_logon_pin,
                              "admin_menu.temporary_confirmation_pin": temporary_confirmation_pin})

    def unlock(self, confirmation_pin: str):
        return self._confirm("user_admin.unlock_button", "user_admin.unlock_button", confirmation_pin)

    def delete(self, confirmation_pin: str):
        return self._confirm("user_admin.delete_button", "user_admin.delete_button", confirmation_pin)
