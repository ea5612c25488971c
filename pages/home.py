"""I-1: the bank's home page and the service top (サービストップ), and the ログオフ that returns there."""

from __future__ import annotations

from .base import Screen


class BankHomePage(Screen):
    """目黒信用金庫のホームページ (I-1.1)."""

    HEADING = "bank_home.heading"

    def open_corporate(self) -> "ServiceTopPage":
        """I-1.1 「法人・個人事業主」をクリックします。"""
        return self._next(self.clicking("bank_home.corporate_link"), ServiceTopPage)


class ServiceTopPage(Screen):
    """めぐるビジネス・インターネットバンキングサービス トップ画面 (I-1.2, I-3.1, II-1.1)."""

    HEADING = "service_top.heading"

    def admin_logon(self):
        """I-3.1 「管理者ログオン」をクリックします。"""
        from .logon import AdminLogonPage

        return self._next(self.clicking("service_top.admin_logon_link"), AdminLogonPage, role="admin")

    def user_logon(self):
        """II-1.1 「利用者ログオン」をクリックします。"""
        from .logon import UserLogonPage

        return self._next(self.clicking("service_top.user_logon_link"), UserLogonPage, role="user")

    def recommended_environment(self):
        """推奨環境 (FAQ 2, 10), linked from the service top."""
        from .environment import RecommendedEnvironmentPage

        return self._next(self.clicking("environment.link"), RecommendedEnvironmentPage)


class LoggedOnScreen(Screen):
    """A screen after logon: its header has ログオフ (I-4.8), which ends the session and returns to サービストップ."""

    def log_off(self) -> ServiceTopPage:
        return self._next(self.clicking("common.logoff"), ServiceTopPage)
