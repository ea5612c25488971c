"""更新 of the logged-on ID's certificate: the notice on ご契約先ステータス / 利用者ステータス within the renewal window,
the confirmation with the ID's confirmation PIN, and the new certificate handed out once (FAQ 15)."""

from __future__ import annotations

from playwright.sync_api import Locator

from .enrollment import CertificateHandedOut
from .home import LoggedOnScreen


class RenewableScreen(LoggedOnScreen):
    """A status screen that offers 電子証明書を更新 while the logon's certificate is near its expiry."""

    def renewal_notice(self) -> Locator:
        return self.status().filter(has_text=self.w("renewal.notice"))

    def renewal_link(self) -> Locator:
        return self.action("renewal.renew_button")

    def renew(self, confirmation_pin: str) -> "RenewalCompletePage":
        """電子証明書を更新, confirmed with ロ (administrator) or チ (user)."""
        page = self._next(self.renewal_link().click, RenewalConfirmPage)
        page.field("renewal.confirmation_pin").fill(confirmation_pin)
        return page._next(page.clicking("renewal.renew_button"), RenewalCompletePage)


class RenewalConfirmPage(LoggedOnScreen):
    """電子証明書の更新: the confirmation PIN."""

    HEADING = "renewal.confirm_heading"


class RenewalCompletePage(CertificateHandedOut):
    """電子証明書更新完了: the new certificate (install() imports it); the logon made with the old one has ended."""

    HEADING = "renewal.done_heading"
