"""利用環境 (FAQ 1, 2, 10): the 推奨環境 page linked from サービストップ, and the page a mobile phone gets instead of any
screen of the service."""

from __future__ import annotations

from playwright.sync_api import Locator

from .base import Screen

INPUT_ROLES = ("button", "textbox", "checkbox", "radio", "combobox", "spinbutton")


class RecommendedEnvironmentPage(Screen):
    """推奨環境 (FAQ 2, 10): one region per list (OS, ブラウザ, パソコンの設定), the certificate method's needs and what
    to do outside the 推奨環境."""

    HEADING = "environment.heading"

    def region(self, key: str) -> Locator:
        return self.page.get_by_role("region", name=self.w(key), exact=True)

    def listed(self, key: str) -> list[str]:
        """The entries of the list in region `key` (environment.os, environment.browsers, environment.settings)."""
        return [text.strip() for text in self.region(key).get_by_role("listitem").all_inner_texts()]


class MobilePhonePage(Screen):
    """What a mobile phone is shown at any screen of the service (FAQ 1): 携帯電話からはご利用いただけません。"""

    HEADING = "environment.mobile_heading"

    def message(self) -> Locator:
        return self.alert().filter(has_text=self.w("environment.mobile_message"))

    def controls(self) -> list[Locator]:
        """Whatever takes input, by role: a phone is shown none (every screen of the service has a button)."""
        return [self.page.get_by_role(role) for role in INPUT_ROLES]

    def recommended_environment(self) -> RecommendedEnvironmentPage:
        return self._next(self.clicking("environment.link"), RecommendedEnvironmentPage)
