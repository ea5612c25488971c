"""The development PKI of ibcert: a whole certificate hierarchy in one readable module.

Shape (all ECDSA P-256: generation takes milliseconds, so a fresh machine pays nothing noticeable on first use)::

    〈bank〉 ルート認証局 ──┬── 〈bank〉 電子証明書発行局 ── client certificates (issued by the refserver at 電子証明書取得)
                          └── server certificate for localhost / 127.0.0.1

The names are a bank's, not a developer's: the customer reads them in the browser's 証明書のインポート and
証明書の選択 (I-3.7, I-4.2), and the manual prints those screens. 〈bank〉 is IBCERT_BANK_NAME (目黒信用金庫, as the
refserver's); IBCERT_PKI_ORGANIZATION, IBCERT_ROOT_CA_NAME and IBCERT_ISSUING_CA_NAME set each name on its own. They
are read when a hierarchy is made: a state folder made before keeps its names (delete it to make a new one).

The root is what browsers and test clients trust for the *server*; the issuing CA is what the server trusts for
*clients*. Keeping them apart means a client certificate can never be mistaken for a server one and the refserver
only needs the issuing CA's key, not the root's.

Everything is made lazily on first use into a state folder (never committed) under a file lock, because parallel
test workers (pytest-xdist) and gunicorn workers all ask for it at the same moment on a fresh clone.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterator, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = REPO_ROOT / ".ibcert" / "pki"

TestClientKind = Literal["valid", "foreign", "expired", "not_yet_valid", "wrong_usage"]

_CA_LIFETIME = dt.timedelta(days=3650)
_SERVER_LIFETIME = dt.timedelta(days=825)  # the longest lifetime browsers accept for a server certificate


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Names:
    """The names a new hierarchy is made with (see the module's docstring)."""

    organization: str
    root_ca: str
    issuing_ca: str

    @classmethod
    def from_env(cls) -> Names:
        bank = os.environ.get("IBCERT_BANK_NAME") or "目黒信用金庫"
        return cls(organization=os.environ.get("IBCERT_PKI_ORGANIZATION") or bank,
                   root_ca=os.environ.get("IBCERT_ROOT_CA_NAME") or f"{bank} ルート認証局",
                   issuing_ca=os.environ.get("IBCERT_ISSUING_CA_NAME") or f"{bank} 電子証明書発行局")


def _name(common_name: str, organization_unit: str | None = None, organization: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization or Names.from_env().organization)]
    if organization_unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organization_unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class IssuedCertificate:
    """A leaf certificate together with its private key, as handed out once at issuance."""

    cert: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def serial(self) -> int:
        return self.cert.serial_number

    @property
    def fingerprint(self) -> str:
        """Lowercase hex SHA-256 of the DER certificate: what the server binds to an ID and to a session."""
        return self.cert.fingerprint(hashes.SHA256()).hex()

    @property
    def cert_pem(self) -> bytes:
        return _cert_pem(self.cert)

    @property
    def key_pem(self) -> bytes:
        return _key_pem(self.private_key)

    def pkcs12(self, password: str, friendly_name: str = "ibcert") -> bytes:
        """The PKCS#12 file a PC imports: key, certificate and chain, encrypted with *password*."""
        return pkcs12.serialize_key_and_certificates(
            friendly_name.encode(),
            self.private_key,
            self.cert,
            list(self.chain) or None,
            serialization.BestAvailableEncryption(password.encode()),
        )


@dataclass(frozen=True)
class Revoked:
    """A certificate on a CRL: its serial, when it was revoked, and why."""

    serial: int
    at: dt.datetime
    reason: x509.ReasonFlags = x509.ReasonFlags.unspecified


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA: its certificate and key, able to sign the kinds of certificate ibcert needs."""

    cert: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey
    parent: CertificateAuthority | None = None

    @property
    def organization(self) -> str:
        """The O of its own name, which what it issues carries too."""
        return self.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value

    @classmethod
    def new_root(cls, common_name: str) -> CertificateAuthority:
        key = _new_key()
        name = _name(common_name)
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + _CA_LIFETIME)
        )
        cert = cls._as_ca(builder, key.public_key(), key.public_key(), path_length=1).sign(key, hashes.SHA256())
        return cls(cert, key)

    @staticmethod
    def _as_ca(builder: x509.CertificateBuilder, subject_key, issuer_key, path_length: int) -> x509.CertificateBuilder:
        return (
            builder.add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key), critical=False)
        )

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """This CA and its ancestors, nearest first: what a leaf's holder sends along with the leaf."""
        return (self.cert,) + (self.parent.chain if self.parent else ())

    def _leaf_builder(self, subject: x509.Name, public_key, not_before: dt.datetime, not_after: dt.datetime):
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.private_key.public_key()), critical=False
            )
        )

    def new_intermediate(self, common_name: str) -> CertificateAuthority:
        key = _new_key()
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, organization=self.organization))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + _CA_LIFETIME)
        )
        builder = self._as_ca(builder, key.public_key(), self.private_key.public_key(), path_length=0)
        return CertificateAuthority(builder.sign(self.private_key, hashes.SHA256()), key, parent=self)

    def issue_server(self, hostnames: list[str]) -> IssuedCertificate:
        key = _new_key()
        now = _now()
        names: list[x509.GeneralName] = []
        for host in hostnames:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        cert = (
            self._leaf_builder(_name(hostnames[0], organization=self.organization), key.public_key(),
                               now - dt.timedelta(days=1), now + _SERVER_LIFETIME)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(_leaf_key_usage(), critical=True)
            .sign(self.private_key, hashes.SHA256())
        )
        return IssuedCertificate(cert, key, self.chain)

    def issue_client(
        self,
        common_name: str,
        organization_unit: str,
        not_before: dt.datetime,
        not_after: dt.datetime,
        *,
        usage: x509.ObjectIdentifier = ExtendedKeyUsageOID.CLIENT_AUTH,
        crl_url: str | None = None,
    ) -> IssuedCertificate:
        """A client certificate for TLS client authentication (clientAuth EKU), with a key pair made here and now;
        with *crl_url*, it names where this CA's revocation list is published (CRL distribution point).

        The key is never written anywhere by this method: the caller hands it out once (as PKCS#12) and drops it.
        """
        key = _new_key()
        builder = (
            self._leaf_builder(_name(common_name, organization_unit, self.organization), key.public_key(),
                               not_before, not_after)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(_leaf_key_usage(), critical=True)
        )
        if crl_url:
            point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
            builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
        return IssuedCertificate(builder.sign(self.private_key, hashes.SHA256()), key, self.chain)

    def revocation_list(self, revoked: list[Revoked], *, number: int, this_update: dt.datetime,
                        next_update: dt.datetime) -> x509.CertificateRevocationList:
        """This CA's CRL (RFC 5280): every certificate in *revoked*, the list's *number* (cRLNumber, which must grow
        from one list to the next) and the time by which a newer one is published."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(this_update)
            .next_update(next_update)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.private_key.public_key()), critical=False
            )
        )
        for entry in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(entry.serial).revocation_date(entry.at)
                .add_extension(x509.CRLReason(entry.reason), critical=False).build()
            )
        return builder.sign(self.private_key, hashes.SHA256())


def _leaf_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
    )


class DevPKI:
    """The dev root CA, the client issuing CA and the server certificate, kept as PEM files in *state_dir*.

    Files (all PEM): ``root-ca.pem``/``.key``, ``issuing-ca.pem``/``.key`` (the issuing CA is also what the TLS server
    verifies client certificates against), ``server.pem`` (leaf + root, the chain a TLS server sends) and
    ``server.key``, and ``foreign-*`` for the "another CA" test material.
    """

    SERVER_HOSTNAMES = ["localhost", "127.0.0.1", "::1"]

    def __init__(self, state_dir: Path | str):
        self.state_dir = Path(state_dir)

    @classmethod
    def default(cls) -> DevPKI:
        return cls(os.environ.get("IBCERT_PKI_DIR") or DEFAULT_STATE_DIR)

    # -- files -------------------------------------------------------------------------------------------------
    @property
    def root_ca_pem(self) -> Path:
        return self._ensured("root-ca.pem")

    @property
    def client_ca_pem(self) -> Path:
        """The issuing CA alone: what a TLS server verifies client certificates against (not the root, which would
        let a certificate the root signed directly in)."""
        return self._ensured("issuing-ca.pem")

    @property
    def server_cert_pem(self) -> Path:
        return self._ensured("server.pem")

    @property
    def server_key_pem(self) -> Path:
        return self._ensured("server.key")

    # -- authorities -------------------------------------------------------------------------------------------
    @cached_property
    def root_ca(self) -> CertificateAuthority:
        return self._load_ca("root-ca")

    @cached_property
    def issuing_ca(self) -> CertificateAuthority:
        return self._load_ca("issuing-ca", parent=self.root_ca)

    @cached_property
    def foreign_ca(self) -> CertificateAuthority:
        """Another CA altogether, with the same names as ours: a look-alike that must still be refused."""
        self.ensure()
        with self._lock():
            if not (self.state_dir / "foreign-ca.pem").exists():
                look_alike = self.root_ca.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
                self._write_ca("foreign-ca", CertificateAuthority.new_root(look_alike))
        return self._load_ca("foreign-ca")

    def ensure(self) -> DevPKI:
        """Create the hierarchy unless it is already there. Safe to call from many processes at once."""
        if (self.state_dir / "server.key").exists():
            return self
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self._lock():
            if (self.state_dir / "server.key").exists():  # another process made it while we waited
                return self
            names = Names.from_env()
            root = CertificateAuthority.new_root(names.root_ca)
            issuing = root.new_intermediate(names.issuing_ca)
            server = root.issue_server(self.SERVER_HOSTNAMES)
            self._write_ca("root-ca", root)
            self._write_ca("issuing-ca", issuing)
            self._write("server.pem", server.cert_pem + _cert_pem(root.cert))
            self._write("server.key", server.key_pem)  # written last: its presence means "complete"
        return self

    # -- test material -----------------------------------------------------------------------------------------
    def mint_test_client(self, kind: TestClientKind, common_name: str = "ibcert test client") -> IssuedCertificate:
        """A client certificate for negative tests. Nothing is bound to it on any server.

        valid          issued by our issuing CA, within validity (bound to no ID: the server must refuse it at logon)
        foreign        issued by another CA with look-alike names
        expired        issued by our issuing CA, validity ended yesterday
        not_yet_valid  issued by our issuing CA, validity starts tomorrow
        wrong_usage    issued by our issuing CA for serverAuth instead of clientAuth
        """
        now = _now()
        day = dt.timedelta(days=1)
        year = dt.timedelta(days=365)
        ou = f"test:{kind}"
        if kind == "foreign":
            return self.foreign_ca.issue_client(common_name, ou, now - day, now + year)
        windows = {"valid": (now - day, now + year), "expired": (now - year, now - day),
                   "not_yet_valid": (now + day, now + year), "wrong_usage": (now - day, now + year)}
        if kind not in windows:
            raise ValueError(f"unknown test client certificate kind: {kind!r}")
        usage = ExtendedKeyUsageOID.SERVER_AUTH if kind == "wrong_usage" else ExtendedKeyUsageOID.CLIENT_AUTH
        return self.issuing_ca.issue_client(common_name, ou, *windows[kind], usage=usage)

    def foreign_server(self) -> tuple[Path, Path]:
        """A server certificate for localhost from another CA: a server every suite must refuse to talk to."""
        cert_path, key_path = self.state_dir / "foreign-server.pem", self.state_dir / "foreign-server.key"
        ca = self.foreign_ca
        with self._lock():
            if not key_path.exists():
                server = ca.issue_server(self.SERVER_HOSTNAMES)
                self._write(cert_path.name, server.cert_pem + _cert_pem(ca.cert))
                self._write(key_path.name, server.key_pem)
        return cert_path, key_path

    # -- storage -----------------------------------------------------------------------------------------------
    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _ensured(self, filename: str) -> Path:
        self.ensure()
        return self.state_dir / filename

    def _write(self, filename: str, data: bytes) -> None:
        # Write-then-rename so a reader in another process never sees half a file.
        path = self.state_dir / filename
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        if filename.endswith(".key"):
            tmp.chmod(0o600)
        tmp.replace(path)

    def _write_ca(self, stem: str, ca: CertificateAuthority) -> None:
        self._write(f"{stem}.pem", _cert_pem(ca.cert))
        self._write(f"{stem}.key", _key_pem(ca.private_key))

    def _load_ca(self, stem: str, parent: CertificateAuthority | None = None) -> CertificateAuthority:
        self.ensure()
        cert = x509.load_pem_x509_certificate((self.state_dir / f"{stem}.pem").read_bytes())
        key = serialization.load_pem_private_key((self.state_dir / f"{stem}.key").read_bytes(), password=None)
        return CertificateAuthority(cert, key, parent)
