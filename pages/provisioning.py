"""A small client of the bank's provisioning API: fresh contracts for tests (and the documentation job).

    operator = BankOperator(base_url, token, ca_cert)
    contract = operator.create_contract()            # card contract, applied today
    contract.credential                               # CustomerCard or SoftwareToken
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from .credentials import CustomerCard, SoftwareToken


@dataclass
class Contract:
    contract_number: str  # A 利用者番号
    registration_pin: str = field(repr=False)  # C ご契約先登録用暗証番号
    otp: str  # "card" | "totp"
    card: CustomerCard | None = field(default=None, repr=False)  # B お客様カード
    token: SoftwareToken | None = field(default=None, repr=False)
    applied_at: str | None = None

    @property
    def credential(self) -> CustomerCard | SoftwareToken:
        """What answers this contract's one-time password challenge."""
        return self.token if self.otp == "totp" else self.card


class ProvisioningError(RuntimeError):
    pass


class BankOperator:
    """The bank's back office: creates contracts through POST /api/contracts (Bearer operator token)."""

    def __init__(self, base_url: str, token: str, ca_cert: str | os.PathLike | None = None, *, timeout: float = 15):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        # verify the bank's certificate against our CA (or the system's, for a server with a public certificate);
        # given per request, since requests lets REQUESTS_CA_BUNDLE override a session's setting
        self.verify = str(ca_cert) if ca_cert else True
        self.timeout = timeout

    def _request(self, method: str, path: str, **kwargs) -> Any:
        try:
            response = self.session.request(method, self.base_url + path, timeout=self.timeout,
                                            verify=self.verify, **kwargs)
        except requests.RequestException as error:
            raise ProvisioningError(f"{method} {self.base_url}{path} failed: {error}") from None
        if response.status_code >= 400:
            raise ProvisioningError(f"{method} {self.base_url}{path}: HTTP {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def create_contract(self, **options: Any) -> Contract:
        """options (all optional): contract_number, registration_pin, card {cell: digits}, otp "card"|"totp",
        applied_days_ago, challenge_cells (two cells; servers in testing mode only)."""
        data = self._request("POST", "/api/contracts", json=options)
        token = None
        if data.get("totp_secret"):
            token = SoftwareToken(data["totp_secret"], clock=self.server_time)
        return Contract(
            contract_number=data["contract_number"],
            registration_pin=data["registration_pin"],
            otp=data.get("otp", "card"),
            card=CustomerCard(data["card"]) if data.get("card") else None,
            token=token,
            applied_at=data.get("applied_at"),
        )

    # -- the server's clock (testing mode only) -------------------------------------------------------------------------
    def clock(self) -> dict:
        return self._request("GET", "/api/clock")

    def set_clock(self, **body: Any) -> dict:
        return self._request("POST", "/api/clock", json=body)

    def server_time(self) -> float:
        """Seconds since the epoch on the server's clock; the local clock if the server does not expose one."""
        try:
            data = self.clock()
        except ProvisioningError:
            import time

            return time.time()
        value = data.get("now") if isinstance(data, dict) else None
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        import time

        return time.time()

    def healthy(self) -> bool:
        try:
            return self.session.get(self.base_url + "/healthz", timeout=self.timeout, verify=self.verify).ok
        except requests.RequestException:
            return False
