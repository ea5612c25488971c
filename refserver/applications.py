"""A contract application, as the branch takes it in when the customer's form comes: the 利用者番号, the お客様カード,
the ご契約先登録用暗証番号 and the administrator not yet activated. Used by the bank's API and CLI (backoffice.py) and
by 再契約 (lifecycle.py)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
from flask import current_app

from . import auth, clock, otp
from .models import ADMIN, AUTH_METHODS, CERTIFICATE_METHOD, PENDING, Contract, Principal, db


class ProvisioningError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def unused_number() -> str:
    while True:
        number = f"{secrets.randbelow(10**11):011d}"
        if not db.session.scalar(db.select(Contract.id).filter_by(number=number)):
            return number


MAX_APPLIED_DAYS_AGO = 36500  # a century: any test's need, and far from the calendar's end


@dataclass(frozen=True)
class Application:
    """A contract application as the customer's form brings it in; None values are chosen by the bank."""

    contract_number: str | None = None
    registration_pin: str | None = None
    card: dict | None = None
    otp_kind: str = otp.CARD
    applied_days_ago: int = 0
    challenge_cells: list | None = None
    auth_method: str = CERTIFICATE_METHOD  # 認証区分: 電子証明書方式 or ID・パスワード方式 (FAQ 6, 9)

    def check(self) -> None:
        """Refuse (ProvisioningError) an application the bank would not take, before anything is written."""
        number, pin = self.contract_number, self.registration_pin
        if number is not None and not (isinstance(number, str) and re.fullmatch(r"[0-9]{11}", number)):
            raise ProvisioningError("contract_number は11桁の数字の文字列で指定してください。")
        if pin is not None and not (isinstance(pin, str) and re.fullmatch(r"[0-9]{4}", pin)):
            raise ProvisioningError("registration_pin は4桁の数字の文字列で指定してください。")
        if self.card is not None and (problem := otp.card_problem(self.card)):
            raise ProvisioningError(problem)
        if self.otp_kind not in (otp.CARD, otp.TOTP):
            raise ProvisioningError("otp は \"card\" または \"totp\" を指定してください。")
        if not isinstance(self.auth_method, str) or self.auth_method not in AUTH_METHODS:
            raise ProvisioningError("auth_method（認証区分）は \"certificate\"（電子証明書方式）または "
                                    "\"password\"（ID・パスワード方式）を指定してください。")
        days = self.applied_days_ago
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ProvisioningError("applied_days_ago は0以上の整数で指定してください。")
        if days > MAX_APPLIED_DAYS_AGO:
            raise ProvisioningError(f"applied_days_ago は{MAX_APPLIED_DAYS_AGO}以下で指定してください。")
        if self.challenge_cells is not None:
            if not current_app.config["TESTING"]:
                raise ProvisioningError("challenge_cells はテストモードでのみ指定できます。")
            if problem := otp.challenge_cells_problem(self.challenge_cells):
                raise ProvisioningError(problem)
        if number and db.session.scalar(db.select(Contract.id).filter_by(number=number)):
            raise ProvisioningError(f"利用者番号 {number} のご契約は既に登録されています。", 409)

    def open(self) -> tuple[Contract, str]:
        """The contract and its administrator (not yet activated), added to the session: the caller commits. Returns
        the registration PIN in clear too — the only moment it exists in clear, to be printed for the customer."""
        registration_pin = self.registration_pin or f"{secrets.randbelow(10**4):04d}"
        now = clock.now()
        contract = Contract(
            number=self.contract_number or unused_number(),
            registration_pin_hash=auth.hash_pin(registration_pin),
            card=self.card or otp.random_card(),
            otp_kind=self.otp_kind,
            totp_secret=pyotp.random_base32() if self.otp_kind == otp.TOTP else None,
            fixed_challenge=self.challenge_cells,
            applied_at=now - dt.timedelta(days=self.applied_days_ago),
            auth_method=self.auth_method,
        )
        contract.principals.append(Principal(kind=ADMIN, status=PENDING, permissions=[], created_at=now))
        db.session.add(contract)
        return contract, registration_pin


def create_contract(**application: Any) -> tuple[Contract, str]:
    """A new contract application (the keys of Application) and the registration PIN in clear."""
    application = Application(**application)
    application.check()
    contract, registration_pin = application.open()
    db.session.commit()
    return contract, registration_pin


def find_contract(number: str) -> Contract | None:
    return db.session.scalar(db.select(Contract).filter_by(number=number))
