"""The audit log's hash chain on SQLite and PostgreSQL: an untouched log verifies; an entry edited,
deleted, reordered or inserted directly in the database is reported by ``workbench audit verify``
(exit 1, naming the entry); a signed checkpoint proves nothing before it changed, even after a
consistent rewrite; retention erases old entries and the rest still verifies; dropped triggers come
back when the store is opened; concurrent writers do not fork the chain."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from workbench.cli import main
from workbench.config import Settings
from workbench.identity import Principal
from workbench.store import open_store
from workbench.store.audit import (
    AUDIT_KINDS,
    GENESIS,
    LEGAL_KINDS,
    Checkpoint,
    audit,
    audit_kind,
    checkpoint,
    drop_triggers,
    entry_hash,
    erase_expired,
    generate_signing_key,
    load_signing_key,
    verify,
)
from workbench.store.models import AUDIT_CHAIN, AuditEntry

ANA = Settings.from_env({"WORKBENCH_USER": "ana", "WORKBENCH_ROLE": "analyst"})
#: the same analyst as the library's actor (the local single user of a store without accounts)
ANA_P = Principal("ana", "local", frozenset({"analyst"}), personal=True, mode="local")
LOG = AuditEntry.__table__


class _Principal:
    user = "bo"
    role = "analyst"
    organisation = "FR-DGDDI"
    purpose = {"reference": "OP-2026-17", "justification": "links of case C1", "legal_basis": "LED art. 8"}


def workbench_cli(*args: str, db: str, role: str = "auditor") -> subprocess.CompletedProcess[str]:
    """``workbench ARGS --db DB`` in another process, as the local user of a store without accounts."""
    env = {**os.environ, "WORKBENCH_DB_URL": db, "WORKBENCH_ROLE": role, "GX_ANALYTICS_ENABLED": "false"}
    env.pop("WORKBENCH_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args, "--db", db],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _fill(store, n: int = 6) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        with store.connect() as c:
            audit(c, "export.non_personal", {"i": i}, ANA, row_count=i)


def _tamper(store, *statements: str) -> None:  # type: ignore[no-untyped-def]
    """What someone with the database's password can do: drop the triggers, then change rows."""
    with store.engine.begin() as c:
        drop_triggers(c)
        for s in statements:
            c.execute(sa.text(s))


def test_every_legal_kind_has_an_action_and_unknown_actions_are_refused() -> None:
    assert set(AUDIT_KINDS.values()) == set(LEGAL_KINDS)
    assert audit_kind("login.failed") == "failed_login" and audit_kind("login") == "login"
    with pytest.raises(ValueError, match="AUDIT_KINDS"):
        audit_kind("made_up.action")


def test_entry_schema_and_untouched_log_verifies(store_url: str) -> None:
    store = open_store(store_url)
    assert verify(store).ok and verify(store).entries == 0
    with store.session() as s:
        seq = audit(
            s,
            "consult.case_detail",
            {"case": "ES/C1"},
            _Principal(),
            objects=["case:ES/C1", "person:ES/C1/P1"],
            recipients=["ES-AEAT"],
            query="case_detail(ES, C1)",
            row_count=2,
        )
    assert seq == 1
    _fill(store)
    with store.engine.connect() as c:
        first = c.execute(sa.select(LOG).where(LOG.c.seq == 1)).mappings().one()
    assert first["kind"] == "consultation" and first["organisation"] == "FR-DGDDI"
    assert (first["purpose_ref"], first["justification"], first["legal_basis"]) == (
        "OP-2026-17",
        "links of case C1",
        "LED art. 8",
    )
    assert json.loads(first["objects"]) == ["case:ES/C1", "person:ES/C1/P1"]
    assert json.loads(first["recipients"]) == ["ES-AEAT"] and first["row_count"] == 2
    assert first["prev_hash"] == GENESIS and first["hash"] == entry_hash(GENESIS, first)
    report = verify(store)
    assert report.ok and report.entries == 7 and (report.first_seq, report.last_seq) == (1, 7), str(report)
    res = workbench_cli("audit", "verify", db=store_url)
    assert res.returncode == 0 and "intact: 7 entries" in res.stdout, res.stderr


def test_rolled_back_write_takes_no_number(store_url: str) -> None:
    store = open_store(store_url)
    _fill(store, 2)
    with pytest.raises(RuntimeError), store.connect() as c:
        audit(c, "export.non_personal", {}, ANA)
        raise RuntimeError("the decision failed")
    _fill(store, 1)
    with store.engine.connect() as c:
        assert c.execute(sa.select(LOG.c.seq).order_by(LOG.c.seq)).scalars().all() == [1, 2, 3]
    assert verify(store).ok


@pytest.mark.parametrize(
    ("tamper", "problem", "named"),
    [
        ("UPDATE audit_log SET details = '{\"i\": 99}' WHERE seq = 3", "changed", "entry 3 "),
        ("UPDATE audit_log SET at = '2020-01-01 00:00:00' WHERE seq = 4", "changed", "entry 4 "),
        ("UPDATE audit_log SET \"user\" = 'chief.inspector' WHERE seq = 2", "changed", "entry 2 "),
        ("DELETE FROM audit_log WHERE seq = 3", "removed", "entries 3 to 3 before entry 4 "),
        ("DELETE FROM audit_log WHERE seq >= 5", "removed", "5 to 6"),
        ("UPDATE audit_log SET seq = 100 + seq WHERE seq IN (3, 4)", "reordered", "entry 5 "),
        (
            "UPDATE audit_log SET seq = -seq WHERE seq IN (3, 4);UPDATE audit_log SET seq = 7 + seq WHERE seq < 0",
            "reordered",
            "entry 3 (id 4) follows entry 4 (id 3)",
        ),
        (
            'INSERT INTO audit_log (at, "user", role, action, details) '
            "VALUES ('2026-01-01 00:00:00', 'x', 'admin', 'export.exchange', NULL)",
            "inserted",
            "inserted outside the chain",
        ),
    ],
    ids=["details", "back-dated", "user", "delete-middle", "delete-tail", "move", "swap", "insert"],
)
def test_tampering_is_reported(store_url: str, tamper: str, problem: str, named: str) -> None:
    store = open_store(store_url)
    _fill(store)
    _tamper(store, *tamper.split(";"))
    report = verify(store)
    assert not report.ok and report.broken is not None
    assert report.broken.problem == problem and named in report.broken.message, str(report)
    res = workbench_cli("audit", "verify", db=store_url)
    assert res.returncode == 1 and named in res.stderr, (res.stdout, res.stderr)


def test_checkpoint_proves_nothing_before_it_changed(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    _fill(store, 4)
    key_file = tmp_path / "audit.key"
    assert main(["audit", "keygen", "--out", str(key_file)]) == 0
    assert main(["audit", "keygen", "--out", str(key_file)]) == 2  # never overwritten
    assert key_file.stat().st_mode & 0o777 == 0o600
    cp_file = tmp_path / "head.json"
    res = workbench_cli("audit", "checkpoint", "--out", str(cp_file), "--key", str(key_file), db=store_url)
    assert res.returncode == 0, res.stderr
    _fill(store, 2)  # entries after the checkpoint are fine
    res = workbench_cli("audit", "verify", "--checkpoint", str(cp_file), db=store_url)
    assert res.returncode == 0 and "checkpoint at entry 4 matches" in res.stdout, res.stderr

    # someone rewrites entry 2 and re-computes every hash after it: the chain alone verifies ...
    with store.engine.begin() as c:
        drop_triggers(c)
        rows = [dict(r) for r in c.execute(sa.select(LOG).order_by(LOG.c.seq)).mappings()]
        prev = GENESIS
        for r in rows:
            if r["seq"] == 2:
                r["user"] = "somebody.else"
            h = entry_hash(prev, r)
            c.execute(
                sa.update(LOG).where(LOG.c.id == r["id"]).values(user=r["user"], prev_hash=prev, hash=h)
            )
            prev = h
        c.execute(sa.update(AUDIT_CHAIN).values(head_hash=prev))
    assert verify(store).ok
    # ... but not against the signed head
    cp = Checkpoint.from_json(cp_file.read_text())
    report = verify(store, cp)
    assert not report.ok and report.broken is not None and report.broken.problem == "checkpoint"
    assert "entry 4 " in report.broken.message and "rewritten" in report.broken.message
    res = workbench_cli("audit", "verify", "--checkpoint", str(cp_file), db=store_url)
    assert res.returncode == 1 and "rewritten" in res.stderr


def test_forged_checkpoint_is_refused(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    _fill(store, 2)
    key = load_signing_key(generate_signing_key())
    cp = checkpoint(store, key)
    assert cp.problem(key) is None
    forged = Checkpoint(cp.seq, "f" * 64, cp.at, cp.public_key, cp.signature)
    assert "altered" in (verify(store, forged).broken.message)  # type: ignore[union-attr]
    other = load_signing_key(generate_signing_key())
    assert "another key" in (verify(store, checkpoint(store, other), public_key=key).broken.message)  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="WORKBENCH_AUDIT_SIGNING_KEY"):
        load_signing_key(None, env={})


def test_triggers_refuse_changes_and_come_back_when_the_store_is_opened(store_url: str) -> None:
    store = open_store(store_url)
    _fill(store, 3)
    for stmt in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log WHERE seq = 3"):
        with pytest.raises(sa.exc.DatabaseError), store.engine.begin() as c:
            c.execute(sa.text(stmt))
    if store.dialect == "postgresql":
        with pytest.raises(sa.exc.DatabaseError), store.engine.begin() as c:
            c.execute(sa.text("TRUNCATE audit_log"))
    with store.engine.begin() as c:
        drop_triggers(c)
    store.engine.dispose()
    store = open_store(store_url)
    with pytest.raises(sa.exc.DatabaseError), store.engine.begin() as c:
        c.execute(sa.text("DELETE FROM audit_log WHERE seq = 3"))
    with store.engine.connect() as c:
        last = c.execute(sa.select(LOG.c.action, LOG.c.kind).order_by(LOG.c.seq.desc()).limit(1)).one()
    assert tuple(last) == ("audit.triggers_restored", "administration")
    assert verify(store).ok


def test_retention_erases_old_entries_and_the_rest_still_verifies(store_url: str) -> None:
    store = open_store(store_url)
    _fill(store, 5)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 3 + 30)
    _fill(store, 0)
    assert erase_expired(store, 3, now=dt.datetime.now(dt.UTC)) == 0
    erased = erase_expired(store, 3, now=later)  # three years on, the five are past retention
    assert erased == 5
    report = verify(store)
    assert report.ok and report.anchor_seq == 5 and report.entries == 1, str(report)
    with store.engine.connect() as c:
        kept = c.execute(sa.select(LOG.c.action, LOG.c.kind, LOG.c.row_count)).one()
    assert tuple(kept) == ("erasure.audit_retention", "erasure", 5)
    _fill(store, 1)
    assert verify(store).ok
    # an entry after the anchor still cannot be deleted
    with pytest.raises(sa.exc.DatabaseError), store.engine.begin() as c:
        c.execute(sa.text("DELETE FROM audit_log WHERE seq = 6"))


def test_concurrent_writers_do_not_fork_the_chain(store_url: str) -> None:
    store = open_store(store_url)
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for i in range(15):
                with store.connect() as c:
                    audit(c, "export.non_personal", {"writer": k, "i": i}, ANA)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    report = verify(store)
    assert report.ok and report.entries == 60 and report.last_seq == 60, str(report)


def test_migration_chains_entries_written_before_it(tmp_path: Path) -> None:
    from workbench.store.database import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate(engine, "0001")
    with engine.begin() as c:
        for i in range(3):
            c.execute(
                sa.text(
                    'INSERT INTO audit_log (at, "user", role, action, details) '
                    "VALUES (:at, 'ana', 'analyst', :a, :d)"
                ),
                {
                    "at": dt.datetime(2026, 1, 1 + i),
                    "a": ["import", "export.exchange", "old.unknown"][i],
                    "d": "{}",
                },
            )
    store = open_store(url)
    report = verify(store)
    assert report.ok and report.entries == 3, str(report)
    with store.engine.connect() as c:
        kinds = c.execute(sa.select(LOG.c.kind).order_by(LOG.c.seq)).scalars().all()
    assert kinds == ["collection", "export", "administration"]
    _fill(store, 1)
    assert verify(store).ok


@pytest.mark.parametrize("kind", ["exchange", "formatted"])
def test_export_writes_its_audit_entry_before_the_file(
    store_copy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A failing audit entry leaves no file with persons; a failing file write leaves no entry."""
    from workbench.exchange import exports

    store = open_store(store_copy)
    before = verify(store).entries
    out = tmp_path / ("out.xlsx" if kind == "formatted" else "out")

    def refuse(*a: object, **k: object) -> None:
        raise sa.exc.OperationalError("INSERT INTO audit_log", {}, Exception("database is locked"))

    monkeypatch.setattr(exports, "audit", refuse)
    with pytest.raises(sa.exc.OperationalError):
        exports.export_data(store, out, kind, legal_basis="MAA FR-ES", actor=ANA_P, recipients=["ES-AEAT"])
    assert not out.exists() and not list(tmp_path.rglob("*.csv")), "a file was left without its audit entry"
    monkeypatch.undo()

    def broken_disk(*a: object, **k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(
        exports, "_formatted_bytes" if kind == "formatted" else "write_dataset", broken_disk, raising=False
    )
    if kind != "formatted":
        import workbench.exchange.files as files

        monkeypatch.setattr(files, "write_dataset", broken_disk)
    with pytest.raises(OSError):
        exports.export_data(store, out, kind, legal_basis="MAA FR-ES", actor=ANA_P)
    assert verify(store).entries == before, "an export that wrote nothing was audited"
    monkeypatch.undo()

    res = exports.export_data(store, out, kind, legal_basis="MAA FR-ES", actor=ANA_P, recipients=["ES-AEAT"])
    assert all(p.exists() for p in res.paths)
    with store.engine.connect() as c:
        last = c.execute(sa.select(LOG).order_by(LOG.c.seq.desc()).limit(1)).mappings().one()
    assert last["action"] == f"export.{kind}" and last["kind"] == "export"
    assert json.loads(last["recipients"]) == ["ES-AEAT"] and last["legal_basis"] == "MAA FR-ES"
    assert last["row_count"] == sum(res.counts.values())
    assert verify(store).ok


def test_failed_import_keeps_personal_values_out_of_the_log_and_the_report(
    store_url: str, small_sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses a row carrying a name and a passport number: its error (which quotes the
    statement's parameters, and on PostgreSQL the key's values) is stored and raised by kind,
    constraint, table and rows only."""
    import workbench.exchange.ingest as ingest
    from workbench.store import DATA_TABLES, Submission

    store = open_store(store_url)
    real = ingest._write_table

    def duplicate(conn, name, df, *a, **k):  # type: ignore[no-untyped-def]
        real(conn, name, df, *a, **k)
        if name == "persons" and len(df):
            r = df.iloc[0]
            conn.execute(
                sa.insert(DATA_TABLES["persons"]).values(
                    person_id=r["person_id"],
                    case_id=r["case_id"],
                    reporting_country=r["reporting_country"],
                    last_name="SECRETNAME",
                    passport_number="P-SECRET-123",
                )
            )

    monkeypatch.setattr(ingest, "_write_table", duplicate)
    with pytest.raises(ingest.ImportFailed) as failed:
        ingest.import_path(small_sample_dir, store, actor=ANA_P)
    message = str(failed.value)
    with store.engine.connect() as c:
        report = c.execute(sa.select(Submission.report).where(Submission.status == "failed")).scalar_one()
        entry = c.execute(sa.select(LOG.c.details).where(LOG.c.action == "import.failed")).scalar_one()
    for text in (message, report, entry):
        assert "SECRETNAME" not in text and "P-SECRET-123" not in text, text
        assert "IntegrityError" in text and "persons" in text and "data rows 1 to" in text, text
    assert failed.value.__cause__ is None  # the statement's parameters do not ride along either
    assert verify(store).ok


def _consultations(store) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as c:
        rows = c.execute(sa.select(LOG).where(LOG.c.kind == "consultation").order_by(LOG.c.seq)).mappings()
        return [dict(r) for r in rows]


def test_personal_data_returned_by_the_library_is_audited_as_a_consultation(store_copy: str) -> None:
    from workbench.network.graph import graph_from_store, party_frame
    from workbench.store import DATA_TABLES
    from workbench.store.filters import CaseFilter
    from workbench.store.queries import case_detail, load_table

    store = open_store(store_copy)
    n0 = len(_consultations(store))  # the copied store may hold other tests' consultations
    p = DATA_TABLES["persons"]
    with store.engine.connect() as c:
        rc, cid = c.execute(sa.select(p.c.reporting_country, p.c.case_id).limit(1)).one()
    # without personal data nothing is consulted
    assert case_detail(store, rc, cid, personal_allowed=False) is not None
    graph_from_store(store, CaseFilter(reporting_countries=(rc,)), personal_allowed=False)
    assert _consultations(store)[n0:] == []

    det = case_detail(store, rc, cid, personal_allowed=True, actor=_Principal())
    assert det is not None and det.persons is not None and det.companies is not None
    (entry,) = _consultations(store)[n0:]
    assert entry["action"] == "consult.case_detail" and entry["user"] == "bo"
    assert entry["purpose_ref"] == "OP-2026-17" and entry["justification"] == "links of case C1"
    objects = json.loads(str(entry["objects"]))
    assert objects[0] == f"case:{rc}/{cid}"
    assert {f"person:{rc}/{cid}/{x}" for x in det.persons["person_id"]} <= set(objects)
    assert entry["row_count"] == len(det.persons) + len(det.companies)
    # the record keys name the persons; no name, date of birth or passport is in the entry
    values = {str(v) for v in det.persons[["last_name", "passport_number"]].stack() if str(v).strip()}
    assert not [v for v in values if v in json.dumps(entry, default=str)]

    flt = CaseFilter(reporting_countries=(rc,))
    persons = party_frame(store, "persons", flt, personal_allowed=True, actor=_Principal())
    load_table(store, "companies", flt, personal_allowed=True, actor=_Principal())
    graph_from_store(store, flt, personal_allowed=True, actor=_Principal(), resolve_entities=False)
    actions = [(e["action"], e["query"]) for e in _consultations(store)[n0:][1:]]
    assert actions == [
        ("consult.persons", flt.describe()),
        ("consult.companies", flt.describe()),
        ("consult.persons", flt.describe()),
        ("consult.companies", flt.describe()),
    ]
    assert _consultations(store)[n0:][1]["row_count"] == len(persons)
    assert verify(store).ok


def test_audit_commands_need_the_auditor_or_admin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(url)
    _fill(store, 2)
    res = workbench_cli("audit", "verify", db=url, role="analyst")
    assert res.returncode == 3 and "auditor, admin" in res.stderr
    res = workbench_cli("audit", "retention", "--years", "1", db=url, role="auditor")
    assert res.returncode == 3 and "admin" in res.stderr
    assert workbench_cli("audit", "retention", db=url, role="admin").returncode == 0
    out = tmp_path / "exports.xlsx"
    res = workbench_cli("audit", "report", "exports", "--out", str(out), db=url)
    assert res.returncode == 0 and out.exists(), res.stderr
    res = workbench_cli("audit", "report", "entries", "--user", "ana", db=url)
    assert res.returncode == 0 and "export.non_personal" in res.stdout, res.stderr


def test_the_duplicates_page_audits_its_reading_in_the_consultants_name(store_copy: str, open_app) -> None:  # type: ignore[no-untyped-def]
    """The app's cached resolution read persons in the name the server's environment gave (the cache
    fill had no actor): the consultation is now the signed-in user's, with the purpose they stated."""
    n0 = len(_consultations(open_store(store_copy)))  # the copied store may hold other tests' entries
    at = open_app(store_copy, "pages/entities.py", role="analyst", user="ana-dup")
    assert not at.exception
    entries = [
        e
        for e in _consultations(open_store(store_copy))[n0:]
        if e["action"] in ("consult.persons", "consult.companies")
    ]
    assert entries, "the Duplicates page read persons without an audit entry"
    assert {e["user"] for e in entries} == {"ana-dup"}
    assert {e["purpose_ref"] for e in entries} == {"TEST-1"}
