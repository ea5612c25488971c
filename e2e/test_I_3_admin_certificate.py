"""I.3 電子証明書取得, the admin (I-3.1 … I-3.8): each test opens its own step's screen (positions.enrollment_at)."""

import pytest
from playwright.sync_api import expect

from pages import AdminLogonPage, EnrollmentCompletePage, IssuingPage, SecurityLevelDialog

from .positions import enrollment_at


@pytest.fixture
def state(arrange):
    """A contract whose administrator has done 開通確認 (I-2), set up through the bank's API."""
    return arrange("activated")


def _at(arrange, pc, state, number):
    return enrollment_at(arrange, pc, state, "admin", number)


@pytest.mark.step("I-3.1")
def test_I_3_1_admin_logon(pc, state):
    """I-3.1 「管理者ログオン」をクリックします。"""
    logon = pc.open().open_corporate().admin_logon()
    assert isinstance(logon, AdminLogonPage)
    expect(logon.link("logon.enrollment_link")).to_be_visible()
    expect(logon.logon_button()).to_be_visible()


@pytest.mark.step("I-3.2")
def test_I_3_2_enrollment_link(arrange, pc, state):
    """I-3.2 「電子証明書取得」をクリックします。: the admin's fields."""
    form = _at(arrange, pc, state, 3)
    for key in ("enrollment.contract_number", "enrollment.admin_logon_pin", "enrollment.admin_confirmation_pin"):
        expect(form.field(key)).to_be_editable()
    expect(form.field("enrollment.user_id")).to_have_count(0)


@pytest.mark.step("I-3.3")
def test_I_3_3_enter_credentials(arrange, pc, state):
    """I-3.3 利用者番号、ご契約先暗証番号、ご契約先確認暗証番号を入力します。 -> 電子証明書の取得."""
    dialog = _at(arrange, pc, state, 3).enter(state.contract.contract_number, state.sample.admin_logon_pin,
                                              state.sample.admin_confirmation_pin)
    expect(dialog.button("common.yes")).to_be_visible()
    expect(dialog.button("common.no")).to_be_visible()


@pytest.mark.step("I-3.4")
def test_I_3_4_yes(arrange, pc, state):
    """I-3.4 「はい」をクリックします。 -> セキュリティレベルの確認."""
    assert isinstance(_at(arrange, pc, state, 4).yes(), SecurityLevelDialog)


@pytest.mark.step("I-3.5")
def test_I_3_5_security_level_medium(arrange, pc, state):
    """I-3.5 セキュリティレベルが中になっていることを確認し、「OK」をクリックします。"""
    security = _at(arrange, pc, state, 5)
    security.expect_level()
    assert isinstance(security.ok(), IssuingPage)


@pytest.mark.step("I-3.6")
def test_I_3_6_issuing(arrange, pc, state):
    """I-3.6 電子証明書の発行処理が始まります。 -> 証明書のインストール."""
    issuing = _at(arrange, pc, state, 6)
    issuing.expect_message()
    install = issuing.issue()
    expect(install.button("common.yes")).to_be_visible()


@pytest.mark.step("I-3.7")
def test_I_3_7_install_yes(arrange, pc, state):
    """I-3.7 「はい」をクリックします。 -> 電子証明書取得完了."""
    done = _at(arrange, pc, state, 7).yes()
    assert isinstance(done, EnrollmentCompletePage)
    expect(done.link("enrollment.download_link")).to_be_visible()
    assert done.import_password()


@pytest.mark.step("I-3.8")
def test_I_3_8_certificate_obtained_and_imported(arrange, pc, state):
    """I-3.8 電子証明書の取得が完了しました。: the PKCS#12 opens with the import password and goes into the PC."""
    done = _at(arrange, pc, state, 7).yes()
    done.expect_done()
    certificate = done.install()
    assert pc.certificates == [certificate]
    assert certificate.subject_cn, certificate
