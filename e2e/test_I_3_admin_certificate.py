"""I.3 電子証明書取得, the admin (I-3.1 … I-3.8)."""

import pytest
from playwright.sync_api import expect

from pages import (AdminLogonPage, CertificateEnrollmentPage, EnrollmentCompletePage, EnrollmentConfirmDialog,
                   InstallDialog, IssuingPage, SecurityLevelDialog)
from pages.walkthrough import SAMPLE, logon_screen


@pytest.fixture
def contract(arrange):
    """A contract whose administrator has done 開通確認 (I-2), set up through the bank's API."""
    return arrange("activated").contract


def _form(pc) -> CertificateEnrollmentPage:
    return logon_screen(pc, "admin").enrollment()


def _confirm(pc, contract) -> EnrollmentConfirmDialog:
    return _form(pc).enter(contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)


def _install(pc, contract) -> InstallDialog:
    return _confirm(pc, contract).yes().ok().issue()


@pytest.mark.step("I-3.1")
def test_I_3_1_admin_logon(pc, contract):
    """I-3.1 「管理者ログオン」をクリックします。"""
    logon = pc.open().open_corporate().admin_logon()
    assert isinstance(logon, AdminLogonPage)
    expect(logon.link("logon.enrollment_link")).to_be_visible()
    expect(logon.logon_button()).to_be_visible()


@pytest.mark.step("I-3.2")
def test_I_3_2_enrollment_link(pc, contract):
    """I-3.2 「電子証明書取得」をクリックします。: the admin's fields."""
    form = _form(pc)
    for key in ("enrollment.contract_number", "enrollment.admin_logon_pin", "enrollment.admin_confirmation_pin"):
        expect(form.field(key)).to_be_editable()
    expect(form.field("enrollment.user_id")).to_have_count(0)


@pytest.mark.step("I-3.3")
def test_I_3_3_enter_credentials(pc, contract):
    """I-3.3 利用者番号、ご契約先暗証番号、ご契約先確認暗証番号を入力します。 -> 電子証明書の取得."""
    dialog = _confirm(pc, contract)
    expect(dialog.button("common.yes")).to_be_visible()
    expect(dialog.button("common.no")).to_be_visible()


@pytest.mark.step("I-3.4")
def test_I_3_4_yes(pc, contract):
    """I-3.4 「はい」をクリックします。 -> セキュリティレベルの確認."""
    security = _confirm(pc, contract).yes()
    assert isinstance(security, SecurityLevelDialog)


@pytest.mark.step("I-3.5")
def test_I_3_5_security_level_medium(pc, contract):
    """I-3.5 セキュリティレベルが中になっていることを確認し、「OK」をクリックします。"""
    security = _confirm(pc, contract).yes()
    security.expect_level()
    issuing = security.ok()
    assert isinstance(issuing, IssuingPage)


@pytest.mark.step("I-3.6")
def test_I_3_6_issuing(pc, contract):
    """I-3.6 電子証明書の発行処理が始まります。 -> 証明書のインストール."""
    issuing = _confirm(pc, contract).yes().ok()
    issuing.expect_message()
    install = issuing.issue()
    assert isinstance(install, InstallDialog)


@pytest.mark.step("I-3.7")
def test_I_3_7_install_yes(pc, contract):
    """I-3.7 「はい」をクリックします。 -> 電子証明書取得完了."""
    done = _install(pc, contract).yes()
    assert isinstance(done, EnrollmentCompletePage)
    expect(done.link("enrollment.download_link")).to_be_visible()
    assert done.import_password()


@pytest.mark.step("I-3.8")
def test_I_3_8_certificate_obtained_and_imported(pc, contract):
    """I-3.8 電子証明書の取得が完了しました。: the PKCS#12 opens with the import password and goes into the PC."""
    done = _install(pc, contract).yes()
    done.expect_done()
    certificate = done.install()
    assert pc.certificates == [certificate]
    assert certificate.subject_cn, certificate
