"""What the customer holds to answer the 確認用パスワード / ワンタイムパスワード challenge.

- `CustomerCard`: the お客様カード's grid of 確認用パスワード (cells アイウエオカキク, two digits each); the server asks
  for some cells, the card reads which ones from the fields' labels.
- `SoftwareToken`: a TOTP token (pyotp) for contracts that use one instead of the card.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping

import pyotp

if TYPE_CHECKING:
    from .activation import OneTimePasswordPage

CELLS = "アイウエオカキク"


@dataclass(frozen=True)
class CustomerCard:
    cells: Mapping[str, str]

    def __post_init__(self):
        missing = set(CELLS) - set(self.cells)
        if missing:
            raise ValueError(f"customer card lacks cells {''.join(sorted(missing))}")

    def value(self, cell: str) -> str:
        return self.cells[cell]

    def answer(self, otp_page: "OneTimePasswordPage") -> dict[str, str]:
        """Fill every asked cell (found by its label) with this card's value; returns {cell: value}."""
        asked = otp_page.asked_cells()
        if not asked:
            raise AssertionError("the one-time password screen asks for no 確認用パスワード cell of the customer card")
        answers = {cell: self.cells[cell] for cell in asked}
        for cell, value in answers.items():
            otp_page.fill_cell(cell, value)
        return answers

    def wrong(self) -> "CustomerCard":
        """A card whose every cell is wrong (for negative tests)."""
        return CustomerCard({cell: f"{(int(v) + 1) % 100:02d}" for cell, v in self.cells.items()})


@dataclass
class SoftwareToken:
    """A TOTP token (RFC 6238, 30 s steps, 6 digits).

    A code is accepted once only (a time step at or before the last accepted one is refused), so after a code has
    been used the token offers the next step's code, which servers accept as clock drift; should even that be used
    already, it waits for the clock to catch up. `clock` returns the time the server believes it is.
    """

    secret: str
    clock: Callable[[], float] = time.time
    last_step: int | None = None

    @property
    def totp(self) -> pyotp.TOTP:
        return pyotp.TOTP(self.secret)

    def _step(self) -> int:
        now = self.clock()
        current = int(now // self.totp.interval)
        if self.last_step is None or self.last_step < current:
            return current
        wanted = self.last_step + 1
        if wanted > current + 1:  # both this step's and the next step's code are used up
            time.sleep((wanted - 1) * self.totp.interval - now + 0.5)
        return wanted

    def code(self) -> str:
        """A code the server has not seen yet."""
        return self.totp.generate_otp(self._step())

    def current_code(self) -> str:
        return self.totp.at(self.clock())

    def answer(self, otp_page: "OneTimePasswordPage", code: str | None = None) -> dict[str, str]:
        if code is None:
            step = self._step()
            code = self.totp.generate_otp(step)
            self.last_step = step
        otp_page.fill_token_code(code)
        return {"token": code}
