"""II.2 開通確認, the user (II-2.1 … II-2.6)."""

import pytest
from playwright.sync_api import expect

from pages import AccessPermissionDialog, LogonPinPage, UserPinSetupPage, UserStatusPage
from pages.walkthrough import SAMPLE, activate_user, certificate_logon, logon_screen

from .positions import logon_at


@pytest.fixture
def state(arrange):
    """The user registered and with a certificate (I-1 … II-1), set up through the bank's API."""
    return arrange("user_certified")


@pytest.fixture
def user_pc(workstation, state):
    """The user's PC, its store holding the user's certificate."""
    return workstation("利用者PC", state.user_certificate)


@pytest.fixture
def enrolled(state, user_pc):
    return state.user, state.user_certificate


@pytest.mark.step("II-2.1")
def test_II_2_1_certificate_logon_button(user_pc, enrolled):
    """II-2.1 電子証明書方式の「ログオン」をクリックします -> 証明書の選択."""
    selection = logon_screen(user_pc, "user").certificate_logon()
    expect(selection.button("common.ok")).to_be_visible()


@pytest.mark.step("II-2.2")
def test_II_2_2_certificate_selection_shows_user_certificate(arrange, user_pc, state, enrolled):
    """II-2.2 証明書を選択します。: the certificate shown is the one this PC imported (the user's)."""
    _user, certificate = enrolled
    selection = logon_at(arrange, user_pc, state, "user", 2)
    selection.expect_certificate(certificate)
    assert isinstance(selection.ok(), AccessPermissionDialog)


@pytest.mark.step("II-2.3")
def test_II_2_3_grant_access(arrange, user_pc, state):
    """II-2.3 「アクセス許可の付与」を選択し「OK」をクリックします。 -> 暗証番号入力 (利用者暗証番号)."""
    pin = logon_at(arrange, user_pc, state, "user", 3).grant()
    assert isinstance(pin, LogonPinPage)
    expect(pin.field("certificate_logon.user_pin")).to_be_editable()


@pytest.mark.step("II-2.4")
def test_II_2_4_temporary_pin(arrange, user_pc, state, enrolled):
    """II-2.4 利用者暗証番号を入力します。 (the temporary one) -> 利用者暗証番号設定."""
    user, _certificate = enrolled
    setup = logon_at(arrange, user_pc, state, "user", 4).enter_pin(user.temporary_logon_pin)
    assert isinstance(setup, UserPinSetupPage)


@pytest.mark.step("II-2.5")
def test_II_2_5_set_user_pins(arrange, user_pc, state, enrolled):
    """II-2.5 利用者暗証番号、利用者確認暗証番号を設定します。 -> 利用者ステータス."""
    user, _certificate = enrolled
    setup = arrange.logged_on(user_pc, state, "user")
    assert isinstance(setup.set_pins(SAMPLE.user_logon_pin, SAMPLE.user_confirmation_pin), UserStatusPage)


@pytest.mark.step("II-2.6")
def test_II_2_6_user_status_and_next_logon(user_pc, enrolled):
    """II-2.6 利用者ステータス画面が表示されることを確認してください。; the next logon uses ト and lands there."""
    user, _certificate = enrolled
    status = activate_user(user_pc, user)
    assert isinstance(status, UserStatusPage)
    top = status.log_off()
    again = certificate_logon(logon_screen(user_pc, "user"), SAMPLE.user_logon_pin)
    assert isinstance(again, UserStatusPage), again
    del top
