"""The bank's staff at the back office (FAQ 12–14, 17, 18: 当金庫までご連絡ください — and the bank acts): a member of
staff on a PC of their own logs on with a 職員ID and password, finds the contract, and revokes, stops, reissues,
unlocks, cancels or makes the contract anew; every action is in the 操作履歴."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, expect

from .base import Screen
from .workstation import Workstation


@dataclass
class BankStaff:
    """One member of the bank's staff, at `pc` (a PC without any customer's certificate)."""

    pc: Workstation
    login: str
    password: str

    def log_on(self) -> "StaffSearchPage":
        self.pc.goto("/staff/logon")
        page = StaffLogonPage(self.pc)
        page.fill({"staff.login": self.login, "staff.password": self.password})
        return page._next(page.clicking("staff.logon_button"), StaffSearchPage)

    def contract(self, contract_number: str) -> "StaffContractPage":
        """ご契約の状況 of `contract_number`, logging on first if this PC's staff session has ended."""
        self.pc.goto("/staff/")
        search = self.pc.expect_screen(StaffSearchPage, StaffLogonPage)
        if isinstance(search, StaffLogonPage):
            search = self.log_on()
        return search.find(contract_number)


class StaffLogonPage(Screen):
    HEADING = "staff.logon_heading"


class StaffScreen(Screen):
    def audit_log(self) -> "AuditLogPage":
        return self._next(self.clicking("staff.audit_link"), AuditLogPage)


class StaffSearchPage(StaffScreen):
    """ご契約の検索: by 利用者番号."""

    HEADING = "staff.search_heading"

    def find(self, contract_number: str) -> "StaffContractPage":
        self.field("staff.contract_number").fill(contract_number)
        return self._next(self.clicking("staff.search_button"), StaffContractPage)


class StaffContractPage(StaffScreen):
    """ご契約の状況: the contract's state, each ID's certificates, and the actions."""

    HEADING = "staff.contract_heading"

    def row(self, user_id: str | None = None) -> Locator:
        """The rows of the administrator's certificates (user_id None) or of a user's."""
        header = (self.w("staff.admin_row") if user_id is None
                  else self.wording.format("staff.user_row", user_id=user_id))
        return self.page.get_by_role("row").filter(has=self.page.get_by_role("rowheader", name=header, exact=True))

    def _act(self, button: Locator) -> "StaffContractPage":
        return self._again(button.click)

    def revoke(self, user_id: str | None = None) -> "StaffContractPage":
        """失効 of the ID's valid certificate (FAQ 12, 17: the PC was lost)."""
        return self._act(self.row(user_id).get_by_role("button", name=self.w("staff.revoke_button"), exact=True))

    def unlock(self, user_id: str | None = None) -> "StaffContractPage":
        return self._act(self.row(user_id).get_by_role("button", name=self.w("staff.unlock_button"), exact=True))

    def reissue_admin(self) -> "StaffContractPage":
        return self._act(self.action("staff.reissue_button"))

    def accident(self) -> "StaffContractPage":
        return self._act(self.action("staff.accident_button"))

    def release(self) -> "StaffContractPage":
        return self._act(self.action("staff.release_button"))

    def cancel(self) -> "StaffContractPage":
        return self._act(self.action("staff.cancel_button"))

    def recontract(self) -> "RecontractedPage":
        return self._next(self.clicking("staff.recontract_button"), RecontractedPage)

    def expect_done(self) -> None:
        """The action was taken: a notice, no refusal."""
        expect(self.status().first).to_be_visible()
        self.expect_no_alert()


class RecontractedPage(StaffScreen):
    """再契約完了: the new contract's 利用者番号, お客様カード and ご契約先登録用暗証番号, shown this once."""

    HEADING = "staff.recontracted_heading"

    def new_contract_number(self) -> str:
        terms = [t.strip() for t in self.page.get_by_role("term").all_inner_texts()]
        return self.page.get_by_role("definition").nth(terms.index(self.w("staff.new_contract_number"))).inner_text()


class AuditLogPage(StaffScreen):
    """操作履歴: who did what, when, on which contract."""

    HEADING = "staff.audit_heading"

    def entry(self, *texts: str) -> Locator:
        """The rows holding every one of `texts`."""
        rows = self.page.get_by_role("row")
        for text in texts:
            rows = rows.filter(has_text=text)
        return rows
