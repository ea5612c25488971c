"""The FAQ's answers about who uses which PC, each told as the customer lives it (FAQ-4, 7, 11): set-up from the
bank's API, the browser for the logons and screens the answer is about.

- FAQ-4 １台のパソコンを複数の人で使うことはできますか？ — ご利用者ごとにご自分の「利用者ＩＤ」をお使いいただきます。また、…
  お取引の中断・終了時には必ずログアウトしてください。
- FAQ-7 会社内で複数のパソコンを使って同時に利用できますか？ — それぞれのパソコンには異なる利用者ＩＤでログオンする必要があります。
- FAQ-11 １人の利用者が複数のパソコンで利用したいときは … パソコンの台数分の利用者ＩＤを登録し電子証明書を取得します。
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pages import (AdminLogonPage, ContractStatusPage, OneTimePasswordPage, UserLogonPage, UserPinSetupPage,
                   UserStatusPage)
from pages.admin import NewUser
from pages.walkthrough import SAMPLE, certificate_logon, logon_screen

from .test_faq_lifecycle import obtain

pytestmark = pytest.mark.tls
SECOND_ID = NewUser("yamada02", "山田太郎", "Kari5813", "Kari5813q")  # the same person's ID for a second PC
SUPERSEDED = "同じIDで別のパソコンまたはブラウザからログオンされたため、ログオフしました。"


def shows_own(screen, own: str, other: str) -> None:
    """The screen shows the ID logged on here (`own`), nowhere the other's (however the screen lays its facts out)."""
    expect(screen.page.get_by_text(own).first).to_be_visible()
    expect(screen.page.get_by_text(other)).to_have_count(0)


@pytest.mark.faq(4)
def test_faq_4_one_pc_shared_each_person_with_their_own_id_and_certificate(arrange, workstation, wording):
    """The administrator and a user share one PC, each certificate in its store: each picks their own in the
    browser's 証明書の選択, logs on to their own screen and logs off; after a ログオフ the next person finds the logon
    screen, not the last person's screen."""
    state = arrange("user_activated")
    shared = workstation("共用PC", state.admin_certificate, state.user_certificate)

    shared.choose(state.admin_certificate)
    otp = certificate_logon(logon_screen(shared, "admin"), SAMPLE.admin_logon_pin, state.admin_certificate)
    assert isinstance(otp, OneTimePasswordPage), shared.describe()
    admin_status = otp.answer(state.contract.credential)
    assert isinstance(admin_status, ContractStatusPage), shared.describe()
    admin_url = shared.page.url
    admin_status.log_off()

    shared.page.goto(admin_url)  # the next person at the PC opens what the last one had open
    shared.expect_screen(AdminLogonPage)
    expect(shared.page.get_by_role("heading", level=1, name=wording[ContractStatusPage.HEADING])).to_have_count(0)

    shared.choose(state.user_certificate)
    user_status = certificate_logon(logon_screen(shared, "user"), SAMPLE.user_logon_pin, state.user_certificate)
    assert isinstance(user_status, UserStatusPage), shared.describe()
    shows_own(user_status, state.user.user_id, state.sample.admin_email)
    user_status.log_off()
    shared.page.goto(admin_url)
    shared.expect_screen(AdminLogonPage)


@pytest.mark.faq(7)
def test_faq_7_several_pcs_at_once_each_with_its_own_id(arrange, workstation):
    """The administrator's PC and the user's PC are logged on at the same time and go on working side by side, each
    on its own screens. The same ID logged on from a third browser ends that ID's older logon, which says so at its
    next click; the other ID's logon goes on."""
    state = arrange("user_activated")
    admin_pc = workstation("管理者PC", state.admin_certificate)
    user_pc = workstation("利用者PC", state.user_certificate)
    admin_status = arrange.logged_on(admin_pc, state, "admin")
    user_status = arrange.logged_on(user_pc, state, "user")
    assert isinstance(admin_status, ContractStatusPage) and isinstance(user_status, UserStatusPage)

    management = admin_status.management()  # both PCs work at once
    user_pc.page.reload()
    shows_own(user_pc.expect_screen(UserStatusPage), state.user.user_id, state.sample.admin_email)

    second_browser = workstation("利用者PC (別のブラウザ)", state.user_certificate)
    assert isinstance(arrange.logged_on(second_browser, state, "user"), UserStatusPage)
    user_pc.page.reload()
    user_pc.expect_screen(UserLogonPage).expect_alert(SUPERSEDED)
    admin_pc.page.reload()
    admin_pc.expect_screen(type(management))
    second_browser.page.reload()
    second_browser.expect_screen(UserStatusPage)


@pytest.mark.faq(11)
def test_faq_11_a_second_pc_for_one_person_needs_a_second_id(arrange, workstation):
    """電子証明書の発行は、特定のパソコンにおいて１ＩＤ、１枚の発行: the person's ID, which holds a certificate on the
    first PC, obtains none on a second; the administrator registers a second 利用者ID, for which the second PC
    obtains its own certificate and logs on while the first PC stays logged on."""
    state = arrange("user_activated")
    number, user = state.contract.contract_number, state.user
    first = workstation("1台目のPC", state.user_certificate)
    assert isinstance(arrange.logged_on(first, state, "user"), UserStatusPage)

    second = workstation("2台目のPC")
    form = logon_screen(second, "user").enrollment()
    form.enter_rejected(number, SAMPLE.user_logon_pin, SAMPLE.user_confirmation_pin,
                        user_id=user.user_id).expect_alert("発行済み")
    assert second.certificates == []

    admin_pc = workstation("管理者PC", state.admin_certificate)
    registration = arrange.logged_on(admin_pc, state, "admin").open_new_user_registration()
    registration.register(SECOND_ID, SAMPLE.admin_confirmation_pin).expect_done()
    obtain(second, "user", number, SECOND_ID.temporary_logon_pin, SECOND_ID.temporary_confirmation_pin,
           user_id=SECOND_ID.user_id)
    setup = certificate_logon(logon_screen(second, "user"), SECOND_ID.temporary_logon_pin)
    assert isinstance(setup, UserPinSetupPage), second.describe()

    first.page.reload()
    shows_own(first.expect_screen(UserStatusPage), user.user_id, SECOND_ID.user_id)
