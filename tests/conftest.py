"""Fixtures for the refserver's tests: an app on a temporary SQLite database (and, for a test or module marked
`pytest.mark.databases`, on a throwaway PostgreSQL server too), a browser-like client that keeps the CSRF token of the
last screen and can present a client certificate, and helpers that walk the manual's steps."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html import unescape

import pyotp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from certs.pki import DevPKI
from refserver import create_app, pgserver
from refserver.embedded import free_port
from refserver.mailsink import MailSink
from refserver.models import db
from refserver.pgserver import PostgresServer

OPERATOR_TOKEN = "test-operator-token"
ADMIN_PIN, ADMIN_CONFIRMATION_PIN = "Kanri2024x", "Kakunin77y"
TEMP_PIN, TEMP_CONFIRMATION_PIN = "kari2468", "kari1357z"
USER_PIN, USER_CONFIRMATION_PIN = "Riyou2024q", "Torihiki9w"
DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> DevPKI:
    return DevPKI(tmp_path_factory.mktemp("pki")).ensure()


@pytest.fixture(scope="session")
def postgresql() -> PostgresServer:
    """A throwaway PostgreSQL server for the tests of this process (refserver/pgserver.py)."""
    if pgserver.bindir() is None:
        pytest.skip("PostgreSQL is not installed (no postgres on PATH nor in /usr/lib/postgresql/*/bin): "
                    "./ibcert test installs it (apt-get install postgresql)")
    with PostgresServer() as server:
        yield server


def pytest_generate_tests(metafunc):
    """A test of the store marked `databases` (or in a module marked so) runs on each database: SQLite and
    PostgreSQL. The others run on SQLite alone: PostgreSQL makes a test about twice as slow."""
    if "database" in metafunc.fixturenames and metafunc.definition.get_closest_marker("databases"):
        metafunc.parametrize("database", DATABASES, indirect=True, scope="session")


@pytest.fixture(scope="session")
def _sqlite_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'ibcert.db'}"


@pytest.fixture(scope="session")
def database(request) -> str:
    """The URL of the store a test runs on: SQLite, or each of DATABASES for a test marked `databases`."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return request.getfixturevalue("postgresql").url
    return request.getfixturevalue("_sqlite_url")


@pytest.fixture(scope="session")
def _shared_apps(pki):
    """One app per database for the tests of this process: building an app (its URL rules, its templates'
    compilation, its engine's statement cache) costs more than most tests. Each test gets it with an empty database
    and the settings it started with (see `app`)."""
    apps = {}

    def app_on(url: str):
        if url not in apps:
            apps[url] = create_app({
                "DATABASE_URL": url,
                "PKI_DIR": str(pki.state_dir),
                "TESTING": True,
                "OPERATOR_TOKEN": OPERATOR_TOKEN,
                "SECRET_KEY": "test-secret",
                "PIN_KDF_COST": 4,  # N = 16: the rules are what is tested here, not scrypt's cost
            })
        return apps[url]

    yield app_on
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(_shared_apps, database):
    """The app on an empty database; settings a test changes (app.config[...] = …) are put back after it."""
    shared = _shared_apps(database)
    settings = dict(shared.config)
    with shared.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    yield shared
    shared.config.clear()
    shared.config.update(settings)


def typed_again(data: dict) -> dict:
    """A form that sets PINs, each typed again the same (確認のため再入力: I-2.3, II-2.5) unless `data` says otherwise."""
    return {**{f"{name}_again": data[name] for name in ("logon_pin", "confirmation_pin") if name in data}, **data}


def user_pins(data: dict, temporary_confirmation_pin: str = TEMP_CONFIRMATION_PIN) -> dict:
    """II-2.5's form: the 仮 利用者確認暗証番号 (ヘ) as registered, and the new PINs typed again."""
    return typed_again({"temp_confirmation_pin": temporary_confirmation_pin, **data})


class WebClient:
    """The test client as a person's browser: HTTPS, cookies, the CSRF token of the screen last shown, and a
    client certificate presented on every request (as werkzeug's dev server reports it in SSL_CLIENT_CERT)."""

    def __init__(self, app):
        self.client = app.test_client()
        self.client.environ_base["wsgi.url_scheme"] = "https"
        self.html = ""
        self.certificate_pem: str | None = None

    def present(self, certificate_pem: bytes | str | None) -> None:
        if isinstance(certificate_pem, bytes):
            certificate_pem = certificate_pem.decode()
        self.certificate_pem = certificate_pem
        if certificate_pem:
            self.client.environ_base["SSL_CLIENT_CERT"] = certificate_pem
        else:
            self.client.environ_base.pop("SSL_CLIENT_CERT", None)

    def get(self, url: str, **kwargs):
        response = self.client.get(url, base_url="https://localhost", **kwargs)
        self.html = response.get_data(as_text=True)
        return response

    def post(self, url: str, data: dict | None = None, **kwargs):
        """Submit a form of the last screen shown: its CSRF token goes along, as a browser's would."""
        data = dict(data or {})
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.html)
        if token and "csrf_token" not in data:
            data["csrf_token"] = token.group(1)
        headers = {"Referer": "https://localhost" + url}  # Flask-WTF checks it on HTTPS, as browsers send it
        response = self.client.post(url, data=data, base_url="https://localhost", headers=headers, **kwargs)
        self.html = response.get_data(as_text=True)
        return response

    def follow(self, response):
        """Follow redirects like a browser (GET each Location) to the screen they end on."""
        assert response.status_code in (302, 303), response.status_code
        while response.status_code in (302, 303):
            response = self.get(response.headers["Location"])
        return response

    def submit(self, url: str, data: dict | None = None):
        """GET the screen, then submit its form: one step of the manual."""
        self.get(url)
        return self.post(url, data)


def h1(html: str) -> str:
    return unescape(re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip())


def field_error(html: str, name: str) -> str | None:
    """The accessible description of field *name* (its error), or None when the field is not marked invalid."""
    tag = re.search(rf'<input id="{name}"[^>]*>', html)
    assert tag, f"no field {name}"
    if 'aria-invalid="true"' not in tag.group(0):
        return None
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0)).group(1)
    return unescape(re.search(rf'id="{described}">(.*?)</p>', html, re.S).group(1))


def alert(html: str) -> str | None:
    found = re.findall(r'role="alert">(.*?)</p>', html, re.S)
    return unescape(" ".join(found)) if found else None


@dataclass
class Provisioned:
    contract_number: str
    registration_pin: str
    card: dict
    otp: str
    totp_secret: str | None
    certificates: dict = field(default_factory=dict)  # "admin"/"user" → the PEM of the certificate set up with it

    def answers(self, html: str) -> dict:
        """The one-time-password fields the screen asks for, answered from the card (or the token)."""
        if self.otp == "totp":
            return {"token": pyotp.TOTP(self.totp_secret).now()}
        cells = re.findall(r"確認用パスワード（(.)）", html)
        return {f"cell{i}": self.card[cell] for i, cell in enumerate(cells)}


@pytest.fixture
def mail(app):
    """A real SMTP sink the app's notices go to."""
    with MailSink(free_port()) as sink:
        app.config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port)
        yield sink


@pytest.fixture
def web(app) -> WebClient:
    return WebClient(app)


@pytest.fixture
def provision(app):
    """Create a contract through the bank-side API, as the suites do."""
    client = app.test_client()

    def provision(**body) -> Provisioned:
        response = client.post("/api/contracts", json=body, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
        assert response.status_code == 201, response.get_json()
        data = response.get_json()
        certificates = {side: cert_pem(opened_pkcs12(data[f"{side}_certificate"])[1])
                        for side in ("admin", "user") if f"{side}_certificate" in data}
        return Provisioned(data["contract_number"], data["registration_pin"], data["card"], data["otp"],
                           data["totp_secret"], certificates)

    return provision


def load_pkcs12(html: str):
    """The certificate and key delivered on the completion screen (I-3.8 / II-1.8), opened with its password."""
    data = re.search(r'href="data:application/x-pkcs12;base64,([^"]+)"', html).group(1)
    password = re.search(r'aria-label="インポート用パスワード">([^<]+)</output>', html).group(1)
    key, cert, chain = pkcs12.load_key_and_certificates(base64.b64decode(data), password.encode())
    return cert, key, chain, password


def opened_pkcs12(certificate: dict):
    """(key, certificate, chain) of a certificate the bank's API handed out ({pkcs12 (base64), password, …})."""
    return pkcs12.load_key_and_certificates(base64.b64decode(certificate["pkcs12"]), certificate["password"].encode())


def cert_pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


class Walk:
    """The manual's steps as calls, so that a test starts from the state it needs."""

    def __init__(self, web: WebClient, provision):
        self.web, self.provision = web, provision

    def activate_admin(self, contract: Provisioned | None = None, **provision_args) -> Provisioned:
        """I-2.2 … I-2.5."""
        contract = contract or self.provision(**provision_args)
        b = self.web
        b.follow(b.submit("/ib/admin/activation", {"contract_number": contract.contract_number,
                                                    "registration_pin": contract.registration_pin}))
        b.follow(b.post("/ib/admin/activation/pins", typed_again({"logon_pin": ADMIN_PIN,
                                                       "confirmation_pin": ADMIN_CONFIRMATION_PIN,
                                                       "email": "keiri@example.co.jp"})))
        response = b.post("/ib/admin/activation/otp", contract.answers(b.html))
        assert response.headers["Location"].endswith("/ib/admin/activation/done"), alert(b.html)
        b.follow(response)
        return contract

    def enroll(self, kind: str, fields: dict) -> str:
        """I-3.3 … I-3.8 / II-1.3 … II-1.8: returns the issued certificate's PEM."""
        b = self.web
        response = b.submit(f"/ib/{kind}/certificate", fields)
        assert response.status_code == 302, alert(b.html) or b.html
        b.follow(response)
        b.follow(b.post(f"/ib/{kind}/certificate/confirm", {"answer": "yes"}))
        b.follow(b.post(f"/ib/{kind}/certificate/security"))
        b.follow(b.post(f"/ib/{kind}/certificate/issue"))
        response = b.post(f"/ib/{kind}/certificate/install", {"answer": "yes"})
        assert response.status_code == 200 and h1(b.html) == "電子証明書取得完了", alert(b.html)
        cert, key, chain, password = load_pkcs12(b.html)
        return cert_pem(cert)

    def enroll_admin(self, contract: Provisioned) -> str:
        return self.enroll("admin", {"contract_number": contract.contract_number, "logon_pin": ADMIN_PIN,
                                     "confirmation_pin": ADMIN_CONFIRMATION_PIN})

    def to_permission(self, kind: str, certificate_pem: str | bytes | None):
        """I-4.1 … I-4.2 / II-2.1 … II-2.2: present the certificate, ログオン, OK in 証明書の選択; returns the response
        that leads to アクセス許可の付与."""
        b = self.web
        b.present(certificate_pem)
        b.follow(b.submit(f"/ib/{kind}/logon"))
        return b.post(f"/ib/{kind}/logon/certificate", {"action": "ok"})

    def permission(self, kind: str, certificate_pem: str | bytes | None, access: str = "grant"):
        """… then I-4.3 / II-2.3: answer アクセス許可の付与 with *access*; returns the response to it."""
        self.web.follow(self.to_permission(kind, certificate_pem))
        return self.web.post(f"/ib/{kind}/logon/permission", {"access": access})

    def certificate_logon(self, kind: str, certificate_pem: str | None, pin: str):
        """I-4.1 … I-4.4 / II-2.1 … II-2.4: returns the response to the PIN."""
        b = self.web
        response = self.permission(kind, certificate_pem)
        assert response.headers["Location"].endswith(f"/ib/{kind}/logon/pin"), response.headers["Location"]
        b.follow(response)
        return b.post(f"/ib/{kind}/logon/pin", {"pin": pin})

    def admin_logon(self, contract: Provisioned, certificate_pem: str) -> None:
        """I-4.1 … I-4.5: lands on ご契約先ステータス."""
        b = self.web
        b.follow(self.certificate_logon("admin", certificate_pem, ADMIN_PIN))
        response = b.post("/ib/admin/logon/otp", contract.answers(b.html))
        assert response.headers["Location"].endswith("/ib/admin/status"), alert(b.html)
        b.follow(response)

    def register_user(self, user_id: str = "keiri01", **overrides):
        """I-4.7 as a logged-on administrator."""
        data = {"user_id": user_id, "user_name": "経理 花子", "temp_pin": TEMP_PIN,
                "temp_confirmation_pin": TEMP_CONFIRMATION_PIN, "permissions": ["残高照会", "振込・振替"],
                "confirmation_pin": ADMIN_CONFIRMATION_PIN, **overrides}
        return self.web.submit("/ib/admin/users/new", data)

    def set_up(self, at: str, user_id: str = "keiri01", permissions: tuple[str, ...] = ("残高照会", "振込・振替"),
               **provision_args) -> Provisioned:
        """A contract the bank's API takes to `at` (testing mode), with the PINs and the user this walk would give
        it: tests of what follows start there instead of walking the steps before (those have tests of their own)."""
        body = {"at": at, "admin": {"logon_pin": ADMIN_PIN, "confirmation_pin": ADMIN_CONFIRMATION_PIN,
                                    "email": "keiri@example.co.jp"}, **provision_args}
        if at in ("user_registered", "user_certified", "user_activated"):
            body["user"] = {"user_id": user_id, "name": "経理 花子", "temporary_logon_pin": TEMP_PIN,
                            "temporary_confirmation_pin": TEMP_CONFIRMATION_PIN, "permissions": list(permissions)}
        if at == "user_activated":
            body["user"].update(logon_pin=USER_PIN, confirmation_pin=USER_CONFIRMATION_PIN)
        return self.provision(**body)

    def admin_ready(self, **provision_args) -> tuple[Provisioned, str]:
        """An activated administrator holding a certificate, logged off."""
        contract = self.set_up("admin_certified", **provision_args)
        return contract, contract.certificates["admin"]

    def user_registered(self, user_id: str = "keiri01") -> tuple[Provisioned, str]:
        """An administrator who registered *user_id* (I-4.7), then logged off (I-4.8)."""
        contract = self.set_up("user_registered", user_id)
        return contract, contract.certificates["admin"]

    def user_enrolled(self, user_id: str = "keiri01") -> tuple[Provisioned, str]:
        """A registered user holding a certificate, before the user's 開通確認."""
        contract = self.set_up("user_certified", user_id)
        return contract, contract.certificates["user"]


@pytest.fixture
def walk(web, provision) -> Walk:
    return Walk(web, provision)
