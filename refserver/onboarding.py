"""What the onboarding's screens change once their checks pass, each change written once.

The screens (I-2.3, I-2.4, I-4.7, II-2.5) call these after judging the input and the PINs or one-time passwords; the
bank-side API calls the same ones to set a contract up at a named point of the manual (testing mode), so a contract
made there is the contract the screens would have made. They change the session only: a screen commits at once, the
API commits a whole set-up together, so a refused set-up leaves nothing behind.
"""

from __future__ import annotations

from sqlalchemy import update

from . import auth, clock
from .models import ACTIVE, PENDING, PROVISIONAL, USER, Contract, Principal, db
from .web import w


def activate_admin(contract: Contract, logon_pin_hash: str, confirmation_pin_hash: str, email: str) -> bool:
    """I-2.4 answered: I-2.3's ご契約先暗証番号 (イ), ご契約先確認暗証番号 (ロ) and ご契約先Eメールアドレス (ハ) take effect
    and the contract is in service from now. One conditional UPDATE, only while the administrator is still pending:
    a replayed or raced 開通確認 changes nothing (False)."""
    db.session.flush()  # a contract the API has just opened gets its rows (and ids) first
    taken = db.session.execute(
        update(Principal).where(Principal.id == contract.admin.id, Principal.status == PENDING)
        .values(status=ACTIVE, logon_pin_hash=logon_pin_hash, confirmation_pin_hash=confirmation_pin_hash)
    ).rowcount
    if taken:
        contract.email = email
        contract.activated_at = clock.now()
    return taken == 1


def register_user(contract: Contract, user_id: str, name: str, temporary_logon_pin: str,
                  temporary_confirmation_pin: str, permissions: list[str], email: str | None = None) -> Principal:
    """I-4.7: a user with the 仮 PINs (ホ, ヘ) the administrator tells them, and the user's own e-mail address if
    given. The name is kept without surrounding blanks and the 権限 in the menu's order, whatever order they were
    ticked in."""
    allowed = w("admin_menu.permission_names")
    user = Principal(kind=USER, user_id=user_id, name=name.strip(), email=email or None,
                     permissions=[permission for permission in allowed if permission in permissions],
                     status=PROVISIONAL, logon_pin_hash=auth.hash_pin(temporary_logon_pin),
                     confirmation_pin_hash=auth.hash_pin(temporary_confirmation_pin), created_at=clock.now())
    contract.principals.append(user)
    return user


def activate_user(user: Principal, logon_pin: str, confirmation_pin: str) -> None:
    """II-2.5: the user's own 利用者暗証番号 (ト) and 利用者確認暗証番号 (チ) replace the 仮 ones."""
    user.logon_pin_hash = auth.hash_pin(logon_pin)
    user.confirmation_pin_hash = auth.hash_pin(confirmation_pin)
    user.status = ACTIVE


def same_as_provisional(label: str) -> str:
    """II-2.5 refuses a PIN equal to the 仮 one it replaces: the administrator knows that one."""
    return f"仮の{label}と同じ暗証番号は設定できません。"
