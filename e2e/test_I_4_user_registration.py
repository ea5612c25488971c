"""I.4 利用者登録 after the certificate logon (I-4.5 … I-4.8; I-4.1 … I-4.4: test_I_4_II_2_certificate_logon.py)."""

import pytest
from playwright.sync_api import expect

from pages import ContractStatusPage, ServiceTopPage, UserRegisteredPage, UserRegistrationPage
from pages.walkthrough import SAMPLE

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
