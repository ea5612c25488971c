"""I.2 開通確認 (I-2.1 … I-2.5). A test of a step after I-2.2 opens its screen from the state the steps before it leave
(positions.activation_at)."""

import pytest
from playwright.sync_api import expect

from pages import (ActivationCompletePage, ActivationPage, ActivationPinsPage, OneTimePasswordPage, ServiceTopPage)
from pages.credentials import CELLS
from pages.walkthrough import SAMPLE, logon_screen

from .positions import activation_at


def _activation(pc):
    """開通確認 from 管理者ログオン (I-2.1); the route to 管理者ログオン is I-1's (test_I_1_service_top.py)."""
    return logon_screen(pc, "admin").activation()


@pytest.mark.step("I-2.1")
def test_I_2_1_activation_link(pc):
    """I-2.1 「管理者ログオン」画面で「開通確認」をクリックします。"""
    page = _activation(pc)
    assert isinstance(page, ActivationPage)
    expect(page.field("activation.contract_number")).to_be_editable()
    expect(page.field("activation.registration_pin")).to_be_editable()


@pytest.mark.step("I-2.2")
def test_I_2_2_contract_number_and_registration_pin(pc, contract):
    """I-2.2 利用者番号、ご契約先暗証番号（C ご契約先登録用暗証番号）を入力します。"""
    pins = _activation(pc).enter(contract.contract_number, contract.registration_pin)
    assert isinstance(pins, ActivationPinsPage)
    for key in ("activation.logon_pin", "activation.confirmation_pin", "activation.email"):
        expect(pins.field(key)).to_be_editable()


@pytest.mark.step("I-2.3")
def test_I_2_3_set_pins_and_email(pc, arrange):
    """I-2.3 ご契約先暗証番号、ご契約先確認暗証番号、ご契約先Eメールアドレスを設定します。 -> the card challenge."""
    pins = activation_at(arrange, pc, arrange(), 3)
    otp = pins.set_pins(SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin, SAMPLE.admin_email)
    assert isinstance(otp, OneTimePasswordPage)
    asked = otp.asked_cells()
    assert len(asked) == 2 and set(asked) <= set(CELLS), asked


@pytest.mark.step("I-2.4")
def test_I_2_4_one_time_password_from_card(pc, arrange):
    """I-2.4 ワンタイムパスワード（お客様カード参照）を入力します。"""
    state = arrange()
    done = activation_at(arrange, pc, state, 4).answer(state.contract.card)
    assert isinstance(done, ActivationCompletePage)
    done.expect_done()


@pytest.mark.step("I-2.4")
def test_I_2_4_one_time_password_from_software_token(pc, arrange):
    """I-2.4 with a contract that uses a software token (TOTP) instead of the card."""
    state = arrange(otp="totp")
    otp = activation_at(arrange, pc, state, 4)
    expect(otp.token_field()).to_be_editable()
    assert otp.asked_cells() == []
    assert isinstance(otp.answer(state.contract.token), ActivationCompletePage)


@pytest.mark.step("I-2.5")
def test_I_2_5_close_returns_to_service_top(pc, arrange):
    """I-2.5 管理者の開通確認が完了しました。ブラウザの「閉じる」をクリックします。"""
    state = arrange()
    done = activation_at(arrange, pc, state, 4).answer(state.contract.card)
    assert isinstance(done.close(), ServiceTopPage)
