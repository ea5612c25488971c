"""The certificate logon that I.4 (the admin, I-4.1 … I-4.4) and II.2 (the user, II-2.1 … II-2.4) share: the same
screens for both, so each step is one test run for either side, marked with that side's step ID. Each test opens its
own step's screen (positions.logon_at). What follows differs: test_I_4_user_registration.py, test_II_2_user_activation.py.
"""

import pytest
from playwright.sync_api import expect

from pages import (AccessPermissionDialog, AdminLogonPage, LogonPinPage, OneTimePasswordPage, UserLogonPage,
                   UserPinSetupPage)
from pages.walkthrough import logon_screen

from .positions import logon_at, sides

PIN_FIELD = {"admin": "certificate_logon.admin_pin", "user": "certificate_logon.user_pin"}


@pytest.fixture
def state(arrange, side):
    """The administrator with a certificate (I-1 … I-3), or a user with one (… II-1), set up by the bank's API."""
    return arrange("admin_certified" if side == "admin" else "user_certified")


@pytest.fixture
def certificate(state, side):
    return state.admin_certificate if side == "admin" else state.user_certificate


@pytest.fixture
def pc(workstation, side, certificate):
    """The side's PC, its store holding the side's certificate."""
    return workstation("管理者PC" if side == "admin" else "利用者PC", certificate)


@pytest.mark.parametrize("side", sides("logon", 1))
def test_1_certificate_logon_button(pc, side):
    """I-4.1 「管理者ログオン」から電子証明書方式の「ログオン」をクリックします。
    II-2.1 電子証明書方式の「ログオン」をクリックします -> 証明書の選択."""
    selection = logon_screen(pc, side).certificate_logon()
    expect(selection.action("certificate_logon.select_ok")).to_be_visible()


@pytest.mark.parametrize("side", sides("logon", 2))
def test_2_certificate_selection_shows_the_imported_certificate(arrange, pc, state, side, certificate):
    """I-4.2 / II-2.2 証明書を選択します。: 発行先 / 発行者 / 有効期限 of the certificate this PC imported."""
    selection = logon_at(arrange, pc, state, side, 2)
    selection.expect_certificate(certificate)
    assert selection.valid_until()
    assert isinstance(selection.ok(), AccessPermissionDialog)


@pytest.mark.parametrize("side", sides("logon", 3))
def test_3_grant_access(arrange, pc, state, side):
    """I-4.3 / II-2.3 「アクセス許可の付与」を選択し「OK」をクリックします。 -> 暗証番号入力."""
    pin = logon_at(arrange, pc, state, side, 3).grant()
    assert isinstance(pin, LogonPinPage)
    expect(pin.field(PIN_FIELD[side])).to_be_editable()


@pytest.mark.parametrize("side", sides("logon", 3))
def test_3_deny_access_aborts_logon(arrange, pc, state, side):
    """I-4.3 / II-2.3, the other choice: 「アクセス許可の拒否」 aborts the logon; back on the logon screen, with why."""
    logon = logon_at(arrange, pc, state, side, 3).deny()
    assert isinstance(logon, AdminLogonPage if side == "admin" else UserLogonPage)
    logon.expect_alert()


@pytest.mark.parametrize("side", sides("logon", 4))
def test_4_pin(arrange, pc, state, side):
    """I-4.4 ご契約先暗証番号を入力します。 -> ワンタイムパスワード入力.
    II-2.4 利用者暗証番号を入力します。 (the temporary one, the first time) -> 利用者暗証番号設定."""
    pin = state.sample.admin_logon_pin if side == "admin" else state.user.temporary_logon_pin
    shown = logon_at(arrange, pc, state, side, 4).enter_pin(pin)
    if side == "admin":
        assert isinstance(shown, OneTimePasswordPage)
        assert len(shown.asked_cells()) == 2
    else:
        assert isinstance(shown, UserPinSetupPage)
