"""開通確認 (I-2.2 … I-2.5) and the one-time password screen it shares with the admin's logon (I-4.5)."""

from __future__ import annotations

from playwright.sync_api import Locator, expect

from .base import Screen, any_of
from .credentials import CELLS
from .home import ServiceTopPage


class ActivationPage(Screen):
    """開通確認 (I-2.2): 利用者番号 and ご契約先登録用暗証番号 (C)."""

    HEADING = "activation.heading"

    def _submit(self, contract_number: str, registration_pin: str) -> None:
        self.fill({"activation.contract_number": contract_number, "activation.registration_pin": registration_pin})

    def enter(self, contract_number: str, registration_pin: str) -> "ActivationPinsPage":
        """I-2.2 利用者番号、ご契約先暗証番号を入力します。"""
        self._submit(contract_number, registration_pin)
        return self._next(self.clicking("activation.next_button"), ActivationPinsPage)

    def enter_rejected(self, contract_number: str, registration_pin: str) -> "ActivationPage":
        self._submit(contract_number, registration_pin)
        return self._again(self.clicking("activation.next_button"))


class ActivationPinsPage(Screen):
    """暗証番号・Eメールアドレス設定 (I-2.3): イ ご契約先暗証番号, ロ ご契約先確認暗証番号, ハ Eメールアドレス."""

    HEADING = "activation.pins_heading"

    def _submit(self, logon_pin: str, confirmation_pin: str, email: str) -> None:
        self.fill({"activation.logon_pin": logon_pin, "activation.confirmation_pin": confirmation_pin,
                   "activation.email": email})

    def set_pins(self, logon_pin: str, confirmation_pin: str, email: str) -> "OneTimePasswordPage":
        """I-2.3 ご契約先暗証番号、ご契約先確認暗証番号、ご契約先Eメールアドレスを設定します。"""
        self._submit(logon_pin, confirmation_pin, email)
        return self._next(self.clicking("activation.pins_next_button"), OneTimePasswordPage)

    def set_pins_rejected(self, logon_pin: str, confirmation_pin: str, email: str) -> "ActivationPinsPage":
        self._submit(logon_pin, confirmation_pin, email)
        return self._again(self.clicking("activation.pins_next_button"))


class OneTimePasswordPage(Screen):
    """ワンタイムパスワード入力 (I-2.4, I-4.5): cells of the お客様カード, or a software token's code."""

    HEADING = "one_time_password.heading"

    # The fields are found by their labels on the whole screen: a server may gather them in a group (a fieldset
    # named ワンタイムパスワード), or not.
    def cell_field(self, cell: str) -> Locator:
        return self.field("one_time_password.card_cell", cell=cell)

    def token_field(self) -> Locator:
        return self.field("one_time_password.token_code")

    def asked_cells(self) -> list[str]:
        """The cells of the customer card this challenge asks for, read from the fields' labels (the fields of every
        cell, found at once: one round trip)."""
        expect(any_of([*(self.cell_field(cell) for cell in CELLS), self.token_field()]).first).to_be_visible()
        labels = any_of(self.cell_field(cell) for cell in CELLS).evaluate_all(
            "fields => fields.map(field => [...field.labels].map(label => label.textContent).join(' '))")
        names = {cell: self.wording.format("one_time_password.card_cell", cell=cell) for cell in CELLS}
        return [cell for cell in CELLS if any(names[cell] in label for label in labels)]

    def fill_cell(self, cell: str, value: str) -> None:
        self.cell_field(cell).fill(value)

    def fill_token_code(self, code: str) -> None:
        self.token_field().fill(code)

    def answer(self, credential):
        """I-2.4 / I-4.5 ワンタイムパスワード（お客様カード参照）を入力します。

        `credential`: a CustomerCard or SoftwareToken. Next: 開通確認完了 (activation) or ご契約先ステータス (logon)."""
        from .admin import ContractStatusPage

        credential.answer(self)
        return self._next(self.clicking("one_time_password.next_button"), ActivationCompletePage, ContractStatusPage)

    def answer_rejected(self, credential, **kwargs):
        """An answer the server refuses (wrong card, reused code): this screen again with a message, or, once the
        ID is locked, the screen the flow started from (開通確認 / 管理者ログオン) with an alert."""
        from .logon import AdminLogonPage

        credential.answer(self, **kwargs)
        return self._next(self.clicking("one_time_password.next_button"), OneTimePasswordPage, ActivationPage, AdminLogonPage)


class ActivationCompletePage(Screen):
    """開通確認完了 (I-2.5)."""

    HEADING = "activation.done_heading"

    def expect_done(self) -> None:
        expect(self.page.get_by_text(self.w("activation.done_message"), exact=True)).to_be_visible()

    def close(self):
        """I-2.5 ブラウザの「閉じる」をクリックします。 -> サービストップ."""
        return self._next(self.clicking("activation.close_button"), ServiceTopPage, role=None)
