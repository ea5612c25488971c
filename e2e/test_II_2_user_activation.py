"""II.2 開通確認, the user, after the certificate logon (II-2.5, II-2.6; II-2.1 … II-2.4:
test_I_4_II_2_certificate_logon.py)."""

import pytest

from pages import UserStatusPage
from pages.walkthrough import SAMPLE, activate_user, certificate_logon, logon_screen


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


@pytest.mark.step("II-2.5")
def test_II_2_5_set_user_pins(arrange, user_pc, state, enrolled):
    """II-2.5 利用者暗証番号、利用者確認暗証番号を設定します。 -> 利用者ステータス."""
    user, _certificate = enrolled
    setup = arrange.logged_on(user_pc, state, "user")
    assert isinstance(setup.set_pins(SAMPLE.user_logon_pin, SAMPLE.user_confirmation_pin,
                                     state.user.temporary_confirmation_pin), UserStatusPage)


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
