"""The user's first logon (II-2.5, II-2.6): setting ト and チ, then 利用者ステータス."""

from __future__ import annotations

from playwright.sync_api import Locator

from .home import LoggedOnScreen
from .renewal import RenewableScreen
from .transfer import TransferPage


class UserPinSetupPage(LoggedOnScreen):
    """利用者暗証番号設定 (II-2.5)."""

    HEADING = "user_activation.pins_heading"

    def _submit(self, logon_pin: str, confirmation_pin: str, temporary_confirmation_pin: str) -> None:
        temporary = self.field("user_activation.temporary_confirmation_pin")
        if temporary.count():  # ヘ, where the server asks for it as the legend says (the manual's screen does not)
            temporary.fill(temporary_confirmation_pin)
        self.fill({"user_activation.logon_pin": logon_pin, "user_activation.confirmation_pin": confirmation_pin})

    def set_pins(self, logon_pin: str, confirmation_pin: str, temporary_confirmation_pin: str) -> "UserStatusPage":
        """II-2.5 利用者暗証番号、利用者確認暗証番号を設定します。 (with ヘ 利用者確認暗証番号(仮), which the legend
        says the user's 開通確認 uses)"""
        self._submit(logon_pin, confirmation_pin, temporary_confirmation_pin)
        return self._next(self.clicking("user_activation.next_button"), UserStatusPage)

    def set_pins_rejected(self, logon_pin: str, confirmation_pin: str,
                          temporary_confirmation_pin: str) -> "UserPinSetupPage":
        self._submit(logon_pin, confirmation_pin, temporary_confirmation_pin)
        return self._again(self.clicking("user_activation.next_button"))


class UserStatusPage(RenewableScreen):
    """利用者ステータス (II-2.6): 各種取引サービスをご利用いただける準備が整いました。"""

    HEADING = "user_activation.status_heading"

    def transfer_link(self) -> Locator:
        """振込, linked for a user whose 権限 has 振込・振替."""
        return self.action("transfer.link")

    def transfer(self) -> TransferPage:
        return self._next(self.transfer_link().click, TransferPage)
