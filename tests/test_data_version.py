"""The store's data version (SQLite and PostgreSQL): every write path moves its counter forward in the
writer's own transaction, whatever process writes; a write that fails moves nothing; concurrent writers
lose no step; reading it is one query."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import fresh_dataset, workbench_cli
from workbench.config import Settings
from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import ImportFailed, import_path
from workbench.identity import local_principal
from workbench.store import SCOPES, data_changes, data_version, open_store
from workbench.store.version import DATA_VERSIONS, bump_data_version

ANN = local_principal(Settings.from_env({"WORKBENCH_USER": "ann", "WORKBENCH_ROLE": "analyst"}))
BOB = local_principal(Settings.from_env({"WORKBENCH_USER": "bob", "WORKBENCH_ROLE": "rilo"}))


def _moved(before, after) -> set[str]:  # type: ignore[no-untyped-def]
    """The scopes whose counter moved forward (and check that none went back)."""
    assert all(after[s] >= before[s] for s in SCOPES), (before, after)
    return {s for s in SCOPES if after[s] > before[s]}


def _fresh(tmp_path: Path, tag: str = "FRESH-A", departure: str = "IS") -> Path:
    """A folder of CSV files holding :func:`fresh_dataset`."""
    write_dataset(fresh_dataset(tag, departure, n=6), tmp_path / tag)  # type: ignore[arg-type]
    return tmp_path / tag


def test_every_scope_has_a_counter(store_url: str) -> None:
    changes = data_changes(open_store(store_url))
    assert changes["scope"].tolist() == list(SCOPES)
    assert changes["version"].notna().all() and changes["changed"].isna().all()
    # counters start at the time the store was made, so a store made anew under the same URL does not
    # hand out the numbers of the one before
    assert changes["version"].min() > 1_700_000_000 * 10**6


def test_imports_move_cases_and_submissions(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    path = _fresh(tmp_path)
    v0 = data_version(store)
    assert import_path(path, store, actor=ANN).status == "accepted"
    v1 = data_version(store)
    assert _moved(v0, v1) == {"cases", "submissions"}
    # the same file again changes no case: only a submission (a duplicate) is recorded
    assert import_path(path, store, actor=ANN).status == "duplicate"
    assert _moved(v1, data_version(store)) == {"submissions"}


def test_a_failed_import_moves_no_case(store_url: str, tmp_path: Path) -> None:
    class Broken:
        def check(self, *args: object) -> list[object]:
            raise RuntimeError("the gate broke")

    store = open_store(store_url)
    v0 = data_version(store)
    with pytest.raises(ImportFailed):
        import_path(_fresh(tmp_path), store, actor=ANN, gates=[Broken()])
    assert store.counts()["cases"] == 0
    # the failed submission is recorded (and listed on the Submissions page); the cases' counter moved
    # with the import's transaction, which was rolled back
    assert _moved(v0, data_version(store)) == {"submissions"}


def test_judgements_move_judgements_only(store_url: str) -> None:
    from workbench.network.judgements import record_judgement

    store = open_store(store_url)
    v0 = data_version(store)
    record_judgement(store, "person", "FR:C1:P1", "DE:C2:P2", "same", actor=ANN)
    v1 = data_version(store)
    assert _moved(v0, v1) == {"judgements"}
    record_judgement(store, "person", "FR:C1:P1", "DE:C2:P2", "different", actor=ANN)  # a change of mind
    assert _moved(v1, data_version(store)) == {"judgements"}


def test_indicator_saves_and_reviews_move_indicators_only(store_url: str) -> None:
    from workbench.risk import registry as reg
    from workbench.risk.model import Indicator, parse_condition

    rule = parse_condition({"field": "departure_country", "op": "eq", "value": "AF"})
    RI = Indicator("RI-090", "From Afghanistan", "general_high_risk", rule, 30)
    store = open_store(store_url)
    steps = [
        lambda: reg.save_version(store, RI, ANN),
        lambda: reg.submit(store, RI.id, ANN),
        lambda: reg.approve(store, RI.id, BOB),
        lambda: reg.retire(store, RI.id, BOB),
    ]
    for step in steps:
        before = data_version(store)
        step()
        assert _moved(before, data_version(store)) == {"indicators"}
    # a refused change writes nothing and moves nothing
    before = data_version(store)
    with pytest.raises(reg.ReviewError):
        reg.submit(store, RI.id, ANN)  # retired: nothing to submit
    assert _moved(before, data_version(store)) == set()


def test_traffic_loads_move_traffic_only(store_url: str) -> None:
    from workbench.risk.traffic import read_traffic, sample_traffic_path, store_traffic

    store = open_store(store_url)
    v0 = data_version(store)
    store_traffic(store, read_traffic(sample_traffic_path()), "sample", actor=ANN)
    assert _moved(v0, data_version(store)) == {"traffic"}


def test_a_store_check_moves_submissions(tmp_path: Path, store_copy: str) -> None:
    from data_quality import validate_store

    store = open_store(store_copy)
    v0 = data_version(store)
    validate_store(store)
    assert _moved(v0, data_version(store)) == {"submissions"}


def test_the_command_line_moves_the_version_another_process_reads(store_url: str, tmp_path: Path) -> None:
    """Seeding (cases, the sample indicators and traffic) and an import, each in a process of its own,
    are seen by this one: the counters live in the database, not in a process."""
    store = open_store(store_url)
    v0 = data_version(store)
    out = workbench_cli("seed", "--local", "--path", str(_fresh(tmp_path, "SEED", "BT")), db=store_url)
    assert out.returncode == 0, out.stdout + out.stderr
    v1 = data_version(store)
    # --path: no sample traffic; the seeded persons resolved into entities (the "judgements" scope)
    assert _moved(v0, v1) == {"cases", "submissions", "indicators", "judgements"}
    out = workbench_cli("import", str(_fresh(tmp_path)), "--quiet", db=store_url)
    assert out.returncode == 0, out.stdout + out.stderr
    # and the persons it brought resolved into the entities (the personal graphs' "judgements" scope)
    assert _moved(v1, data_version(store)) == {"cases", "submissions", "judgements"}


def test_a_rolled_back_write_moves_nothing(store_url: str) -> None:
    store = open_store(store_url)
    v0 = data_version(store)
    with pytest.raises(RuntimeError, match="changed my mind"), store.connect() as conn:
        bump_data_version(conn, "cases")
        raise RuntimeError("changed my mind")
    assert data_version(store) == v0


def test_concurrent_writers_lose_no_step(store_url: str) -> None:
    store = open_store(store_url)
    v0 = data_version(store)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with store.connect() as conn:
                    bump_data_version(conn, "cases", "traffic")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    v1 = data_version(store)
    assert (
        v1["cases"] - v0["cases"],
        v1["traffic"] - v0["traffic"],
        v1["judgements"] - v0["judgements"],
    ) == (
        40,
        40,
        0,
    )


def test_unknown_scopes_and_missing_rows_are_refused(store_url: str) -> None:
    store = open_store(store_url)
    with pytest.raises(ValueError, match="scopes must be some of"), store.connect() as conn:
        bump_data_version(conn, "photos")
    with store.connect() as conn:
        conn.execute(sa.delete(DATA_VERSIONS).where(DATA_VERSIONS.c.scope == "traffic"))
    with pytest.raises(RuntimeError, match="migrate it"), store.connect() as conn:
        bump_data_version(conn, "traffic")
    with pytest.raises(KeyError, match="no data version for 'traffic'"):
        data_version(store)["traffic"]


def test_reading_the_version_is_one_query(store_url: str) -> None:
    store = open_store(store_url)
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    data_version(store)
    assert len(seen) == 1 and "data_versions" in seen[0]
