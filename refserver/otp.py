"""One-time passwords: the お客様カード's 確認用パスワード grid, or a TOTP software token (RFC 6238).

A card challenge names two random cells of the grid and can be answered once, right or wrong: the next screen asks
for other cells, so watching one answer or guessing at one challenge gains nothing. A TOTP code is accepted once:
a time step at or before the last accepted one is refused.
"""

from __future__ import annotations

import hmac
import re
import secrets

import pyotp
from flask import current_app
from sqlalchemy import or_, update

from . import clock
from .models import Contract, OtpChallenge, db
from .rules import RULES, half_width_digits

CELLS = "アイウエオカキク"
CARD = "card"
TOTP = "totp"
CHALLENGE_SIZE = 2


def random_card() -> dict[str, str]:
    return {cell: f"{secrets.randbelow(100):02d}" for cell in CELLS}


def card_problem(card) -> str | None:
    """What is wrong with a card given to the bank-side API, if anything."""
    if not isinstance(card, dict) or set(card) != set(CELLS):
        return f"card には {'・'.join(CELLS)} の8つの欄をすべて指定してください。"
    if not all(isinstance(v, str) and re.fullmatch(r"[0-9]{2}", v) for v in card.values()):
        return "card の各欄は2桁の数字の文字列で指定してください。"
    return None


def challenge_cells_problem(cells) -> str | None:
    if not (isinstance(cells, list) and len(cells) == CHALLENGE_SIZE and all(isinstance(c, str) for c in cells)
            and len(set(cells)) == CHALLENGE_SIZE and set(cells) <= set(CELLS)):  # one cell each, not "アイ"
        return f"challenge_cells には {'・'.join(CELLS)} のうち異なる{CHALLENGE_SIZE}つの欄を指定してください。"
    return None


def new_challenge(contract: Contract) -> OtpChallenge:
    if contract.fixed_challenge and current_app.config["TESTING"]:
        cells = list(contract.fixed_challenge)
    else:
        cells = sorted(secrets.SystemRandom().sample(CELLS, CHALLENGE_SIZE), key=CELLS.index)
    challenge = OtpChallenge(contract_id=contract.id, cells=cells, created_at=clock.now())
    db.session.add(challenge)
    db.session.commit()
    return challenge


def standing_challenge(contract: Contract) -> OtpChallenge:
    """The challenge the contract's one-time-password screens show: the one shown before, until it is answered, in
    whatever browser or flow — so that starting over never draws other cells (someone who knows two cells of the
    card cannot wait for them) — else a new one."""
    shown = db.session.scalar(db.select(OtpChallenge).filter_by(contract_id=contract.id, answered_at=None)
                              .order_by(OtpChallenge.id.desc()).limit(1))
    return shown or new_challenge(contract)


def open_challenge(contract: Contract, challenge_id: int | None) -> OtpChallenge | None:
    """The challenge a screen showed, if it belongs to *contract* and has not been answered yet."""
    challenge = db.session.get(OtpChallenge, challenge_id) if challenge_id else None
    if challenge is None or challenge.contract_id != contract.id or challenge.answered_at is not None:
        return None
    return challenge


def _digits_problem(raw: str, label: str, digits: int, source: str) -> tuple[str, str | None]:
    """An answer is the *digits*-digit number *source* shows; full-width digits are taken as typed by mistake."""
    value = half_width_digits(raw)
    if not value:
        return value, f"{label}を入力してください。"
    if not re.fullmatch(rf"[0-9]{{{digits}}}", value):
        return value, f"{label}は{source}{digits}桁の数字で入力してください。"
    return value, None


def card_answer_problem(raw: str, label: str) -> tuple[str, str | None]:
    """A cell of the お客様カード (the legend's B): its digits, as spec/rules.toml says."""
    return _digits_problem(raw, label, RULES["B"].max, "お客様カードに記載の")


def answer_card(contract: Contract, challenge: OtpChallenge, answers: list[str]) -> bool:
    """Check the answers to *challenge* and use it up, whatever the outcome. Using it up is one conditional UPDATE:
    of several answers to the same challenge sent at once, only the first is judged."""
    used = db.session.execute(
        update(OtpChallenge).where(OtpChallenge.id == challenge.id, OtpChallenge.answered_at.is_(None))
        .values(answered_at=clock.now())
    ).rowcount
    db.session.commit()
    expected = "".join(contract.card[cell] for cell in challenge.cells)
    return used == 1 and hmac.compare_digest(expected, "".join(answers))


def token_answer_problem(raw: str, label: str) -> tuple[str, str | None]:
    return _digits_problem(raw, label, 6, "トークンに表示された")


def answer_token(contract: Contract, code: str) -> bool:
    """Accept *code* if it is the token's code for the current time step or a neighbour (clock drift), and newer
    than the last one accepted. Time is the app clock, so a moved testing clock moves the token with it."""
    totp = pyotp.TOTP(contract.totp_secret)
    current = totp.timecode(clock.now())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return _use_step(contract, step)
    return False


def _use_step(contract: Contract, step: int) -> bool:
    """Record *step* as used, if it is newer than the last one used — in one conditional UPDATE, so that of several
    requests bearing the same code at once exactly one wins (RFC 6238 §5.2: a code is accepted once)."""
    used = db.session.execute(
        update(Contract)
        .where(Contract.id == contract.id, or_(Contract.totp_last_step.is_(None), Contract.totp_last_step < step))
        .values(totp_last_step=step)
    ).rowcount
    db.session.commit()
    return used == 1
