"""The one search box on the Cases and Network pages (AppTest), and ``workbench search``."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.conftest import single_record_phone, workbench_cli


def _select(at, key: str, row: int) -> None:  # type: ignore[no-untyped-def]
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}


def _audited(url: str, role: str | None = None) -> list[dict[str, object]]:
    """The search entries of the store (of ``role``'s searches if given: the copied store may hold
    entries of other tests' searches in the store it was copied from)."""
    from workbench.store import AuditEntry, open_store

    stmt = sa.select(AuditEntry.details).where(AuditEntry.action == "search")
    if role is not None:
        stmt = stmt.where(AuditEntry.role == role)
    with open_store(url).engine.connect() as c:
        rows = c.execute(stmt).all()
    return [json.loads(r[0]) for r in rows]


def test_cases_page_finds_a_phone_on_one_case_and_opens_it(store_copy: str, small_sample, open_app) -> None:  # type: ignore[no-untyped-def]
    phone, rc, cid = single_record_phone(small_sample)
    at = open_app(store_copy, "pages/cases.py")
    at.text_input(key="case_search").set_value(" " + phone.replace(" ", "-") + " ").run()
    assert not at.exception, at.exception
    hits = at.dataframe[0].value
    assert hits.iloc[0]["kind"] == "phone" and hits.iloc[0]["cases"] == 1
    assert _audited(store_copy)[-1]["terms"] == phone.replace(" ", "-")
    n_audited = len(_audited(store_copy))
    _select(at, "case_search_hits", 0)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["_workbench_state"].selected_case == (rc, cid)
    assert any(s.value.startswith(f"Case {cid}") for s in at.subheader)
    assert len(_audited(store_copy)) == n_audited  # a rerun does not search (nor audit) again


def test_cases_page_finds_a_last_name(store_copy: str, small_sample, open_app) -> None:  # type: ignore[no-untyped-def]
    last = str(small_sample.tables["persons"]["last_name"].dropna().iloc[0])
    at = open_app(store_copy, "pages/cases.py")
    at.text_input(key="case_search").set_value(last.upper()).run()
    assert not at.exception, at.exception
    hits = at.dataframe[0].value
    assert "person" in set(hits["kind"])
    assert hits.iloc[0]["cases"] >= 1


def test_cases_page_for_a_viewer_finds_no_person(store_copy: str, small_sample, open_app) -> None:  # type: ignore[no-untyped-def]
    phone, _rc, _cid = single_record_phone(small_sample)
    at = open_app(store_copy, "pages/cases.py", role="viewer")
    at.text_input(key="case_search").set_value(phone).run()
    assert not at.exception, at.exception
    shown = [d.value for d in at.dataframe]
    assert not any(isinstance(v, pd.DataFrame) and "phone" in set(v.get("kind", [])) for v in shown)
    assert _audited(store_copy, role="viewer") == []


def test_network_page_opens_a_phone_seen_on_one_case(store_copy: str, small_sample, open_app) -> None:  # type: ignore[no-untyped-def]
    phone, rc, cid = single_record_phone(small_sample)
    at = open_app(store_copy, "pages/network.py", timeout=180)
    at.text_input(key="net_seed_text").set_value(phone).run()
    assert not at.exception, at.exception
    ex = at.session_state["_workbench_state"].extras
    assert ex["network.seed"].startswith("phone:")
    # the entity card: the phone's one case
    assert any(re.search(r"phone · 1 case\b", m.value) for m in at.markdown)
    assert any(
        cid in str(d.value.get("case_id", pd.Series()).tolist())
        for d in at.dataframe
        if isinstance(d.value, pd.DataFrame)
    )


def test_cases_page_sends_a_hit_to_the_network(store_copy: str, small_sample, open_app) -> None:  # type: ignore[no-untyped-def]
    from workbench.format.schema import FORMAT

    # a phone two persons share (the planted network): a hit with two cases
    net = next(n for n in small_sample.truth["networks"] if n["kind"] == "shared_phone")
    at = open_app(store_copy, "pages/cases.py", timeout=180)
    at.text_input(key="case_search").set_value(net["shared"]["phone"]).run()
    _select(at, "case_search_hits", 0)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["_workbench_state"].selected_case is None  # more than one case: listed
    at.button(key="case_hit_to_net").click().run()
    assert not at.exception, at.exception
    ex = at.session_state["_workbench_state"].extras
    assert ex["network.seed"] == "phone:" + FORMAT.table("persons").column("phone").normal_form(
        net["shared"]["phone"]
    ) or ex["network.seed"].startswith("phone:")


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_cli_search(store_copy: str, small_sample, role: str) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    phone, rc, cid = single_record_phone(small_sample)
    if role == "analyst":
        out = workbench_cli("search", phone, "--limit", "5", db=store_copy)
        assert out.returncode == 0, out.stderr
        first = out.stdout.splitlines()[1]
        assert "phone" in first and "exact" in first and f"{rc}:{cid}" in first
        assert _audited(store_copy)[-1]["terms"] == phone
        kinds = workbench_cli("search", cid, "--kind", "case", db=store_copy)
        assert kinds.returncode == 0 and all(
            line.split()[0] == "case" for line in kinds.stdout.splitlines()[1:] if line.strip()
        )
    else:
        env = {**os.environ, "WORKBENCH_DB_URL": store_copy, "WORKBENCH_ROLE": "viewer"}
        out = subprocess.run(
            [sys.executable, "-m", "workbench", "search", phone, "--db", store_copy],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 1, out.stdout + out.stderr  # nothing found: exit 1
        assert "phone" not in out.stdout
        assert _audited(store_copy, role="viewer") == []
