"""振込, the transaction that needs チ and 権限 (legend チ: 利用者が資金移動などの取引実行時に使用します).

- A user whose 権限 has 振込・振替 finds 振込 on 利用者ステータス, is told what is wrong with bad input, confirms with チ
  and gets a 受付番号; going back to the confirmation transfers nothing more.
- A user registered without it sees no link; once the administrator takes it away on 利用者情報変更, the link is gone
  and the screen's address is refused (403) without its form (permission:link, permission:address).
- A wrong チ counts towards the user's lockout as every PIN does: N−1 misses leave the ID open, N lock it (N from
  GET /api/capabilities: lockout_threshold; 6 where a server does not say), the first miss the right チ with its case
  changed (rule:チ:case).
- Each field's edges (rule:振込金額:min-1 … max+1, rule:振込先口座番号:6/8 digits, rule:受取人名:max+1): what lies
  inside is taken to 振込内容確認, what lies outside is refused with the field's message (the largest amount from
  GET /api/capabilities: transfer_limit; not applicable where a server does not say).
- Both forms refuse a missing or forged CSRF token (csrf:missing@transfer, …).
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from pages import (Payment, TransferConfirmPage, TransferDonePage, TransferPage, TransferRefusedPage, UserLogonPage,
                   UserStatusPage)
from pages.base import address_of
from pages.walkthrough import SAMPLE
from spec.cases import case_changed

from .test_sessions import _heading, refuses_bad_tokens

PAYMENT = Payment("1234567", "メグロシヨウジ", "50000")


@pytest.fixture
def state(arrange):
    """A user who set ト and チ (II-2.5), 権限 every one of the screen's (振込・振替 among them)."""
    return arrange("user_activated")


@pytest.fixture
def user_pc(workstation, state):
    return workstation("利用者PC", state.user_certificate)


@pytest.fixture
def status(arrange, user_pc, state) -> UserStatusPage:
    return arrange.logged_on(user_pc, state, "user")


def test_a_user_with_the_permission_transfers_with_chi(status):
    form = status.transfer().enter_rejected(Payment("123456", "目黒商事", "0"))
    for key in ("transfer.account_number", "transfer.payee_name", "transfer.amount"):
        form.expect_field_error(key)
    done = form.enter(PAYMENT).execute(SAMPLE.user_confirmation_pin)
    receipt = done.receipt_number()
    assert receipt
    done.page.go_back()  # to 振込内容確認 again: it is done, once
    again = TransferDonePage(done.pc)
    again.expect_alert("受付済み")
    assert again.receipt_number() == receipt


def test_each_field_is_refused_just_outside_its_edges_and_taken_just_inside(arrange, status, subtests):
    """One submission per side of the edges: outside, every field named is refused (each its own message, the
    server judging all of them); inside, the transfer goes on to 振込内容確認."""
    limit = arrange.capabilities.get("transfer_limit")
    if limit is None:
        pytest.skip("not applicable (needs: transfer_limit — GET /api/capabilities)")
    form = status.transfer()
    path = urlsplit(form.page.url).path
    outside = {"rule:振込先口座番号:min-1": ("transfer.account_number", Payment("123456", "ア" * 31, "0")),
               "rule:受取人名:max+1": ("transfer.payee_name", None), "rule:振込金額:min-1": ("transfer.amount", None),
               "rule:振込先口座番号:max+1": ("transfer.account_number", Payment("12345678", "アイ", str(limit + 1))),
               "rule:振込金額:max+1": ("transfer.amount", None)}
    for case, (key, payment) in outside.items():
        if payment is not None:
            form = form.enter_rejected(payment)
        with subtests.test(msg=case):
            form.expect_field_error(key)
    pc = status.pc
    for case, payment in {"rule:振込金額:max": Payment("1234567", "ア" * 30, str(limit)),  # 受取人名 at its max too
                          "rule:振込金額:min": Payment("7654321", "イ", "1")}.items():
        with subtests.test(msg=case):
            form.enter(payment)
            expect(pc.page.get_by_text(f"{int(payment.amount):,}円", exact=True)).to_be_visible()
        pc.goto(path)
        form = TransferPage(pc)


def test_a_user_registered_without_the_permission_sees_no_link(arrange, workstation):
    state = arrange("user_activated", user=dataclasses.replace(SAMPLE.user, permissions=("残高照会",)))
    status = arrange.logged_on(workstation("利用者PC", state.user_certificate), state, "user")
    expect(status.transfer_link()).to_have_count(0)


def test_the_permission_taken_away_hides_the_link_and_refuses_the_address(arrange, workstation, state, user_pc,
                                                                           status, subtests):
    address = address_of(status.transfer_link())
    detail = arrange.logged_on(workstation("管理者PC", state.admin_certificate), state, "admin").management() \
        .users().user(state.user.user_id)
    detail.change_permissions(("残高照会", "入出金明細照会"), SAMPLE.admin_confirmation_pin).expect_no_alert()
    with subtests.test(msg="permission:link"):
        user_pc.page.reload()
        expect(UserStatusPage(user_pc).transfer_link()).to_have_count(0)
    with subtests.test(msg="permission:address"):
        response = user_pc.page.goto(address)
        refused = TransferRefusedPage(user_pc)
        assert response is not None and response.status == 403, response and response.status
        refused.expect_alert()
        expect(refused.form_fields()).to_have_count(0)


@pytest.mark.rules
@pytest.mark.parametrize("misses", ["N-1", "N"])
def test_wrong_chi_counts_towards_the_lockout(misses, arrange, status, subtests):
    threshold = arrange.capabilities.get("lockout_threshold", 6)
    shown = status.transfer().enter(PAYMENT)
    count = threshold - 1 if misses == "N-1" else threshold
    for n in range(1, count + 1):
        with subtests.test(msg="rule:チ:case" if n == 1 else f"lockout:チ:miss {n}"):
            shown = shown.execute_wrong(case_changed(SAMPLE.user_confirmation_pin) if n == 1 else f"Wrong{n}pin")
            assert isinstance(shown, TransferConfirmPage if n < threshold else UserLogonPage), shown.pc.describe()
    if misses == "N-1":
        shown.expect_field_error("transfer.confirmation_pin")
        assert shown.execute(SAMPLE.user_confirmation_pin).receipt_number()
        return
    shown.expect_alert()  # locked, logged off; the next logon is refused before its PIN
    again = shown.certificate_logon().ok().grant_outcome()
    assert isinstance(again, UserLogonPage), f"{count} misses (N) must lock; {again.pc.describe()}"
    again.expect_alert()


@pytest.mark.tls
def test_both_forms_refuse_a_bad_csrf_token(status, subtests):
    form = status.transfer()
    pc = form.pc
    refuses_bad_tokens(subtests, "transfer", form, lambda: form.action("transfer.next_button"),
                       _heading(pc, TransferConfirmPage.HEADING), lambda: form._submit(PAYMENT))
    confirm = form.enter(PAYMENT)
    refuses_bad_tokens(subtests, "transfer-confirm", confirm, lambda: confirm.action("transfer.execute_button"),
                       _heading(pc, TransferDonePage.HEADING),
                       lambda: confirm._execute(SAMPLE.user_confirmation_pin))
    assert confirm.execute(SAMPLE.user_confirmation_pin).receipt_number()
