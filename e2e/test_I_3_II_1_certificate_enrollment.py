"""I.3 電子証明書取得 (the admin, I-3.1 … I-3.8) and II.1 電子証明書取得 (the user on their own PC, II-1.1 … II-1.8): the
same screens for both, so each step is one test run for either side, marked with that side's step ID. Each test
opens its own step's screen (positions.enrollment_at)."""

import pytest
from playwright.sync_api import expect

from pages import AdminLogonPage, EnrollmentCompletePage, IssuingPage, SecurityLevelDialog, UserLogonPage

from .positions import enrollment_at, sides

FIELDS = {"admin": ("enrollment.contract_number", "enrollment.admin_logon_pin", "enrollment.admin_confirmation_pin"),
          "user": ("enrollment.contract_number", "enrollment.user_id", "enrollment.user_logon_pin",
                   "enrollment.user_confirmation_pin")}


@pytest.fixture
def state(arrange, side):
    """The administrator after 開通確認 (I-2), or a user the administrator registered (I-4), set up by the API."""
    return arrange("activated" if side == "admin" else "user_registered")


@pytest.fixture
def pc(workstation, side):
    return workstation("管理者PC" if side == "admin" else "利用者PC")


def _at(arrange, pc, state, side, number):
    return enrollment_at(arrange, pc, state, side, number)


@pytest.mark.parametrize("side", sides("enrollment", 1))
def test_1_logon_screen(pc, state, side):
    """I-3.1 「管理者ログオン」をクリックします。 / II-1.1 「利用者ログオン」をクリックします。"""
    top = pc.open().open_corporate()
    logon = top.admin_logon() if side == "admin" else top.user_logon()
    assert isinstance(logon, AdminLogonPage if side == "admin" else UserLogonPage)
    expect(logon.action("logon.enrollment_link")).to_be_visible()
    expect(logon.action("logon.activation_link")).to_have_count(1 if side == "admin" else 0)


@pytest.mark.parametrize("side", sides("enrollment", 2))
def test_2_enrollment_link(arrange, pc, state, side):
    """I-3.2 / II-1.2 「電子証明書取得」をクリックします。: that side's fields, and only those."""
    form = _at(arrange, pc, state, side, 3)
    for key in FIELDS[side]:
        expect(form.field(key)).to_be_editable()
    expect(form.field("enrollment.user_id")).to_have_count(1 if side == "user" else 0)


@pytest.mark.parametrize("side", sides("enrollment", 3))
def test_3_enter_credentials(arrange, pc, state, side):
    """I-3.3 利用者番号、ご契約先暗証番号、ご契約先確認暗証番号を入力します。
    II-1.3 利用者番号、利用者 ID、利用者暗証番号、利用者確認暗証番号を入力します。 -> 電子証明書の取得."""
    dialog = _at(arrange, pc, state, side, 4)
    expect(dialog.action("enrollment.confirm_yes")).to_be_visible()
    expect(dialog.action("enrollment.confirm_no")).to_be_visible()


@pytest.mark.parametrize("side", sides("enrollment", 4))
def test_4_yes(arrange, pc, state, side):
    """I-3.4 / II-1.4 「はい」をクリックします。 -> セキュリティレベルの確認."""
    assert isinstance(_at(arrange, pc, state, side, 4).yes(), SecurityLevelDialog)


@pytest.mark.parametrize("side", sides("enrollment", 5))
def test_5_security_level_medium(arrange, pc, state, side):
    """I-3.5 / II-1.5 セキュリティレベルが中になっていることを確認し、「OK」をクリックします。"""
    security = _at(arrange, pc, state, side, 5)
    security.expect_level()
    assert isinstance(security.ok(), IssuingPage)


@pytest.mark.parametrize("side", sides("enrollment", 6))
def test_6_issuing(arrange, pc, state, side):
    """I-3.6 / II-1.6 電子証明書の発行処理が始まります。 -> 証明書のインストール."""
    issuing = _at(arrange, pc, state, side, 6)
    issuing.expect_message()
    expect(issuing.issue().action("enrollment.install_yes")).to_be_visible()


@pytest.mark.parametrize("side", sides("enrollment", 7))
def test_7_install_yes(arrange, pc, state, side):
    """I-3.7 / II-1.7 「はい」をクリックします。 -> 電子証明書取得完了, with the file and its one-time password."""
    done = _at(arrange, pc, state, side, 7).yes()
    assert isinstance(done, EnrollmentCompletePage)
    expect(done.action("enrollment.download_link")).to_be_visible()
    assert done.import_password()


@pytest.mark.parametrize("side", sides("enrollment", 8))
def test_8_certificate_obtained_and_imported(arrange, pc, state, side):
    """I-3.8 / II-1.8 電子証明書の取得が完了しました。: the PKCS#12 opens with the import password and goes into this PC
    only (the user's is not the administrator's)."""
    done = _at(arrange, pc, state, side, 7).yes()
    done.expect_done()
    certificate = done.install()
    assert pc.certificates == [certificate]
    if side == "user":
        assert certificate.fingerprint != state.admin_certificate.fingerprint
