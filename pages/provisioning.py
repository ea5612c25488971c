"""A small client of the bank's provisioning API: fresh contracts for tests (and the documentation job).

    operator = BankOperator(base_url, token, ca_cert)
    contract = operator.create_contract()            # card contract, applied today
    contract.credential                               # CustomerCard or SoftwareToken

A server in testing mode also sets a contract up at a point of the manual, and mints certificates bound to an ID
(see the API table of refserver/README.md):

    if "user_certified" in operator.capabilities().get("fast_forward", []):
        contract = operator.create_contract(at="user_certified", admin={...}, user={...})
        pc.import_certificate(contract.user_certificate.pkcs12, contract.user_certificate.password)
    expired = operator.mint_certificate(contract.contract_number, "expired", user_id="keiri01")
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Literal, TypeVar

import requests

from .credentials import CustomerCard, SoftwareToken

Point = Literal["applied", "activated", "admin_certified", "user_registered", "user_certified", "user_activated"]
CertificateKind = Literal["valid", "expired", "not_yet_valid", "wrong_usage"]
T = TypeVar("T")


@dataclass(frozen=True)
class CertificateFile:
    """A PKCS#12 file the server handed out, with its import password and the fingerprint it is bound by."""

    pkcs12: bytes = field(repr=False)
    password: str = field(repr=False)
    fingerprint: str
    serial: str | None = None
    not_before: str | None = None  # ISO 8601
    not_after: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> CertificateFile:
        return cls(base64.b64decode(data["pkcs12"]), data["password"], data["fingerprint"], data.get("serial"),
                   data.get("not_before"), data.get("not_after"))


@dataclass(frozen=True)
class RegisteredUser:
    """A user the administrator registered (I-4.7); the PINs are the caller's, not echoed by the server."""

    user_id: str  # ニ 利用者ID
    name: str  # 利用者名
    permissions: tuple[str, ...]  # 権限

    @classmethod
    def from_json(cls, data: dict) -> RegisteredUser:
        return cls(data["user_id"], data["name"], tuple(data["permissions"]))


def _given(make: Callable[[dict], T], data: dict | None) -> T | None:
    return make(data) if data else None


@dataclass
class Contract:
    contract_number: str  # A 利用者番号
    registration_pin: str = field(repr=False)  # C ご契約先登録用暗証番号
    otp: str  # "card" | "totp"
    card: CustomerCard | None = field(default=None, repr=False)  # B お客様カード
    token: SoftwareToken | None = field(default=None, repr=False)
    applied_at: str | None = None
    at: Point = "applied"  # the point of the manual the server set the contract up at
    admin_certificate: CertificateFile | None = field(default=None, repr=False)
    user: RegisteredUser | None = None
    user_certificate: CertificateFile | None = field(default=None, repr=False)
    auth_method: str = "certificate"  # 認証区分: "certificate" (電子証明書方式) | "password" (ID・パスワード方式)

    @property
    def credential(self) -> CustomerCard | SoftwareToken:
        """What answers this contract's one-time password challenge."""
        return self.token if self.otp == "totp" else self.card


class ProvisioningError(RuntimeError):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status of a refusal; None when the server was not reached


class BankOperator:
    """The bank's back office: creates contracts through POST /api/contracts (Bearer operator token); on a server in
    testing mode also at a point of the manual, and mints certificates bound to an ID."""

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
            status = response.status_code
            raise ProvisioningError(f"{method} {self.base_url}{path}: HTTP {status} {response.text[:300]}", status)
        return response.json() if response.content else None

    def create_contract(self, at: Point | None = None, admin: dict | None = None, user: dict | None = None,
                        **options: Any) -> Contract:
        """options (all optional): contract_number, registration_pin, card {cell: digits}, otp "card"|"totp",
        auth_method "certificate"|"password" (認証区分, FAQ 6, 9), applied_days_ago, challenge_cells (two cells;
        servers in testing mode only).

        at, admin, user (servers in testing mode only): the contract set up at that point of the manual, with the
        administrator's PINs and e-mail {logon_pin, confirmation_pin, email} and the user's {user_id, name,
        temporary_logon_pin, temporary_confirmation_pin, permissions, logon_pin, confirmation_pin}."""
        set_up = {key: value for key, value in (("at", at), ("admin", admin), ("user", user)) if value is not None}
        data = self._request("POST", "/api/contracts", json={**options, **set_up})
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
            at=data.get("at", "applied"),
            admin_certificate=_given(CertificateFile.from_json, data.get("admin_certificate")),
            user=_given(RegisteredUser.from_json, data.get("user")),
            user_certificate=_given(CertificateFile.from_json, data.get("user_certificate")),
            auth_method=data.get("auth_method", "certificate"),
        )

    def mint_certificate(self, contract_number: str, kind: CertificateKind = "valid",
                         user_id: str | None = None) -> CertificateFile:
        """A certificate bound to the administrator (user_id None) or to a user, whose dates or usage may be wrong, so
        that a test shows that very judgement refusing it (servers in testing mode only)."""
        data = self._request("POST", f"/api/contracts/{contract_number}/certificates",
                             json={"kind": kind, "user_id": user_id})
        return CertificateFile.from_json(data)

    def mint_unbound_certificate(self) -> CertificateFile:
        """A valid certificate of the bank's issuing CA bound to no ID, so that a test shows the binding refusing it
        (servers in testing mode only)."""
        return CertificateFile.from_json(self._request("POST", "/api/certificates", json={}))

    def log_on(self, contract_number: str, user_id: str | None = None) -> dict:
        """A logon of the administrator (user_id None) or a user, made by the server as their certificate logon would
        (servers in testing mode only): {"cookie": {"name", "value"}, "path": the screen it lands on}."""
        return self._request("POST", f"/api/contracts/{contract_number}/logons", json={"user_id": user_id})

    def at_step(self, contract_number: str, step: str, user_id: str | None = None, admin: dict | None = None) -> dict:
        """The browser session of the administrator (user_id None) or a user at `step` of a flow (servers in testing
        mode only): {"cookie": {"name", "value"}, "path": the step's screen}. I-2.4 needs the values I-2.3 set:
        admin {logon_pin, confirmation_pin, email}."""
        body = {"step": step, "user_id": user_id, **({"admin": admin} if admin else {})}
        return self._request("POST", f"/api/contracts/{contract_number}/steps", json=body)

    # -- the back office (the certificate's life, FAQ 12–15, 17, 18) ------------------------------------------------
    def contract_state(self, contract_number: str) -> dict:
        """{"status": active|pending|accident|cancelled, "successor", "principals": [{user_id, kind, status, locked,
        certificates: [{serial, fingerprint, not_after, revoked_at, reason}]}]}."""
        return self._request("GET", f"/api/contracts/{contract_number}")

    def act(self, contract_number: str, action: str, **body: Any) -> dict:
        """One back-office action on the contract: revoke {serial, reason}, accident, accident/release, reissue,
        unlock {user_id}, cancel."""
        return self._request("POST", f"/api/contracts/{contract_number}/{action}", json=body)

    def recontract(self, contract_number: str) -> Contract:
        """再契約: the contract cancelled, a new one opened for the customer (its card and registration PIN)."""
        data = self._request("POST", f"/api/contracts/{contract_number}/recontract")
        return Contract(data["contract_number"], data["registration_pin"], data.get("otp", "card"),
                        CustomerCard(data["card"]) if data.get("card") else None)

    def create_staff(self, login: str, name: str, password: str) -> dict:
        return self._request("POST", "/api/staff", json={"login": login, "name": name, "password": password})

    def capabilities(self) -> dict:
        """What the server sets up for a suite: {"fast_forward": [points], "clock": bool, "certificates": bool}; {} for
        a server without the call (a vendor's minimal one), where a suite walks the screens instead."""
        try:
            return self._request("GET", "/api/capabilities")
        except ProvisioningError as error:
            if error.status == 404:
                return {}
            raise

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
            return time.time()
        value = data.get("now") if isinstance(data, dict) else None
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        return time.time()

    def healthy(self) -> bool:
        try:
            return self.session.get(self.base_url + "/healthz", timeout=self.timeout, verify=self.verify).ok
        except requests.RequestException:
            return False
