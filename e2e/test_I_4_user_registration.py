"""I.4 利用者登録 (I-4.1 … I-4.8)."""

import pytest
from playwright.sync_api import expect

from pages import (AccessPermissionDialog, AdminLogonPage, ContractStatusPage, LogonPinPage, OneTimePasswordPage,
                   ServiceTopPage, UserRegisteredPage, UserRegistrationPage)
from pages.walkthrough import SAMPLE, logon_screen

from .positions import logon_at


@pytest.fixture
def state(arrange):
    """The administrator activated with a certificate (I-1 … I-3), set up through the bank's API."""
    return arrange("admin_certified")


@pytest.fixture
def contract(state):
    return state.contract


@pytest.fixture
def admin_certificate(state):
    return state.admin_certificate


@pytest.fixture
def pc(workstation, admin_certificate):
    """The administrator's PC, its store holding the administrator's certificate."""
    return workstation("管理者PC", admin_certificate)


@pytest.mark.step("I-4.1")
def test_I_4_1_certificate_logon_button(pc, admin_certificate):
    """I-4.1 「管理者ログオン」から電子証明書方式の「ログオン」をクリックします。 -> 証明書の選択."""
    selection = logon_screen(pc, "admin").certificate_logon()
    expect(selection.button("common.ok")).to_be_visible()


@pytest.mark.step("I-4.2")
def test_I_4_2_certificate_selection_shows_imported_certificate(arrange, pc, state, admin_certificate):
    """I-4.2 証明書を選択します。: 発行先 / 発行者 / 有効期限 of the certificate this PC imported."""
    selection = logon_at(arrange, pc, state, "admin", 2)
    selection.expect_certificate(admin_certificate)
    assert selection.valid_until()
    assert isinstance(selection.ok(), AccessPermissionDialog)


@pytest.mark.step("I-4.3")
def test_I_4_3_grant_access(arrange, pc, state):
    """I-4.3 「アクセス許可の付与」を選択し「OK」をクリックします。 -> 暗証番号入力 (ご契約先暗証番号)."""
    pin = logon_at(arrange, pc, state, "admin", 3).grant()
    assert isinstance(pin, LogonPinPage)
    expect(pin.field("certificate_logon.admin_pin")).to_be_editable()


@pytest.mark.step("I-4.3")
def test_I_4_3_deny_access_aborts_logon(arrange, pc, state):
    """I-4.3, the other choice: 「アクセス許可の拒否」 aborts the logon; back on 管理者ログオン with a message."""
    logon = logon_at(arrange, pc, state, "admin", 3).deny()
    assert isinstance(logon, AdminLogonPage)
    logon.expect_alert()


@pytest.mark.step("I-4.4")
def test_I_4_4_admin_pin(arrange, pc, state):
    """I-4.4 ご契約先暗証番号を入力します。 -> ワンタイムパスワード入力."""
    otp = logon_at(arrange, pc, state, "admin", 4).enter_pin(SAMPLE.admin_logon_pin)
    assert isinstance(otp, OneTimePasswordPage)
    assert len(otp.asked_cells()) == 2


@pytest.mark.step("I-4.5")
def test_I_4_5_one_time_password(arrange, pc, state, contract):
    """I-4.5 ワンタイムパスワード（お客様カード参照）を入力します。 -> ご契約先ステータス."""
    otp = logon_at(arrange, pc, state, "admin", 5)
    assert isinstance(otp.answer(contract.card), ContractStatusPage)


@pytest.mark.step("I-4.6")
def test_I_4_6_to_new_user_registration(pc, arrange, state, wording):
    """I-4.6 ご契約先ステータス画面が表示されます。「ご契約先管理情報変更」→「利用者情報登録/変更」→「新規登録」をクリックします。"""
    form = arrange.logged_on(pc, state, "admin").open_new_user_registration()
    assert isinstance(form, UserRegistrationPage)
    for name in wording["admin_menu.permission_names"]:
        expect(form.permission(name)).to_be_visible()


@pytest.mark.step("I-4.7")
def test_I_4_7_register_user(pc, arrange, state):
    """I-4.7 利用者 ID、利用者名、利用者暗証番号(仮)、利用者確認暗証番号(仮)、権限を設定、ご契約先確認暗証番号を入力します。"""
    form = arrange.logged_on(pc, state, "admin").open_new_user_registration()
    done = form.register(SAMPLE.user, SAMPLE.admin_confirmation_pin)
    assert isinstance(done, UserRegisteredPage)
    done.expect_done()


@pytest.mark.step("I-4.8")
def test_I_4_8_log_off(pc, arrange, state):
    """I-4.8 右上にある「ログオフ」をクリックし管理者画面を終了してください。 -> サービストップ."""
    form = arrange.logged_on(pc, state, "admin").open_new_user_registration()
    done = form.register(SAMPLE.user, SAMPLE.admin_confirmation_pin)
    top = done.log_off()
    assert isinstance(top, ServiceTopPage)
    expect(top.status()).to_be_visible()
