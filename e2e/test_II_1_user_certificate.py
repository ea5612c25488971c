"""II.1 電子証明書取得, the user on their own PC (II-1.1 … II-1.8): each test opens its own step's screen."""

import pytest
from playwright.sync_api import expect

from pages import EnrollmentCompletePage, IssuingPage, SecurityLevelDialog, UserLogonPage

from .positions import enrollment_at


@pytest.fixture
def state(arrange):
    """A contract whose administrator has registered the user (I-1 … I-4), set up through the bank's API."""
    return arrange("user_registered")


def _at(arrange, user_pc, state, number):
    return enrollment_at(arrange, user_pc, state, "user", number)


@pytest.mark.step("II-1.1")
def test_II_1_1_user_logon(user_pc, state):
    """II-1.1 「利用者ログオン」をクリックします。"""
    logon = user_pc.open().open_corporate().user_logon()
    assert isinstance(logon, UserLogonPage)
    expect(logon.link("logon.enrollment_link")).to_be_visible()
    expect(logon.link("logon.activation_link")).to_have_count(0)


@pytest.mark.step("II-1.2")
def test_II_1_2_enrollment_link(arrange, user_pc, state):
    """II-1.2 「電子証明書取得」をクリックします。: the user's fields."""
    form = _at(arrange, user_pc, state, 3)
    for key in ("enrollment.contract_number", "enrollment.user_id", "enrollment.user_logon_pin",
                "enrollment.user_confirmation_pin"):
        expect(form.field(key)).to_be_editable()


@pytest.mark.step("II-1.3")
def test_II_1_3_enter_credentials(arrange, user_pc, state):
    """II-1.3 利用者番号、利用者 ID、利用者暗証番号、利用者確認暗証番号を入力します。 -> 電子証明書の取得."""
    user = state.user
    dialog = _at(arrange, user_pc, state, 3).enter(state.contract.contract_number, user.temporary_logon_pin,
                                                   user.temporary_confirmation_pin, user_id=user.user_id)
    expect(dialog.button("common.yes")).to_be_visible()


@pytest.mark.step("II-1.4")
def test_II_1_4_yes(arrange, user_pc, state):
    """II-1.4 「はい」をクリックします。"""
    assert isinstance(_at(arrange, user_pc, state, 4).yes(), SecurityLevelDialog)


@pytest.mark.step("II-1.5")
def test_II_1_5_security_level_medium(arrange, user_pc, state):
    """II-1.5 セキュリティレベルが中になっていることを確認し、「OK」をクリックします。"""
    security = _at(arrange, user_pc, state, 5)
    security.expect_level()
    assert isinstance(security.ok(), IssuingPage)


@pytest.mark.step("II-1.6")
def test_II_1_6_issuing(arrange, user_pc, state):
    """II-1.6 電子証明書の発行処理が始まります。"""
    issuing = _at(arrange, user_pc, state, 6)
    issuing.expect_message()
    expect(issuing.issue().button("common.yes")).to_be_visible()


@pytest.mark.step("II-1.7")
def test_II_1_7_install_yes(arrange, user_pc, state):
    """II-1.7 「はい」をクリックします。"""
    assert isinstance(_at(arrange, user_pc, state, 7).yes(), EnrollmentCompletePage)


@pytest.mark.step("II-1.8")
def test_II_1_8_certificate_obtained_and_imported(arrange, user_pc, state):
    """II-1.8 電子証明書の取得が完了しました。: imported into the user's PC only."""
    done = _at(arrange, user_pc, state, 7).yes()
    done.expect_done()
    certificate = done.install()
    assert user_pc.certificates == [certificate]
    assert certificate.fingerprint != state.admin_certificate.fingerprint
