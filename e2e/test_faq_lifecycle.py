"""The FAQ's answers about a certificate's life, each told as the customer lives it (FAQ-12 … 15, 17, 18): the bank's
staff act on their own screens (BankStaff), the customer on theirs; set-up comes from the bank's API.

Against a vendor's server every story runs but for the e-mail notices, which the suite reads only from the server it
started (the `mailbox` fixture is None otherwise).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pages import (AdminLogonPage, ContractStatusPage, LogonPinPage, UserLogonPage, UserPinSetupPage,
                   UserStatusPage)
from pages.walkthrough import SAMPLE, admin_logon, certificate_logon, logon_screen

from .arrange import State
from .positions import activation_at

pytestmark = pytest.mark.tls
NEW_TEMP_PIN, NEW_TEMP_CONFIRMATION_PIN = "Atar9753", "Atar8642q"
LOGON = {"admin": AdminLogonPage, "user": UserLogonPage}


def obtain(pc, side: str, contract_number: str, logon_pin: str, confirmation_pin: str, user_id: str | None = None):
    """電子証明書取得 before logon (I-3.3 … I-3.8 / II-1.3 … II-1.8) on `pc`, installed into its store."""
    form = logon_screen(pc, side).enrollment()
    done = form.enter(contract_number, logon_pin, confirmation_pin, user_id=user_id).yes().ok().issue().yes()
    return done.install()


def refused_at_logon(pc, side: str, text: str | None = None) -> None:
    """The certificate `pc` presents logs nothing on: the logon screen again with the bank's reason."""
    shown = logon_screen(pc, side).certificate_logon().ok().grant_outcome()
    assert isinstance(shown, LOGON[side]), f"the logon went on; {pc.describe()}"
    shown.expect_alert(text)


def session_ended(pc, side: str, text: str) -> None:
    """The session open on `pc` ends at its next click, with the bank's reason."""
    pc.page.reload()
    pc.expect_screen(LOGON[side]).expect_alert(text)


def noticed(mailbox, state: State, event: str) -> None:
    if mailbox is None:
        return
    notice = mailbox.wait_for(lambda m: m["X-Ibcert-Event"] == event
                              and state.contract.contract_number in m.get_content())
    assert notice["To"] == state.sample.admin_email
    assert not any(pin in notice.get_content() for pin in (SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin))


@pytest.mark.faq(12)
def test_faq_12_a_lost_pc_is_revoked_and_the_administrator_starts_again_on_a_new_one(
        arrange, workstation, bank_staff, mailbox, ibcert_target):
    """電子証明書がインストールされたパソコンを紛失した場合 … 電子証明書の失効 … の手続きを行いますので当金庫までご連絡ください。
    The bank revokes; the lost PC's open session ends on its next click and its certificate logs on no more; the bank
    reissues (FAQ 14), and the administrator obtains a new certificate on a new PC and logs on."""
    state = arrange("admin_certified")
    number = state.contract.contract_number
    lost = workstation("紛失したPC", state.admin_certificate)
    assert isinstance(arrange.logged_on(lost, state, "admin"), ContractStatusPage)
    assert not state.admin_certificate.on_its_crl(ibcert_target.ca_cert or True)
    bank_staff.contract(number).revoke().expect_done()
    assert state.admin_certificate.on_its_crl(ibcert_target.ca_cert or True)  # published at once
    session_ended(lost, "admin", "失効")
    refused_at_logon(lost, "admin", "失効")
    noticed(mailbox, state, "revoked")
    bank_staff.contract(number).reissue_admin().expect_done()
    noticed(mailbox, state, "reissue")
    new = workstation("新しいPC")
    obtain(new, "admin", number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    assert isinstance(admin_logon(new, state.contract), ContractStatusPage)
    log = bank_staff.contract(number).audit_log()
    expect(log.entry(f"職員 {bank_staff.login}", "電子証明書の失効", number)).to_have_count(1)
    expect(log.entry(f"職員 {bank_staff.login}", "管理者の電子証明書の再発行", number)).to_have_count(1)


@pytest.mark.faq(17)
def test_faq_17_accident_stops_every_logon_until_the_bank_releases_it(arrange, workstation, bank_staff, mailbox):
    """パソコンを紛失したときには … 法人ＩＢの事故登録の手続きを行いますので、当金庫までご連絡ください。
    事故登録 stops the whole contract: the user's open session ends, the administrator's logon is refused; once the
    bank releases it, the administrator logs on again."""
    state = arrange("user_activated")
    number = state.contract.contract_number
    user_pc = workstation("利用者PC", state.user_certificate)
    assert isinstance(arrange.logged_on(user_pc, state, "user"), UserStatusPage)
    bank_staff.contract(number).accident().expect_done()
    session_ended(user_pc, "user", "事故登録")
    admin_pc = workstation("管理者PC", state.admin_certificate)
    refused_at_logon(admin_pc, "admin", "事故登録")
    noticed(mailbox, state, "accident")
    bank_staff.contract(number).release().expect_done()
    assert isinstance(admin_logon(admin_pc, state.contract), ContractStatusPage)
    noticed(mailbox, state, "released")


@pytest.mark.faq(13)
def test_faq_13_after_a_new_contract_the_old_certificate_is_refused_and_a_new_one_is_obtained(
        arrange, workstation, back_office):
    """法人ＩＢの再契約（解約／新規）を行った場合 … 新規に電子証明書の取得を行っていただきます。
    The old contract's certificate logs on no more; the new contract is activated and its administrator obtains a new
    certificate on the same PC."""
    state = arrange("admin_certified")
    pc = workstation("管理者PC", state.admin_certificate)
    new = back_office.recontract(state.contract.contract_number)
    refused_at_logon(pc, "admin")
    renewed = State("applied", new, state.sample, state.user)
    done = activation_at(arrange, pc, renewed, 4).answer(new.credential)
    done.expect_done()
    obtain(pc, "admin", new.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    assert isinstance(admin_logon(pc, new), ContractStatusPage)


@pytest.mark.faq(14)
def test_faq_14_a_users_deleted_certificate_is_reissued_by_the_administrator(arrange, workstation, mailbox):
    """電子証明書を誤って削除してしまいました。… 利用者の方の電子証明書が失われた場合は、管理者の方に再発行を依頼してから
    電子証明書の取得が必要です。 The administrator reissues with new 仮 PINs; the user obtains a new certificate on the
    same PC, logs on and sets own PINs again."""
    state = arrange("user_activated")
    number, user_id = state.contract.contract_number, state.user.user_id
    user_pc = workstation("利用者PC", state.user_certificate)
    user_pc.replace_store([])  # deleted by mistake
    admin_pc = workstation("管理者PC", state.admin_certificate)
    detail = arrange.logged_on(admin_pc, state, "admin").management().users().user(user_id)
    detail = detail.reissue(NEW_TEMP_PIN, NEW_TEMP_CONFIRMATION_PIN, SAMPLE.admin_confirmation_pin)
    detail.expect_no_alert()
    noticed(mailbox, state, "reissue")
    obtain(user_pc, "user", number, NEW_TEMP_PIN, NEW_TEMP_CONFIRMATION_PIN, user_id=user_id)
    setup = certificate_logon(logon_screen(user_pc, "user"), NEW_TEMP_PIN)
    assert isinstance(setup, UserPinSetupPage), setup
    assert isinstance(setup.set_pins("Shinki2468", "Kakunin1357k", NEW_TEMP_CONFIRMATION_PIN), UserStatusPage)


@pytest.mark.faq(14)
def test_faq_14_only_the_administrator_reaches_a_users_reissue(arrange, workstation):
    """Only the administrator may authorise a user's reissue: the user's own logon does not open that screen."""
    state = arrange("user_activated")
    admin_pc = workstation("管理者PC", state.admin_certificate)
    detail = arrange.logged_on(admin_pc, state, "admin").management().users().user(state.user.user_id)
    user_pc = workstation("利用者PC", state.user_certificate)
    arrange.logged_on(user_pc, state, "user")
    user_pc.page.goto(detail.page.url)
    expect(user_pc.page.get_by_role("heading", level=1, name=detail.name, exact=True)).to_have_count(0)
    expect(user_pc.page.get_by_role("region", name=user_pc.wording["user_admin.reissue_heading"])).to_have_count(0)


@pytest.mark.faq(15)
def test_faq_15_after_expiry_a_new_certificate_from_enrollment_before_logon(arrange, workstation, server_clock):
    """電子証明書を更新する前に電子証明書の有効期限を過ぎてしまいました。… ログオン前の電子証明書取得から新しい電子証明書を
    取得してください。 Logon says the certificate has expired; 電子証明書取得 issues a new one; it logs on."""
    state = arrange("admin_certified")
    pc = workstation("管理者PC", state.admin_certificate)
    days = arrange.capabilities.get("certificate_validity_days", 365)
    server_clock.set_clock(advance_days=days + 1)
    refused_at_logon(pc, "admin", "有効期限")
    expect(pc.expect_screen(AdminLogonPage).action("logon.enrollment_link")).to_be_visible()
    obtain(pc, "admin", state.contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    assert isinstance(admin_logon(pc, state.contract), ContractStatusPage)


@pytest.mark.faq(15)
def test_faq_15_renewal_is_offered_from_the_window_before_expiry(arrange, workstation, server_clock, mailbox):
    """Before it expires: a day before the window nothing is offered; from the window's first day the status screen
    says so and renews — the new certificate is installed and logs on, the old one is refused."""
    state = arrange("user_activated")
    pc = workstation("利用者PC", state.user_certificate)
    days = arrange.capabilities.get("certificate_validity_days", 365)
    window = arrange.capabilities.get("renewal_window_days", 30)
    server_clock.set_clock(advance_days=days - window - 1)
    status = arrange.logged_on(pc, state, "user")
    expect(status.renewal_link()).to_have_count(0)
    server_clock.set_clock(advance_days=1)  # a day later: a new logon (the old one ended with the day)
    status = arrange.logged_on(pc, state, "user")
    expect(status.renewal_notice()).to_be_visible()
    old = pc.certificate
    status.renew(SAMPLE.user_confirmation_pin).install()
    noticed(mailbox, state, "renewed")
    shown = certificate_logon(logon_screen(pc, "user"), SAMPLE.user_logon_pin)
    assert isinstance(shown, UserStatusPage), shown
    expect(shown.renewal_link()).to_have_count(0)
    pc.replace_store([old], reload=False)
    refused_at_logon(pc, "user", "失効")


@pytest.mark.faq(18)
def test_faq_18_a_broken_pc_the_bank_reissues_and_a_new_pc_logs_on(arrange, workstation, back_office):
    """パソコンが壊れた場合 … 電子証明書の再発行の手続が必要となる場合があります。その際は当金庫までご連絡ください。
    The bank reissues the administrator's certificate; the broken PC's one logs on no more; the new PC obtains one."""
    state = arrange("admin_certified")
    back_office.act(state.contract.contract_number, "reissue")
    refused_at_logon(workstation("壊れたPCの証明書", state.admin_certificate), "admin", "失効")
    new = workstation("新しいPC")
    obtain(new, "admin", state.contract.contract_number, SAMPLE.admin_logon_pin, SAMPLE.admin_confirmation_pin)
    assert isinstance(admin_logon(new, state.contract), ContractStatusPage)


@pytest.mark.parametrize("stop, text", [pytest.param("accident", "事故登録", marks=pytest.mark.faq(17), id="accident"),
                                        pytest.param("cancel", "失効", marks=pytest.mark.faq(13), id="cancelled")])
def test_a_stopped_contract_refuses_at_logon_and_under_an_open_session(stop, text, arrange, workstation, back_office):
    """事故登録 or 解約: the open sessions of the administrator and of a user end at their next click, and the next
    logon of each is refused, before or at 暗証番号入力."""
    state = arrange("user_activated")
    pcs = {side: workstation(f"{side} PC", state.admin_certificate if side == "admin" else state.user_certificate)
           for side in LOGON}
    for side, pc in pcs.items():
        arrange.logged_on(pc, state, side)
    back_office.act(state.contract.contract_number, stop)
    for side, pc in pcs.items():
        session_ended(pc, side, text)
        shown = logon_screen(pc, side).certificate_logon().ok().grant_outcome()
        if isinstance(shown, LogonPinPage):
            shown = shown.enter_wrong_pin(SAMPLE.admin_logon_pin if side == "admin" else SAMPLE.user_logon_pin)
        assert isinstance(shown, LOGON[side]), f"{stop}: the logon went on; {pc.describe()}"


@pytest.mark.parametrize("stop, text", [pytest.param("accident", "事故登録", marks=pytest.mark.faq(17), id="accident"),
                                        pytest.param("cancel", "解約", marks=pytest.mark.faq(13), id="cancelled")])
def test_a_stopped_contract_obtains_no_certificate(stop, text, arrange, workstation, back_office):
    """事故登録 or 解約 before the administrator's first certificate: 電子証明書取得 refuses, saying why, and the PC's
    store stays empty."""
    state = arrange("activated")
    back_office.act(state.contract.contract_number, stop)
    pc = workstation("新しいPC")
    form = logon_screen(pc, "admin").enrollment()
    form.enter_rejected(state.contract.contract_number, SAMPLE.admin_logon_pin,
                        SAMPLE.admin_confirmation_pin).expect_alert(text)
    assert pc.certificates == []
