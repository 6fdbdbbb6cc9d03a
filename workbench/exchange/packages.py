"""Exchange between workbenches (Icomm): signed packages of exchange-format data.

A package is one ``.zip`` holding

- ``data/<table>.csv``: the tables of the exchange export (persons and companies included) or of the
  non-personal export (:func:`workbench.exchange.exports.export_tables`, written by
  :func:`workbench.exchange.files.write_dataset`: the one definition of each export and the one writer);
- ``manifest.json``: sender and recipient organisations, legal basis, kind of export, the version of the
  exchange format (:func:`schema_version`), when it was made, the filter, the rows per table and the
  SHA-256 of every data member;
- ``manifest.sig``: the Ed25519 signature of the manifest's exact bytes with the sender's key
  (``WORKBENCH_EXCHANGE_KEY``), and the public key it was made with.

:func:`pack_exchange` makes one (needs ``export_personal``, or ``export_non_personal`` for a
non-personal package) and logs it as a disclosure to the recipient with its legal basis.
:func:`receive_exchange` (needs ``import_data``) checks, before anything is stored, in this order: the
archive's sizes (:func:`workbench.exchange.files.check_archive`), that it is signed, that the signing
key is one this workbench trusts for the organisation the manifest names as sender
(``WORKBENCH_EXCHANGE_TRUST`` or ``trust=``), that the signature holds, that the recipient is this
workbench's organisation, the format version, and that the members are exactly those listed with their
hashes. A failed check raises :class:`PackageRefused` naming the check, and nothing is stored (not even
an audit entry). A package that passes is imported through the normal gate
(:func:`workbench.exchange.ingest.ingest_dataset`) as one submission whose source names the sender, the
legal basis and the package's hash, and the collection is logged.

Examples
--------
>>> key = load_exchange_key(generate_exchange_key())
>>> line = trust_line("ES-AEAT", key)
>>> parse_trust(line) == {public_key_text(key): "ES-AEAT"}
True
>>> len(schema_version())
16
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.config import Settings
from workbench.exchange.exports import _check_basis, export_tables
from workbench.exchange.files import DatasetReadError, check_archive, read_dataset, write_dataset
from workbench.exchange.ingest import Gate, ImportReport, Progress, ingest_dataset
from workbench.format.schema import FORMAT
from workbench.i18n import _
from workbench.identity import Principal, acting, authorise
from workbench.store import Store, audit
from workbench.store.audit import generate_signing_key
from workbench.store.filters import CaseFilter

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "PACKAGE_FORMAT",
    "MANIFEST",
    "SIGNATURE",
    "EXCHANGE_KEY_ENV",
    "TRUST_ENV",
    "PackageRefused",
    "PackResult",
    "ReceiveResult",
    "schema_version",
    "own_organisation",
    "generate_exchange_key",
    "load_exchange_key",
    "public_key_text",
    "trust_line",
    "parse_trust",
    "load_trust",
    "verify_package",
    "pack_exchange",
    "receive_exchange",
]

#: What a package's manifest says it is (a receiver refuses any other).
PACKAGE_FORMAT = "cen-workbench-exchange-package/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
_DATA = "data/"
#: The settings (environment variables) holding the sender's private key and the trusted senders' keys.
EXCHANGE_KEY_ENV = "WORKBENCH_EXCHANGE_KEY"
TRUST_ENV = "WORKBENCH_EXCHANGE_TRUST"
#: The manifest and the signature are small: a bigger member of that name is refused unread.
_MAX_MANIFEST = 1 << 20
_KINDS = {False: "exchange", True: "non_personal"}


class PackageRefused(Exception):
    """A package that may not be made or received; ``check`` names the check that failed (``archive``,
    ``signature``, ``trust``, ``recipient``, ``version``, ``members``, ``key``, ``organisation``), the
    message says what to do. Nothing was stored."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


@dataclass
class PackResult:
    path: Path
    manifest: dict[str, Any]
    package_sha256: str


@dataclass
class ReceiveResult:
    manifest: dict[str, Any]
    package_sha256: str
    report: ImportReport

    @property
    def sender(self) -> str:
        return str(self.manifest["sender"])


# ---------------------------------------------------------------- format version and organisation
def schema_version() -> str:
    """The exchange format's version as a fingerprint of what a package carries: every table of the
    format with its columns' names, types and whether they are required (16 hex digits). Two
    workbenches exchange when they read the same format."""
    shape = {
        name: [(c.name, c.type, bool(c.required)) for c in table.columns]
        for name, table in FORMAT.tables.items()
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def own_organisation(actor: Principal, settings: Settings | None = None) -> str:
    """This workbench's organisation for ``actor``: the signed-in account's organisation, or in the
    local single-user mode the ``organisation`` setting (``WORKBENCH_ORGANISATION``)."""
    org = actor.organisation if actor.mode == "account" else (settings or Settings.from_env()).organisation
    org = (org or "").strip()
    if not org:
        raise PackageRefused(
            "organisation",
            _(
                "this workbench has no organisation: set WORKBENCH_ORGANISATION (e.g. FR-DGDDI), or sign in "
                "with an account of your organisation"
            ),
        )
    return org


# ---------------------------------------------------------------- keys and trust
def generate_exchange_key() -> str:
    """A new Ed25519 private key as PEM text (the same kind as the audit checkpoints' key)."""
    return generate_signing_key()


def load_exchange_key(
    source: str | Path | None = None, settings: Settings | None = None
) -> Ed25519PrivateKey:
    """The sender's Ed25519 private key: from ``source``, else the ``exchange_key`` setting
    (``WORKBENCH_EXCHANGE_KEY``): PEM text, the path of a PEM file, or the 32 raw bytes in base64."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    text = str(source) if source is not None else (settings or Settings.from_env()).exchange_key
    text = text.strip()
    if not text:
        raise PackageRefused(
            "key",
            _(
                "no exchange signing key: set {env} to a key file's path (make one with `workbench exchange "
                "keygen --out FILE --org ORG`, kept outside the database)",
                env=EXCHANGE_KEY_ENV,
            ),
        )
    if "-----BEGIN" not in text:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == 32:
            return Ed25519PrivateKey.from_private_bytes(raw)
        path = Path(text).expanduser()
        if not path.is_file():
            raise PackageRefused(
                "key", _("{env}: the key file {path} does not exist", env=EXCHANGE_KEY_ENV, path=path)
            )
        text = path.read_text(encoding="ascii")
    try:
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise PackageRefused("key", _("{env}: not an Ed25519 private key", env=EXCHANGE_KEY_ENV))
    return key


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key's 32 raw bytes in base64 (how a trust file lists it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def trust_line(organisation: str, key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The line a receiver adds to its trust file to trust ``key`` for ``organisation``."""
    return f"{organisation} {public_key_text(key)}"


def parse_trust(text: str, where: str = "trust file") -> dict[str, str]:
    """``{public key: organisation}`` of a trust file's text: one ``ORG PUBLIC-KEY`` per line (the key
    in base64, as ``workbench exchange keygen`` prints it); blank lines and ``#`` comments are ignored."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        key = parts[-1] if len(parts) == 2 else ""
        try:
            ok = len(base64.b64decode(key, validate=True)) == 32
        except (binascii.Error, ValueError):
            ok = False
        if not ok:
            raise PackageRefused(
                "trust",
                _(
                    "{where}, line {n}: expected 'ORGANISATION PUBLIC-KEY' (the key as `workbench exchange "
                    "keygen` prints it)",
                    where=where,
                    n=n,
                ),
            )
        out[key] = parts[0]
    return out


def load_trust(source: str | Path | None = None, settings: Settings | None = None) -> dict[str, str]:
    """The trusted senders' keys ``{public key: organisation}`` from ``source`` (a file, or a folder
    whose every file is read), else the ``exchange_trust`` setting (``WORKBENCH_EXCHANGE_TRUST``)."""
    text = str(source) if source is not None else (settings or Settings.from_env()).exchange_trust
    if not text.strip():
        raise PackageRefused(
            "trust",
            _(
                "no trusted sender keys: set {env} (or --trust) to a file listing 'ORGANISATION PUBLIC-KEY' "
                "lines, one per trusted sender",
                env=TRUST_ENV,
            ),
        )
    path = Path(text).expanduser()
    if not path.exists():
        raise PackageRefused("trust", _("the trust file {path} does not exist", path=path))
    files = sorted(f for f in path.iterdir() if f.is_file()) if path.is_dir() else [path]
    out: dict[str, str] = {}
    for f in files:
        out.update(parse_trust(f.read_text(encoding="utf-8"), f.name))
    return out


# ---------------------------------------------------------------- packing
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pack_exchange(
    store: Store,
    out: str | Path,
    *,
    to: str,
    legal_basis: str | None,
    flt: CaseFilter | None = None,
    non_personal: bool = False,
    actor: Principal | None = None,
    key: Ed25519PrivateKey | str | Path | None = None,
    settings: Settings | None = None,
) -> PackResult:
    """Write a signed package of the cases matching ``flt`` for organisation ``to`` to ``out``.

    The data are the exchange export (persons and companies included; needs ``export_personal`` and a
    ``legal_basis``) or, with ``non_personal``, the non-personal export (needs ``export_non_personal``).
    ``key``: the sender's private key (default ``WORKBENCH_EXCHANGE_KEY``). The disclosure is written
    to the audit log (recipient, legal basis, counts, the package's hash) in the transaction that
    writes the file: no entry without a file, no file without an entry.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    actor = acting(store, actor)
    settings = settings or Settings.from_env()
    kind = _KINDS[non_personal]
    recipient = (to or "").strip()
    if not recipient:
        raise PackageRefused("recipient", _("a package needs a recipient organisation (--recipient ORG)"))
    sender = own_organisation(actor, settings)
    basis = _check_basis(kind, legal_basis)
    private = key if isinstance(key, Ed25519PrivateKey) else load_exchange_key(key, settings)
    flt = flt or CaseFilter()
    tables = export_tables(store, kind, flt, actor=actor, settings=settings)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wb-package-") as tmp:
        files = write_dataset(tables, Path(tmp) / "data")
        manifest: dict[str, Any] = {
            "format": PACKAGE_FORMAT,
            "sender": sender,
            "recipient": recipient,
            "legal_basis": basis,
            "kind": kind,
            "schema_version": schema_version(),
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "created_by": actor.user,
            "filter": flt.describe(),
            "counts": {n: len(df) for n, df in tables.items()},
            "members": {f"{_DATA}{f.name}": _sha256(f) for f in files},
        }
        body = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")
        signature = {
            "algorithm": "Ed25519",
            "public_key": public_key_text(private),
            "signature": base64.b64encode(private.sign(body)).decode("ascii"),
        }
        partial = Path(tmp) / "package.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, body)
            z.writestr(SIGNATURE, json.dumps(signature, indent=2))
            for f in files:
                z.write(f, f"{_DATA}{f.name}")
        digest = _sha256(partial)
        try:
            with store.session() as s:
                audit(
                    s,
                    "disclose.exchange_package",
                    {
                        "kind": kind,
                        "sender": sender,
                        "recipient": recipient,
                        "legal_basis": basis,
                        "filter": flt.to_dict(),
                        "filter_text": flt.describe(),
                        "counts": manifest["counts"],
                        "schema_version": manifest["schema_version"],
                        "package_sha256": digest,
                        "target": str(target),
                    },
                    actor,
                    recipients=[recipient],
                    query=flt.describe(),
                    row_count=sum(manifest["counts"].values()),
                )
                s.flush()
                shutil.move(partial, target)
        except BaseException:
            if not partial.exists():  # moved, then the commit failed: no file without its entry
                target.unlink(missing_ok=True)
            raise
    return PackResult(target, manifest, digest)


# ---------------------------------------------------------------- checking
_MEMBER = re.compile(r"^data/([a-z_]+)\.csv$")


def _read_member(z: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    file = Path(str(z.filename)).name
    info = z.getinfo(name)
    if limit is not None and info.file_size > limit:
        raise PackageRefused(
            "archive",
            _("{member} is {size:,} bytes, too big for a manifest", member=name, size=info.file_size),
        )
    try:
        return z.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise PackageRefused(
            "members",
            _(
                "{file}: the member {member} was altered or damaged after packing ({error}); refused",
                file=file,
                member=name,
                error=e,
            ),
        ) from None


def _member_sha256(z: zipfile.ZipFile, name: str) -> str:
    file = Path(str(z.filename)).name
    h = hashlib.sha256()
    try:
        with z.open(name) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise PackageRefused(
            "members",
            _(
                "{file}: the member {member} was altered or damaged after packing ({error}); refused",
                file=file,
                member=name,
                error=e,
            ),
        ) from None
    return h.hexdigest()


def verify_package(path: str | Path, *, trusted: Mapping[str, str], organisation: str) -> dict[str, Any]:
    """Check a package without storing anything and return its manifest; raise :class:`PackageRefused`
    naming the first check that fails (see the module docstring for the order). ``trusted``:
    ``{public key: organisation}`` (:func:`load_trust`); ``organisation``: the recipient it must name."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    p = Path(path)
    name = p.name
    try:
        check_archive(p)
    except DatasetReadError as e:
        raise PackageRefused("archive", _("{file}: not a package: {error}", file=name, error=e)) from None
    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
            if len(set(names)) != len(names):
                raise PackageRefused("members", _("{file}: a member appears twice; refused", file=name))
            if MANIFEST not in names:
                raise PackageRefused(
                    "members", _("{file}: not a package: it holds no {m}", file=name, m=MANIFEST)
                )
            if SIGNATURE not in names:
                raise PackageRefused(
                    "signature",
                    _(
                        "{file}: the package is not signed (it holds no {sig}); refused",
                        file=name,
                        sig=SIGNATURE,
                    ),
                )
            body = _read_member(z, MANIFEST, _MAX_MANIFEST)
            try:
                sig = json.loads(_read_member(z, SIGNATURE, _MAX_MANIFEST))
                public = str(sig["public_key"])
                signature = base64.b64decode(str(sig["signature"]), validate=True)
            except (ValueError, KeyError, TypeError, binascii.Error):
                raise PackageRefused(
                    "signature",
                    _("{file}: the signature ({sig}) cannot be read; refused", file=name, sig=SIGNATURE),
                ) from None
            signer = trusted.get(public)
            if signer is None:
                raise PackageRefused(
                    "trust",
                    _(
                        "{file}: signed with a key this workbench does not trust (public key {key}); add the "
                        "sender's key to the trust file if you know it is theirs",
                        file=name,
                        key=public,
                    ),
                )
            try:
                Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(signature, body)
            except (InvalidSignature, ValueError):
                raise PackageRefused(
                    "signature",
                    _(
                        "{file}: the signature does not match the manifest: the manifest was altered after "
                        "it was signed; refused",
                        file=name,
                    ),
                ) from None
            try:
                manifest: dict[str, Any] = dict(json.loads(body))
                sender, recipient = str(manifest["sender"]), str(manifest["recipient"])
                members = dict(manifest["members"])
            except (ValueError, KeyError, TypeError):
                raise PackageRefused("members", _("{file}: the manifest cannot be read", file=name)) from None
            if manifest.get("format") != PACKAGE_FORMAT:
                raise PackageRefused(
                    "version",
                    _(
                        "{file}: a package of format {got}; this workbench reads {want}",
                        file=name,
                        got=manifest.get("format"),
                        want=PACKAGE_FORMAT,
                    ),
                )
            if sender != signer:
                raise PackageRefused(
                    "trust",
                    _(
                        "{file}: the manifest says it comes from {sender}, but it is signed with the key "
                        "trusted for {signer}; refused",
                        file=name,
                        sender=sender,
                        signer=signer,
                    ),
                )
            if recipient != organisation:
                raise PackageRefused(
                    "recipient",
                    _(
                        "{file}: the package is addressed to {recipient}, not to this workbench's "
                        "organisation {own}; refused",
                        file=name,
                        recipient=recipient,
                        own=organisation,
                    ),
                )
            if manifest.get("schema_version") != schema_version():
                raise PackageRefused(
                    "version",
                    _(
                        "{file}: written in exchange format version {got}; this workbench reads version "
                        "{want} (update one of the two workbenches)",
                        file=name,
                        got=manifest.get("schema_version"),
                        want=schema_version(),
                    ),
                )
            data = [n for n in names if n not in (MANIFEST, SIGNATURE)]
            unlisted = sorted(set(data) - set(members))
            missing = sorted(set(members) - set(data))
            if unlisted or missing:
                raise PackageRefused(
                    "members",
                    _(
                        "{file}: the members differ from the signed manifest (not listed: {unlisted}; "
                        "missing: {missing}); refused",
                        file=name,
                        unlisted=", ".join(unlisted) or "none",
                        missing=", ".join(missing) or "none",
                    ),
                )
            for member in sorted(members):
                m = _MEMBER.match(member)
                if m is None or m.group(1) not in FORMAT.tables:
                    raise PackageRefused(
                        "members",
                        _(
                            "{file}: {member} is not a table of the exchange format; refused",
                            file=name,
                            member=member,
                        ),
                    )
                if _member_sha256(z, member) != members[member]:
                    raise PackageRefused(
                        "members",
                        _(
                            "{file}: the member {member} does not match its hash in the signed manifest: "
                            "it was altered after packing; refused",
                            file=name,
                            member=member,
                        ),
                    )
    except zipfile.BadZipFile as e:
        raise PackageRefused(
            "archive", _("{file}: the archive cannot be read ({error})", file=name, error=e)
        ) from None
    return manifest


# ---------------------------------------------------------------- receiving
def receive_exchange(
    store: Store,
    path: str | Path,
    *,
    trust: Mapping[str, str] | str | Path | None = None,
    actor: Principal | None = None,
    gates: Sequence[Gate] = (),
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> ReceiveResult:
    """Verify a package (:func:`verify_package`) and import it through the gate as one submission.

    ``trust``: ``{public key: organisation}``, or a trust file or folder (default
    ``WORKBENCH_EXCHANGE_TRUST``). The recipient must be this workbench's organisation
    (:func:`own_organisation`). ``gates``: the quality gates every import runs (the command line passes
    :func:`workbench.cli.common.import_gates`). Raises :class:`PackageRefused` (nothing stored) or what
    :func:`~workbench.exchange.ingest.ingest_dataset` raises. The submission's source names the sender,
    the legal basis and the package's SHA-256; the collection is written to the audit log.
    """
    actor = acting(store, actor)
    settings = settings or Settings.from_env()
    authorise(store, actor, "import_data")
    own = own_organisation(actor, settings)
    trusted = dict(trust) if isinstance(trust, Mapping) else load_trust(trust, settings)
    src = Path(path)
    if not src.is_file():
        raise PackageRefused("archive", _("{path}: no such file", path=src))
    with tempfile.TemporaryDirectory(prefix="wb-receive-") as tmp:
        # checked and read from one private copy: the file cannot change between the checks and the import
        copy = Path(tmp) / src.name  # its own name, which the messages give
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as dst, src.open("rb") as fh:
            shutil.copyfileobj(fh, dst)
        digest = _sha256(copy)
        manifest = verify_package(copy, trusted=trusted, organisation=own)
        raw = read_dataset(copy)
        raw.kind = "package"
        source = _(
            "package {file} from {sender} (legal basis: {basis}; sha256 {digest})",
            file=src.name,
            sender=manifest["sender"],
            basis=manifest.get("legal_basis", ""),
            digest=digest,
        )
        report = ingest_dataset(raw, store, gates=gates, actor=actor, progress=progress, source_name=source)
    with store.session() as s:
        audit(
            s,
            "collect.exchange_package",
            {
                "sender": manifest["sender"],
                "recipient": own,
                "legal_basis": manifest.get("legal_basis"),
                "kind": manifest.get("kind"),
                "created_at": manifest.get("created_at"),
                "counts": manifest.get("counts"),
                "package_sha256": digest,
                "submission_id": report.submission_id,
                "status": report.status,
            },
            actor,
            objects=[f"submission:{report.submission_id}"] if report.submission_id else (),
            row_count=sum(report.accepted.values()),
        )
    return ReceiveResult(manifest, digest, report)
