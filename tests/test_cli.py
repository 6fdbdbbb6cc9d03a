"""The command line end to end: sample, import (exit codes and JSON report), seed, info."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workbench.cli import main
from workbench.format.schema import FORMAT


def test_sample_writes_every_sheet_and_column(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    assert main(["sample", "--cases", "500", "--seed", "3", "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    for name in ("cases", "items", "persons", "companies"):
        header = [c.value for c in next(wb[name].iter_rows(max_row=1))]
        assert header[: len(FORMAT.table(name).column_names)] == FORMAT.table(name).column_names
    assert wb["cases"].max_row == 501
    d = tmp_path / "dir"
    assert main(["sample", "--cases", "500", "--seed", "3", "--out", str(d)]) == 0
    assert sorted(p.name for p in d.iterdir()) == ["cases.csv", "companies.csv", "items.csv", "persons.csv"]
    assert (
        pd.read_csv(d / "cases.csv")["case_id"].tolist()
        == pd.read_excel(out, "cases", engine="calamine")["case_id"].tolist()
    )


def test_import_exit_codes_and_report(tmp_path: Path) -> None:
    book = tmp_path / "x.xlsx"
    main(["sample", "--cases", "400", "--seed", "3", "--out", str(book)])
    db = f"sqlite:///{tmp_path / 't.db'}"
    rep = tmp_path / "r.json"
    assert main(["import", str(book), "--db", db, "--json", str(rep), "--quiet"]) == 0
    r = json.loads(rep.read_text())
    assert r["accepted"]["cases"] == 400 and r["rejected"]["cases"] == 0 and r["rejections"] == []
    # again: nothing changes
    assert main(["import", str(book), "--db", db, "--json", str(rep), "--quiet"]) == 0
    from workbench.store import open_store

    counts = open_store(db).counts()
    assert counts["cases"] == 400

    # a file with some bad rows: good ones stored, each bad one reported, exit 1
    cases = pd.read_excel(book, "cases", dtype=str, engine="calamine")
    items = pd.read_excel(book, "items", dtype=str, engine="calamine")
    cases["case_id"] = cases["case_id"] + "-B"
    items["case_id"] = items["case_id"] + "-B"
    cases.loc[3, "seizure_date"] = "yesterday"
    cases.loc[7, "reporting_country"] = "Narnia"
    items.loc[0, "quantity"] = "-5"
    bad = tmp_path / "bad.xlsx"
    with pd.ExcelWriter(bad) as xw:
        cases.to_excel(xw, sheet_name="cases", index=False)
        items.to_excel(xw, sheet_name="items", index=False)
    assert main(["import", str(bad), "--db", db, "--json", str(rep), "--quiet"]) == 1
    r = json.loads(rep.read_text())
    found = {(x["table"], x["row"], x["column"]) for x in r["rejections"]}
    assert ("cases", 5, "seizure_date") in found and ("cases", 9, "reporting_country") in found
    assert ("items", 2, "quantity") in found
    # the case of item row 2 had that one item: it is refused with it (no seizure of nothing stored)
    assert any("every item of this case was refused" in x["reason"] for x in r["rejections"])
    assert r["accepted"]["cases"] == 397
    assert open_store(db).counts()["cases"] == 797


def test_generated_samples_load_beside_each_other(tmp_path: Path) -> None:
    """Issue 15: a file drawn with another seed reused the stored sample's case ids (298 of 299 "already
    stored"); a sample's ids carry its seed, or the --prefix given."""
    db = f"sqlite:///{tmp_path / 't.db'}"
    for n, extra in (
        (400, ["--seed", "3"]),
        (300, ["--seed", "4"]),
        (200, ["--seed", "3", "--prefix", "TRY1"]),
    ):
        out = tmp_path / f"{n}.xlsx"
        assert main(["sample", "--cases", str(n), *extra, "--out", str(out)]) == 0
        assert main(["import", str(out), "--db", db, "--quiet"]) == 0
    from workbench.store import open_store

    assert open_store(db).counts()["cases"] == 900
    ids = pd.read_excel(tmp_path / "200.xlsx", "cases", engine="calamine")["case_id"]
    assert ids.str.match(r"^TRY1-[A-Z]{2}-\d{4}-\d{6}$").all()
    assert main(["sample", "--cases", "5", "--prefix", "no way", "--out", str(tmp_path / "x.xlsx")]) == 2


def test_progress_counts_each_table_in_its_own_rows(small_sample_dir: Path, tmp_path: Path) -> None:
    """Issue 15: seeding 20,000 cases said "importing cases 0/3,964": the estimate came from 30 lines
    against 64 KB, and all tables shared one total. Each table now counts its rows of its rows."""
    from workbench.exchange.files import read_dataset
    from workbench.exchange.ingest import import_path
    from workbench.store import open_store

    calls: list[tuple[int, int, str]] = []
    import_path(
        small_sample_dir, open_store(f"sqlite:///{tmp_path / 'p.db'}"), progress=lambda *a: calls.append(a)
    )
    raw = read_dataset(small_sample_dir)
    for name in ("cases", "items", "persons", "companies"):
        n = len(pd.read_csv(small_sample_dir / f"{name}.csv", dtype=str))
        mine = [(d, t) for d, t, stage in calls if stage == f"importing {name}"]
        assert mine[0][0] == 0 and mine[-1] == (n, n), (name, mine)
        assert all(d <= t for d, t in mine)
        assert 0.7 * n <= raw.tables[name].approx_rows <= 1.3 * n, (name, raw.tables[name].approx_rows, n)


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("this is not a workbook")
    out = subprocess.run(
        [sys.executable, "-m", "workbench", "import", str(fake), "--db", f"sqlite:///{tmp_path}/t.db"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "fake.xlsx" in out.stderr and "not an Excel" in out.stderr
    assert main(["import", str(tmp_path / "missing"), "--db", f"sqlite:///{tmp_path}/t.db"]) == 2


def test_seed_and_info(tmp_path: Path, small_sample_dir: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A new store gets the demo administrator (its one-time password printed once) and demo accounts;
    `workbench info` then needs a signed-in account and never prints a database password."""
    from workbench.identity import accounts
    from workbench.store import open_store

    db = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["seed", "--db", db, "--path", str(small_sample_dir)]) == 0
    out = capsys.readouterr().out
    password = out.split("one-time password of 'admin': ")[1].split()[0]
    store = open_store(db)
    admin = accounts.sign_in(store, "admin", password)
    assert admin.role == "admin" and admin.organisation == "CEN-SEC"
    names = {a["name"]: a for a in accounts.list_accounts(store)}
    assert {"ana.analyst", "vic.viewer", "rita.rilo", "aud.auditor"} <= set(names)
    assert len({a["organisation"] for a in names.values()}) >= 3
    # the sample's persons and companies are resolved: the Network and Duplicates pages open on entities
    from workbench.network.incremental import resolution_state

    state = resolution_state(store)
    assert state["resolved"] and not any(state["pending"].values())
    assert main(["seed", "--db", db, "--path", str(small_sample_dir)]) == 0  # second start: reuses
    assert "already holds data" in capsys.readouterr().out
    assert main(["info", "--db", db]) == 3  # the store has accounts: nobody signed in
    monkeypatch.setenv("WORKBENCH_TOKEN", accounts.issue_token(store, "vic.viewer", by=admin))
    monkeypatch.setenv("WORKBENCH_DB_URL", "postgresql+psycopg://wb:s3cret-pw@dbhost/cen")
    assert main(["info", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "cases" in out and "signed in as: vic.viewer (viewer, account)" in out
    assert "s3cret-pw" not in out and "postgresql+psycopg://wb:***@dbhost/cen" in out


def test_seed_works_when_the_user_runs_as_a_viewer(
    tmp_path: Path, small_sample_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`WORKBENCH_ROLE=viewer make run` on a fresh machine: the installation seeds its store, while the
    viewer's own imports stay refused, and a viewer cannot re-seed (--force) a populated store: not as
    the local user, not as an account."""
    from workbench.identity import accounts
    from workbench.store import open_store

    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    db = f"sqlite:///{tmp_path / 'v.db'}"
    assert main(["seed", "--db", db, "--path", str(small_sample_dir), "--local"]) == 0
    assert main(["import", str(small_sample_dir), "--db", db]) == 3
    store = open_store(db)
    before = store.counts()
    assert main(["seed", "--db", db, "--path", str(small_sample_dir), "--force"]) == 3
    assert "(viewer) may not manage accounts, organisations, tokens and settings" in capsys.readouterr().err
    # with accounts: a viewer's token, and WORKBENCH_ROLE=admin forged beside it, grant no re-seeding
    boot = accounts.installation_principal()
    accounts.create_organisation(store, "DE-ZOLL", "German customs", "administration", by=boot)
    accounts.create_account(
        store, "boss", organisation="DE-ZOLL", roles=["admin"], password="x" * 16, by=boot
    )
    accounts.create_account(
        store, "vic", organisation="DE-ZOLL", roles=["viewer"], password="y" * 16, by=boot
    )
    monkeypatch.setenv("WORKBENCH_ROLE", "admin")
    assert main(["seed", "--db", db, "--path", str(small_sample_dir), "--force"]) == 3
    monkeypatch.setenv("WORKBENCH_TOKEN", accounts.issue_token(store, "vic", by=boot))
    assert main(["seed", "--db", db, "--path", str(small_sample_dir), "--force"]) == 3
    assert "vic (viewer) may not manage accounts" in capsys.readouterr().err
    assert store.counts() == before
