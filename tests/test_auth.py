"""PIN hashing (scrypt, never the PIN itself) and the lockout counter."""

import logging

import pytest

from refserver import auth, clock
from refserver.backoffice import create_contract
from refserver.models import db

pytestmark = pytest.mark.databases


def test_pins_are_hashed_with_scrypt_at_the_configured_cost(app):
    with app.app_context():
        stored = auth.hash_pin("Kanri2024x")
        assert stored.startswith("scrypt$16$8$1$") and "Kanri2024x" not in stored
        assert auth.hash_pin("Kanri2024x") != stored  # salted
        assert auth.pin_matches(stored, "Kanri2024x")
        assert not auth.pin_matches(stored, "kanri2024x")  # case-sensitive
        assert not auth.pin_matches(None, "Kanri2024x")


def test_production_cost_is_slow_by_default():
    from refserver.config import DEFAULTS

    assert DEFAULTS["PIN_KDF_COST"] >= 14


def test_wrong_pins_are_logged_without_the_pin(app, web, provision, caplog):
    contract = provision(registration_pin="2580")
    with caplog.at_level(logging.DEBUG):
        web.submit("/ib/admin/activation", {"contract_number": contract.contract_number, "registration_pin": "9731"})
    assert "wrong 暗証番号" in caplog.text
    assert "9731" not in caplog.text and "2580" not in caplog.text


def test_failures_count_then_lock_and_success_resets(app):
    app.config["LOCKOUT_THRESHOLD"] = 3
    wrong, right = (lambda: False), (lambda: True)
    with app.app_context():
        contract, _ = create_contract()
        admin = contract.admin
        assert auth.judge(admin, wrong).message == "暗証番号が正しくありません。あと2回誤るとご利用を停止します。"
        assert auth.judge(admin, right) == auth.Judgement(True)
        assert admin.failed_attempts == 1  # a right answer gives its own attempt back, and only that
        auth.record_success(admin)
        assert admin.failed_attempts == 0
        for _ in range(2):
            assert not auth.judge(admin, wrong).locked
        assert admin.locked_at is None
        verdict = auth.judge(admin, wrong, "ワンタイムパスワード")
        assert verdict.locked and verdict.message == \
            "ワンタイムパスワードの誤りが規定回数（3回）に達したため、ご利用を停止しました。当金庫までご連絡ください。"
        assert admin.locked_at is not None
        judged = []
        assert auth.judge(admin, lambda: judged.append(1) or True).locked and not judged  # locked: nothing is judged


def test_an_id_locked_by_another_hand_is_never_judged_whatever_its_count(app):
    """The attempt's reservation itself refuses a locked ID, not only a count at the threshold: a lock the bank or
    another counter set leaves this counter below it."""
    with app.app_context():
        contract, _ = create_contract()
        admin = contract.admin
        admin.locked_at = clock.now()
        db.session.commit()
        judged = []
        verdict = auth.judge(admin, lambda: judged.append(1) or True)
        assert verdict.locked and not judged and admin.failed_attempts == 0

