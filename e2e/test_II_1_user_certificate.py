"""II.1 電子証明書取得, the user on their own PC (II-1.1 … II-1.8)."""

import pytest
from playwright.sync_api import expect

from pages import (CertificateEnrollmentPage, EnrollmentCompletePage, EnrollmentConfirmDialog, InstallDialog,
                   IssuingPage, SecurityLevelDialog, UserLogonPage)


@pytest.fixture
def state(arrange):
    """A contract whose administrator has registered the user (I-1 … I-4), set up through the bank's API."""
    return arrange("user_registered")


@pytest.fixture
def user(state):
    return state.user


def _form(user_pc) -> CertificateEnrollmentPage:
    return user_pc.open().open_corporate().user_logon().enrollment()


def _confirm(user_pc, state, user) -> EnrollmentConfirmDialog:
    return _form(user_pc).enter(state.contract.contract_number, user.temporary_logon_pin,
                                user.temporary_confirmation_pin, user_id=user.user_id)


@pytest.mark.step("II-1.1")
def test_II_1_1_user_logon(user_pc, user):
    """II-1.1 「利用者ログオン」をクリックします。"""
    logon = user_pc.open().open_corporate().user_logon()
    assert isinstance(logon, UserLogonPage)
    expect(logon.link("logon.enrollment_link")).to_be_visible()
    expect(logon.link("logon.activation_link")).to_have_count(0)


@pytest.mark.step("II-1.2")
def test_II_1_2_enrollment_link(user_pc, user):
    """II-1.2 「電子証明書取得」をクリックします。: the user's fields."""
    form = _form(user_pc)
    for key in ("enrollment.contract_number", "enrollment.user_id", "enrollment.user_logon_pin",
                "enrollment.user_confirmation_pin"):
        expect(form.field(key)).to_be_editable()


@pytest.mark.step("II-1.3")
def test_II_1_3_enter_credentials(user_pc, state, user):
    """II-1.3 利用者番号、利用者 ID、利用者暗証番号、利用者確認暗証番号を入力します。 -> 電子証明書の取得."""
    dialog = _confirm(user_pc, state, user)
    expect(dialog.button("common.yes")).to_be_visible()


@pytest.mark.step("II-1.4")
def test_II_1_4_yes(user_pc, state, user):
    """II-1.4 「はい」をクリックします。"""
    assert isinstance(_confirm(user_pc, state, user).yes(), SecurityLevelDialog)


@pytest.mark.step("II-1.5")
def test_II_1_5_security_level_medium(user_pc, state, user):
    """II-1.5 セキュリティレベルが中になっていることを確認し、「OK」をクリックします。"""
    security = _confirm(user_pc, state, user).yes()
    security.expect_level()
    assert isinstance(security.ok(), IssuingPage)


@pytest.mark.step("II-1.6")
def test_II_1_6_issuing(user_pc, state, user):
    """II-1.6 電子証明書の発行処理が始まります。"""
    issuing = _confirm(user_pc, state, user).yes().ok()
    issuing.expect_message()
    assert isinstance(issuing.issue(), InstallDialog)


@pytest.mark.step("II-1.7")
def test_II_1_7_install_yes(user_pc, state, user):
    """II-1.7 「はい」をクリックします。"""
    done = _confirm(user_pc, state, user).yes().ok().issue().yes()
    assert isinstance(done, EnrollmentCompletePage)


@pytest.mark.step("II-1.8")
def test_II_1_8_certificate_obtained_and_imported(user_pc, state, user):
    """II-1.8 電子証明書の取得が完了しました。: imported into the user's PC only."""
    done = _confirm(user_pc, state, user).yes().ok().issue().yes()
    done.expect_done()
    certificate = done.install()
    assert user_pc.certificates == [certificate]
    assert certificate.fingerprint != state.admin_certificate.fingerprint
