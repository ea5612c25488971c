"""One-time passwords: the お客様カード's cells (a challenge is answered once) and the TOTP token (a code once)."""

import datetime as dt
import re

import pyotp
import pytest

from refserver import clock, otp
from refserver.backoffice import create_contract
from refserver.models import db

pytestmark = pytest.mark.databases


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_random_card_has_a_two_digit_number_in_every_cell(ctx):
    card = otp.random_card()
    assert list(card) == list("アイウエオカキク")
    assert all(len(v) == 2 and v.isdigit() for v in card.values())
    assert otp.card_problem(card) is None


@pytest.mark.parametrize("card", [{}, {"ア": "11"}, {c: "1" for c in "アイウエオカキク"}, {c: 11 for c in "アイウエオカキク"}])
def test_incomplete_or_malformed_cards_are_refused(card):
    assert otp.card_problem(card) is not None


def test_a_challenge_asks_two_different_cells_of_the_card(ctx):
    contract, _ = create_contract()
    cells = otp.new_challenge(contract).cells
    assert len(cells) == 2 and len(set(cells)) == 2 and set(cells) <= set(otp.CELLS)


def test_a_card_challenge_can_be_answered_once(ctx):
    contract, _ = create_contract(card={c: f"{i}{i}" for i, c in enumerate(otp.CELLS, 1)}, challenge_cells=["ウ", "カ"])
    challenge = otp.new_challenge(contract)
    assert otp.open_challenge(contract, challenge.id) is challenge
    assert otp.answer_card(contract, challenge, ["33", "66"])
    assert otp.open_challenge(contract, challenge.id) is None  # used up: the screen must ask a new one


def test_a_wrong_answer_uses_the_challenge_up_too(ctx):
    contract, _ = create_contract(challenge_cells=["ア", "イ"])
    challenge = otp.new_challenge(contract)
    assert not otp.answer_card(contract, challenge, ["00", "00"] if contract.card["ア"] != "00" else ["01", "01"])
    assert otp.open_challenge(contract, challenge.id) is None


def test_another_contracts_challenge_is_not_open(ctx):
    first, _ = create_contract()
    second, _ = create_contract()
    assert otp.open_challenge(second, otp.new_challenge(first).id) is None


def test_the_standing_challenge_is_the_contracts_own_latest_until_answered(ctx):
    """Starting over shows the same cells (never other ones to wait for), and never another contract's."""
    first, _ = create_contract()
    second, _ = create_contract()
    older, shown = otp.new_challenge(first), otp.new_challenge(first)
    assert otp.standing_challenge(first).id == shown.id != older.id
    assert otp.standing_challenge(second).contract_id == second.id
    card = first.card
    assert otp.answer_card(first, shown, [card[cell] for cell in shown.cells])
    assert otp.standing_challenge(first).id == older.id  # answered: the one still open


def test_fixed_challenge_cells_only_in_testing_mode(ctx, app):
    contract, _ = create_contract(challenge_cells=["キ", "ク"])
    assert otp.new_challenge(contract).cells == ["キ", "ク"]


def test_card_answers_full_width_digits_are_normalised():
    assert otp.card_answer_problem("３３", "確認用パスワード（ウ）") == ("33", None)
    assert otp.card_answer_problem("3", "確認用パスワード（ウ）")[1] == "確認用パスワード（ウ）はお客様カードに記載の2桁の数字で入力してください。"


@pytest.mark.parametrize("raw, problem", [
    ("", "ワンタイムパスワードを入力してください。"),
    ("12345", "ワンタイムパスワードはトークンに表示された6桁の数字で入力してください。"),
    ("1234567", "ワンタイムパスワードはトークンに表示された6桁の数字で入力してください。"),
    ("１２３４５６", None),
])
def test_token_answers_are_the_tokens_six_digits(raw, problem):
    assert otp.token_answer_problem(raw, "ワンタイムパスワード")[1] == problem


def test_a_totp_code_is_accepted_once(ctx):
    contract, _ = create_contract(otp_kind=otp.TOTP)
    code = pyotp.TOTP(contract.totp_secret).at(clock.now())
    assert otp.answer_token(contract, code)
    assert not otp.answer_token(contract, code)


def test_a_wrong_or_old_totp_code_is_refused(ctx):
    contract, _ = create_contract(otp_kind=otp.TOTP)
    totp = pyotp.TOTP(contract.totp_secret)
    assert not otp.answer_token(contract, totp.at(clock.now() - dt.timedelta(minutes=5)))
    wrong = f"{(int(totp.at(clock.now())) + 1) % 10**6:06d}"
    assert not otp.answer_token(contract, wrong)


def test_totp_follows_the_app_clock(ctx):
    contract, _ = create_contract(otp_kind=otp.TOTP)
    clock.advance(30)
    assert otp.answer_token(contract, pyotp.TOTP(contract.totp_secret).at(clock.now()))
    db.session.refresh(contract)
    assert contract.totp_last_step == pyotp.TOTP(contract.totp_secret).timecode(clock.now())


def test_starting_over_never_draws_other_cells(app, web, provision):
    """Issue 12 #3: 開通確認 started again and again (new browsers, new flows) shows the same, unanswered challenge;
    only an answer — which counts — brings other cells."""
    from test_activation import to_otp

    contract = provision()
    shown = set()
    for _ in range(12):
        web.client.delete_cookie("__Host-ibcert_session", domain="localhost")
        to_otp(web, contract)
        shown.add(tuple(re.findall(r"確認用パスワード（(.)）", web.html)))
    assert len(shown) == 1, shown


@pytest.mark.parametrize("offset, accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_a_totp_code_of_a_neighbouring_step_is_taken_for_clock_drift_no_further(ctx, offset, accepted):
    contract, _ = create_contract(otp_kind=otp.TOTP)
    totp = pyotp.TOTP(contract.totp_secret)
    assert otp.answer_token(contract, totp.generate_otp(totp.timecode(clock.now()) + offset)) is accepted


def test_each_newer_totp_code_is_taken_once_and_per_contract(ctx):
    first, _ = create_contract(otp_kind=otp.TOTP)
    other, _ = create_contract(otp_kind=otp.TOTP)
    totp = pyotp.TOTP(first.totp_secret)
    step = totp.timecode(clock.now())
    assert otp.answer_token(first, totp.generate_otp(step - 1))
    assert otp.answer_token(first, totp.generate_otp(step))  # a newer step after a used one
    other_totp = pyotp.TOTP(other.totp_secret)
    assert otp.answer_token(other, other_totp.generate_otp(step - 1))  # another contract's steps are its own


def test_answering_one_contracts_challenge_leaves_anothers_open(ctx):
    first, _ = create_contract()
    other, _ = create_contract()
    mine, theirs = otp.new_challenge(first), otp.new_challenge(other)
    otp.answer_card(first, mine, ["00", "00"])
    assert otp.open_challenge(other, theirs.id) is not None
