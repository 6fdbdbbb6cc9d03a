"""Exchange between workbenches (issue 18, part 5): signed packages packed on one store and received on
another (SQLite and PostgreSQL), refused when tampered, unsigned, untrusted or misaddressed."""

from __future__ import annotations

import base64
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.config import Settings
from workbench.exchange.exports import ExportDenied
from workbench.exchange.packages import (
    MANIFEST,
    SIGNATURE,
    PackageRefused,
    generate_exchange_key,
    load_exchange_key,
    pack_exchange,
    public_key_text,
    receive_exchange,
    trust_line,
    verify_package,
)
from workbench.identity import PermissionDenied, Principal
from workbench.store import open_store

ANA = Principal("ana", "FR-DGDDI", frozenset({"analyst"}), personal=True)  # the sender
JUAN = Principal("juan", "ES-AEAT", frozenset({"steward"}), personal=True)  # the recipient
BASIS = "Naples II convention, art. 9"
SENDER_KEY = load_exchange_key(generate_exchange_key())
STRANGER_KEY = load_exchange_key(generate_exchange_key())
TRUST = {public_key_text(SENDER_KEY): "FR-DGDDI"}


@pytest.fixture(scope="module")
def sender_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store of 30 generated cases (with persons and companies)."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import generate

    d = tmp_path_factory.mktemp("sender")
    write_dataset(generate(30, seed=11).tables, d / "ds")
    url = f"sqlite:///{d / 'sender.db'}"
    assert import_path(d / "ds", open_store(url)).status == "accepted"
    return url


@pytest.fixture(scope="module")
def package(sender_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "fr-to-es.zip"
    pack_exchange(open_store(sender_url), out, to="ES-AEAT", legal_basis=BASIS, actor=ANA, key=SENDER_KEY)
    return out


def _rows(url: str) -> dict[str, int]:
    """Every table's row count: data, submissions, quarantine, audit log."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            names = sa.inspect(c).get_table_names()
            return {n: int(c.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one()) for n in names}
    finally:
        engine.dispose()


def _audit_rows(url: str, action: str) -> list[dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            q = sa.text(
                "SELECT action, kind, recipients, legal_basis, details FROM audit_log WHERE action = :a"
            )
            return [dict(r._mapping) for r in c.execute(q, {"a": action})]
    finally:
        engine.dispose()


def test_pack_writes_manifest_signature_and_logs_the_disclosure(sender_url: str, package: Path) -> None:
    with zipfile.ZipFile(package) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read(MANIFEST))
        sig = json.loads(z.read(SIGNATURE))
    assert names == {MANIFEST, SIGNATURE, *manifest["members"]}
    assert set(manifest["members"]) == {f"data/{t}.csv" for t in ("cases", "items", "persons", "companies")}
    assert (manifest["sender"], manifest["recipient"], manifest["legal_basis"]) == (
        "FR-DGDDI",
        "ES-AEAT",
        BASIS,
    )
    assert manifest["counts"]["cases"] == 30 and manifest["counts"]["persons"] > 0
    assert sig["public_key"] == public_key_text(SENDER_KEY)
    entries = _audit_rows(sender_url, "disclose.exchange_package")
    assert len(entries) == 1
    e = entries[0]
    assert (e["kind"], e["legal_basis"]) == ("disclosure", BASIS) and "ES-AEAT" in e["recipients"]
    assert json.loads(e["details"])["counts"] == manifest["counts"]
    from workbench.identity.audit_reports import exports_by_recipient

    report = exports_by_recipient(
        open_store(sender_url), Principal("aud", "FR-DGDDI", frozenset({"auditor"}))
    )
    row = report[report["recipient"] == "ES-AEAT"].iloc[0]
    assert row["kinds"] == "disclose.exchange_package" and row["legal_bases"] == BASIS


def test_receive_imports_an_untouched_package_with_its_provenance(store_url: str, package: Path) -> None:
    store = open_store(store_url)
    res = receive_exchange(store, package, trust=TRUST, actor=JUAN)
    assert res.report.status == "accepted", res.report.rejections[:3]
    assert store.counts()["cases"] == res.manifest["counts"]["cases"] == 30
    assert store.counts()["persons"] == res.manifest["counts"]["persons"]
    engine = sa.create_engine(store_url)
    with engine.connect() as c:
        source, kind = c.execute(sa.text("SELECT source_name, source_kind FROM submissions")).one()
    engine.dispose()
    assert "FR-DGDDI" in source and BASIS in source and res.package_sha256 in source and kind == "package"
    (entry,) = _audit_rows(store_url, "collect.exchange_package")
    details = json.loads(entry["details"])
    assert entry["kind"] == "collection" and details["sender"] == "FR-DGDDI"
    assert details["package_sha256"] == res.package_sha256 and details["legal_basis"] == BASIS


def _flip_byte(path: Path, member: str) -> None:
    """Change one byte in the middle of ``member``'s stored data, in place."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    data = bytearray(path.read_bytes())
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _rewrite(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Re-zip the package with ``change(members)`` applied: what someone who edits it with a zip tool does."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    change(members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in members.items():
            z.writestr(n, b)


def _edit_csv(m: dict[str, bytes]) -> None:
    m["data/cases.csv"] = m["data/cases.csv"].replace(b"2", b"3", 1)


def _edit_manifest(m: dict[str, bytes]) -> None:
    m[MANIFEST] = m[MANIFEST].replace(BASIS.encode(), b"no legal basis at all")


def _resign(m: dict[str, bytes]) -> None:
    sig = json.loads(m[SIGNATURE])
    sig["public_key"] = public_key_text(STRANGER_KEY)
    sig["signature"] = base64.b64encode(STRANGER_KEY.sign(m[MANIFEST])).decode()
    m[SIGNATURE] = json.dumps(sig).encode()


def _add_member(m: dict[str, bytes]) -> None:
    m["data/traffic.csv"] = b"case_id\nX\n"


TAMPERS = {
    "one byte of a data member": (lambda p: _flip_byte(p, "data/cases.csv"), "members", "data/cases.csv"),
    "one byte of the manifest": (lambda p: _flip_byte(p, MANIFEST), "members", MANIFEST),
    "a data member edited and re-zipped": (
        lambda p: _rewrite(p, _edit_csv),
        "members",
        "does not match its hash",
    ),
    "the manifest edited and re-zipped": (
        lambda p: _rewrite(p, _edit_manifest),
        "signature",
        "altered after",
    ),
    "unsigned": (lambda p: _rewrite(p, lambda m: m.pop(SIGNATURE)), "signature", "not signed"),
    "signed by an untrusted key": (lambda p: _rewrite(p, _resign), "trust", "does not trust"),
    "a member added": (lambda p: _rewrite(p, _add_member), "members", "data/traffic.csv"),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_tampered_package_is_refused_and_nothing_is_stored(
    module_store_url: str, package: Path, tmp_path: Path, tamper: str
) -> None:
    change, check, said = TAMPERS[tamper]
    bad = tmp_path / "bad.zip"
    shutil.copy(package, bad)
    change(bad)
    store = open_store(module_store_url)
    before = _rows(module_store_url)
    with pytest.raises(PackageRefused) as e:
        receive_exchange(store, bad, trust=TRUST, actor=JUAN)
    assert e.value.check == check and said in str(e.value) and "bad.zip" in str(e.value)
    assert _rows(module_store_url) == before


def test_a_package_addressed_to_another_organisation_is_refused(module_store_url: str, package: Path) -> None:
    store = open_store(module_store_url)
    before = _rows(module_store_url)
    italian = Principal("gino", "IT-ADM", frozenset({"steward"}), personal=True)
    with pytest.raises(PackageRefused, match="addressed to ES-AEAT, not to .* IT-ADM") as e:
        receive_exchange(store, package, trust=TRUST, actor=italian)
    assert e.value.check == "recipient"
    assert _rows(module_store_url) == before


def test_a_key_trusted_for_another_organisation_does_not_vouch_for_the_sender(package: Path) -> None:
    with pytest.raises(PackageRefused, match="trusted for DE-ZOLL") as e:
        verify_package(package, trusted={public_key_text(SENDER_KEY): "DE-ZOLL"}, organisation="ES-AEAT")
    assert e.value.check == "trust"


def test_non_personal_package_carries_no_person_or_company(sender_url: str, tmp_path: Path) -> None:
    rilo = Principal("rita", "RILO-WE", frozenset({"rilo"}))
    store = open_store(sender_url)
    with pytest.raises(ExportDenied):
        pack_exchange(store, tmp_path / "p.zip", to="WCO-CEN", legal_basis=BASIS, actor=rilo, key=SENDER_KEY)
    assert not (tmp_path / "p.zip").exists()
    res = pack_exchange(
        store,
        tmp_path / "np.zip",
        to="WCO-CEN",
        legal_basis=None,
        non_personal=True,
        actor=rilo,
        key=SENDER_KEY,
    )
    with zipfile.ZipFile(res.path) as z:
        assert {n for n in z.namelist() if n.startswith("data/")} == {"data/cases.csv", "data/items.csv"}
    assert set(res.manifest["counts"]) == {"cases", "items"} and res.manifest["kind"] == "non_personal"
    receiver = open_store(f"sqlite:///{tmp_path / 'cen.db'}")
    cen = Principal("carl", "WCO-CEN", frozenset({"steward"}), personal=True)
    got = receive_exchange(receiver, res.path, trust={public_key_text(SENDER_KEY): "RILO-WE"}, actor=cen)
    assert got.report.status == "accepted"
    counts = receiver.counts()
    assert counts["cases"] == 30 and counts["persons"] == counts["companies"] == 0


def test_receiving_needs_the_import_right(package: Path, tmp_path: Path) -> None:
    viewer = Principal("vera", "ES-AEAT", frozenset({"viewer"}))
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = open_store(url)
    before = _rows(url)
    with pytest.raises(PermissionDenied):
        receive_exchange(store, package, trust=TRUST, actor=viewer)
    assert _rows(url) == before


def test_command_line_keygen_pack_receive(sender_url: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    assert main(["exchange", "keygen", "--out", str(tmp_path / "fr.key"), "--org", "FR-DGDDI"]) == 0
    assert (tmp_path / "fr.key").stat().st_mode & 0o077 == 0
    line = (tmp_path / "fr.key.pub").read_text().strip()
    assert line == trust_line("FR-DGDDI", load_exchange_key(str(tmp_path / "fr.key")))

    monkeypatch.setenv("WORKBENCH_ORGANISATION", "FR-DGDDI")
    monkeypatch.setenv("WORKBENCH_EXCHANGE_KEY", str(tmp_path / "fr.key"))
    out = tmp_path / "pkg.zip"
    args = ["exchange", "pack", "--recipient", "ES-AEAT", "--out", str(out), "--db", sender_url]
    assert main(args) == 2  # personal data without a legal basis
    assert "legal basis" in capsys.readouterr().err and not out.exists()
    assert main([*args, "--legal-basis", BASIS, "--category", "spaceships"]) == 2  # not a category
    assert main([*args, "--legal-basis", BASIS]) == 0

    receiver = f"sqlite:///{tmp_path / 'es.db'}"
    monkeypatch.setenv("WORKBENCH_ORGANISATION", "ES-AEAT")
    monkeypatch.delenv("WORKBENCH_EXCHANGE_KEY")
    assert main(["exchange", "receive", str(out), "--db", receiver, "--quiet"]) == 2  # no trust file
    assert "WORKBENCH_EXCHANGE_TRUST" in capsys.readouterr().err
    bad = Path(shutil.copy(out, tmp_path / "bad.zip"))
    _flip_byte(bad, "data/items.csv")
    trust = ["--trust", str(tmp_path / "fr.key.pub")]
    assert main(["exchange", "receive", str(bad), "--db", receiver, "--quiet", *trust]) == 2
    err = capsys.readouterr().err
    assert "refused (members)" in err and "nothing was stored" in err
    assert main(["exchange", "receive", str(out), "--db", receiver, "--quiet", *trust]) == 0
    assert "package from FR-DGDDI" in capsys.readouterr().out
    assert open_store(receiver).counts()["cases"] == 30


def test_settings_keep_the_key_secret() -> None:
    from workbench.config import SECRET_SETTINGS

    assert "exchange_key" in SECRET_SETTINGS
    s = Settings.from_env({"WORKBENCH_ORGANISATION": " FR-DGDDI ", "WORKBENCH_EXCHANGE_TRUST": "/k"})
    assert (s.organisation, s.exchange_trust, s.exchange_key) == ("FR-DGDDI", "/k", "")
