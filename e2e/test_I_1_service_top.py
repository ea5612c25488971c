"""I.1 めぐるビジネス・インターネットバンキングサービス トップ画面を開く (I-1.1, I-1.2)."""

import pytest
from playwright.sync_api import expect

from pages import AdminLogonPage, ServiceTopPage, UserLogonPage


@pytest.mark.step("I-1.1")
def test_I_1_1_corporate_link_opens_service_top(pc):
    """I-1.1 目黒信用金庫のホームページ（http://www.shinkin.co.jp/megoro/）から「法人・個人事業主」をクリックします。"""
    top = pc.open().open_corporate()
    assert isinstance(top, ServiceTopPage)


@pytest.mark.step("I-1.2")
def test_I_1_2_service_top_offers_admin_and_user_logon(pc, wording):
    """I-1.2 トップ画面が表示されます。: with 管理者ログオン and 利用者ログオン."""
    top = pc.open().open_corporate()
    expect(top.action("service_top.admin_logon_link")).to_be_visible()
    expect(top.action("service_top.user_logon_link")).to_be_visible()
    assert isinstance(top.admin_logon(), AdminLogonPage)
    top = pc.open().open_corporate()
    assert isinstance(top.user_logon(), UserLogonPage)
