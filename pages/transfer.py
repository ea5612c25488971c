"""振込, the transaction that needs チ and 権限 (legend チ: 利用者が資金移動などの取引実行時に使用します): 振込 (payee and
amount), 振込内容確認 (チ), 振込受付完了 (受付番号); and the refusal a user whose 権限 has no 振込・振替 gets instead."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator

from .home import LoggedOnScreen
from .logon import UserLogonPage


@dataclass(frozen=True)
class Payment:
    """What 振込 asks: 振込先口座番号, 受取人名 (カナ), 振込金額 (円), as typed."""

    account_number: str
    payee_name: str
    amount: str


class TransferPage(LoggedOnScreen):
    """振込: the payee and the amount."""

    HEADING = "transfer.heading"

    def _submit(self, payment: Payment) -> None:
        self.fill({"transfer.account_number": payment.account_number, "transfer.payee_name": payment.payee_name,
                   "transfer.amount": payment.amount})

    def enter(self, payment: Payment) -> "TransferConfirmPage":
        self._submit(payment)
        return self._next(self.clicking("transfer.next_button"), TransferConfirmPage)

    def enter_rejected(self, payment: Payment) -> "TransferPage":
        self._submit(payment)
        return self._again(self.clicking("transfer.next_button"))


class TransferConfirmPage(LoggedOnScreen):
    """振込内容確認: the transfer as entered, executed with チ 利用者確認暗証番号."""

    HEADING = "transfer.confirm_heading"

    def _execute(self, confirmation_pin: str) -> None:
        self.field("transfer.confirmation_pin").fill(confirmation_pin)

    def execute(self, confirmation_pin: str) -> "TransferDonePage":
        """振込を実行 with the right チ."""
        self._execute(confirmation_pin)
        return self._next(self.clicking("transfer.execute_button"), TransferDonePage)

    def execute_wrong(self, confirmation_pin: str) -> "TransferConfirmPage | UserLogonPage":
        """A チ the bank refuses: this screen again with the field's message, or — the ID locked — the logon screen
        with an alert."""
        self._execute(confirmation_pin)
        return self._next(self.clicking("transfer.execute_button"), TransferConfirmPage, UserLogonPage)


class TransferDonePage(LoggedOnScreen):
    """振込受付完了: 振込を受け付けました, with the 受付番号."""

    HEADING = "transfer.done_heading"

    def receipt_number(self) -> str:
        return self.status(self.w("transfer.receipt_number")).inner_text().strip()


class TransferRefusedPage(LoggedOnScreen):
    """What a user whose 権限 has no 振込・振替 gets at 振込's address: why (role=alert), and no form."""

    HEADING = "transfer.refused_heading"

    def form_fields(self) -> Locator:
        return self.field("transfer.account_number").or_(self.field("transfer.amount"))
