"""One PC of the customer: a browser context plus the PC's own certificate store.

`import_certificate(pkcs12, password)` is the manual's install step: the PKCS#12 goes into this PC's store, and from
then on the PC presents it in TLS to the bank (Playwright `client_certificates`). Playwright fixes a context's client
certificates when it creates the context, so a PC holds one context per store it has had: changing the store moves
the browser's cookies (and localStorage) to that store's context — made the first time, taken up again when a test
switches back — and returns to the page that was shown. Two workstations are two PCs with separate stores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format
from playwright.sync_api import BrowserContext, Error, Page

from spec import Wording

from .a11y import AxeChecker
from .base import S, expect_screen
from .home import BankHomePage


@dataclass(frozen=True)
class StoredCertificate:
    """A certificate in a PC's store, as imported from a PKCS#12 file."""

    pkcs12: bytes = field(repr=False)
    password: str = field(repr=False)
    subject_cn: str
    issuer_cn: str
    not_after: str  # ISO date
    fingerprint: str  # SHA-256, hex

    @classmethod
    def from_pkcs12(cls, data: bytes, password: str) -> "StoredCertificate":
        try:
            _key, cert, _chain = pkcs12_format.load_key_and_certificates(data, password.encode())
        except ValueError as error:
            raise ValueError(f"the PKCS#12 file cannot be opened with the import password: {error}") from None
        if cert is None:
            raise ValueError("the PKCS#12 file holds no certificate")

        def cn(name: x509.Name) -> str:
            values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
            return str(values[0].value) if values else name.rfc4514_string()

        return cls(data, password, cn(cert.subject), cn(cert.issuer), cert.not_valid_after_utc.date().isoformat(),
                   cert.fingerprint(hashes.SHA256()).hex())

    def on_its_crl(self, verify: str | bool = True) -> bool:
        """Whether the CRL this certificate names (its CRL distribution point, RFC 5280 §4.2.1.13) lists it as
        revoked, read as any relying party would: fetched from that address, its issuer the certificate's issuer.
        `verify`: the CA file that the address's TLS certificate is checked against (requests' verify)."""
        _key, cert, _chain = pkcs12_format.load_key_and_certificates(self.pkcs12, self.password.encode())
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        url = next(name.value for point in points for name in point.full_name or ()
                   if isinstance(name, x509.UniformResourceIdentifier))
        response = requests.get(url, verify=verify, timeout=15)
        response.raise_for_status()
        crl = x509.load_der_x509_crl(response.content)
        assert crl.issuer == cert.issuer, f"the CRL at {url} is {crl.issuer.rfc4514_string()}'s"
        return crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Workstation:
    """A PC: browser context + certificate store.

    new_context: creates a browser context from keyword arguments (pytest-playwright's `new_context` fixture, or
                 `browser.new_context` with pages.settings.context_args()).
    base_url:    the bank's server (its origin is where the certificates are presented).
    certificates: what the PC's store holds from the start (a test set up through the bank's API), newest last.
    """

    def __init__(self, new_context: Callable[..., BrowserContext], base_url: str, *, wording: Wording | None = None,
                 axe: AxeChecker | None = None, name: str = "PC", action_timeout: float | None = None,
                 navigation_timeout: float | None = None, certificates: Iterable[StoredCertificate] = ()):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.origin = origin_of(self.base_url)
        self.wording = wording or Wording.load()
        self.axe = axe or AxeChecker(enabled=False)
        self.certificates: list[StoredCertificate] = list(certificates)
        self._new_context = new_context
        self._timeouts = (action_timeout, navigation_timeout)
        self.context: BrowserContext = self._create_context(storage_state=None)
        self.page: Page = self.context.new_page()
        # the browser of each store this PC has had, by the fingerprints it holds (see replace_store)
        self._browsers: dict[tuple[str, ...], tuple[BrowserContext, Page]] = {self._store(): (self.context, self.page)}

    # -- browser context -----------------------------------------------------------------------------------------------
    def _create_context(self, storage_state) -> BrowserContext:
        options: dict = {}
        if storage_state is not None:
            options["storage_state"] = storage_state
        if self.certificates:
            # in the order imported: of several for one origin, Playwright's proxy presents the last (the newest), as
            # the PC offers the certificate imported last when the bank asks for one
            options["client_certificates"] = [
                {"origin": self.origin, "pfx": c.pkcs12, "passphrase": c.password} for c in self.certificates
            ]
        context = self._new_context(**options)
        action, navigation = self._timeouts
        if action:
            context.set_default_timeout(action)
        if navigation:
            context.set_default_navigation_timeout(navigation)
        return context

    def import_certificate(self, pkcs12: bytes, password: str) -> StoredCertificate:
        """Install a PKCS#12 file into this PC's store; the PC presents it to the bank from now on."""
        certificate = StoredCertificate.from_pkcs12(pkcs12, password)
        self.replace_store([*self.certificates, certificate])
        return certificate

    def _store(self) -> tuple[str, ...]:
        return tuple(c.fingerprint for c in self.certificates)

    def replace_store(self, certificates: list[StoredCertificate], *, reload: bool = True) -> None:
        """The PC's store now holds exactly `certificates` (none: the PC presents nothing); cookies and storage are
        kept, as a PC's browser keeps them while its certificates change. With `reload`, the page shown is loaded
        again (presenting the new store).

        A store this PC had before gets its browser context back (its cookies replaced by the current ones): a test
        switching certificates back and forth costs one context per certificate, not one per switch. localStorage
        can only be given to a new context, so a PC whose pages keep some gets a new context each time."""
        url = self.page.url
        state = self.context.storage_state()
        self.certificates = list(certificates)
        known = self._browsers.get(self._store())
        if known is not None and not state["origins"]:
            self.context, self.page = known
            self.context.clear_cookies()
            if state["cookies"]:
                self.context.add_cookies(state["cookies"])
        else:
            if known is not None:
                known[0].close()
            self.context = self._create_context(storage_state=state)
            self.page = self.context.new_page()
            self._browsers[self._store()] = (self.context, self.page)
        if reload and url.startswith(("http://", "https://")):
            self.page.goto(url)

    def choose(self, certificate: StoredCertificate) -> None:
        """The browser's own 証明書の選択 on a PC whose store holds several certificates (one PC, several people:
        FAQ 4): the person picks their own, which the PC presents to the bank from now on. Browsers ask in a window
        of their own that no page (and no Playwright) reaches; a context presents the last certificate of its store,
        so the store's order stands for the pick."""
        if certificate not in self.certificates:
            raise ValueError(f"{self.name} holds no certificate for {certificate.subject_cn}")
        self.replace_store([c for c in self.certificates if c != certificate] + [certificate], reload=False)

    @property
    def certificate(self) -> StoredCertificate | None:
        """The certificate this PC presents (the one imported last)."""
        return self.certificates[-1] if self.certificates else None

    def close(self) -> None:
        for context, _page in self._browsers.values():
            try:
                context.close()
            except Error:
                pass

    # -- screens ---------------------------------------------------------------------------------------------------------
    def open(self, path: str = "/") -> BankHomePage:
        """Open the bank's home page (I-1.1 starts here)."""
        self.page.goto(self.base_url + path)
        return BankHomePage(self)

    def goto(self, path: str):
        """Load `path` of the bank's server; returns the Playwright response (None if the page was not reached)."""
        return self.page.goto(self.base_url + path)

    def expect_screen(self, *screens: type[S], **state) -> S:
        """Wait until one of `screens` is shown (by its <h1>) and return its page object."""
        return expect_screen(self, *screens, **state)

    def arrived(self, state: str) -> None:
        """Called by every screen/dialog object once it is shown, and by a screen once it shows a kind of message:
        the axe-core check of that state."""
        self.axe.check(self.page, state)

    def describe(self) -> str:
        """What the browser shows now, for failure messages."""
        try:
            h1 = self.page.get_by_role("heading", level=1).all_inner_texts()
            alerts = [t.strip() for t in self.page.get_by_role("alert").all_inner_texts() if t.strip()]
            dialogs = [d for d in self.page.get_by_role("dialog").all() if d.is_visible()]
            dialog_names = [d.get_attribute("aria-label") or d.inner_text().split("\n", 1)[0] for d in dialogs]
            text = ""
            if not h1:
                text = " body text: " + self.page.locator("body").inner_text()[:300].replace("\n", " ")
        except Error as error:
            return f"{self.name} shows {self.page.url} (cannot read it: {error})"
        return (f"{self.name} shows {self.page.url}: h1 {h1!r}"
                + (f", alert {alerts!r}" if alerts else "")
                + (f", dialog {dialog_names!r}" if dialog_names else "") + text)

    def __repr__(self) -> str:
        return f"Workstation({self.name}, {len(self.certificates)} certificate(s))"


def fingerprint_of_pem(pem: bytes) -> str:
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
