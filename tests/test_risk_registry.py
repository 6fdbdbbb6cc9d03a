"""Indicators in the store (SQLite and PostgreSQL): versions, the four-eyes review, the audit trail,
imports that are all or nothing, and the migration matching the models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.config import Settings
from workbench.identity import local_principal
from workbench.risk import registry as reg
from workbench.risk.interchange import indicators_to_yaml, read_indicators
from workbench.risk.model import Indicator, parse_condition
from workbench.store import AuditEntry, open_store

ANN = local_principal(Settings.from_env({"WORKBENCH_USER": "ann", "WORKBENCH_ROLE": "analyst"}))
BOB = local_principal(Settings.from_env({"WORKBENCH_USER": "bob", "WORKBENCH_ROLE": "rilo"}))
CAROL = local_principal(Settings.from_env({"WORKBENCH_USER": "carol", "WORKBENCH_ROLE": "admin"}))
VIEWER = local_principal(Settings.from_env({"WORKBENCH_USER": "vic", "WORKBENCH_ROLE": "viewer"}))
SAMPLE = Path(__file__).parents[1] / "sample_data" / "indicators" / "sample-indicators.yaml"

RI = Indicator(
    "RI-030",
    "Heroin by road",
    "general_high_risk",
    parse_condition(
        {
            "all": [
                {"field": "transport_mode", "op": "eq", "value": "road"},
                {"field": "departure_country", "op": "eq", "value": "AF"},
            ]
        }
    ),
    30,
)


def test_versions_and_the_four_eyes_review(store_url: str) -> None:
    store = open_store(store_url)
    v1 = reg.save_version(store, RI, ANN, note="first draft")
    assert (v1.version, v1.status, v1.author) == (1, "draft", "ann")
    with pytest.raises(reg.ReviewError, match="nothing changed since v1"):
        reg.save_version(store, RI, ANN)
    with pytest.raises(reg.ReviewError, match="no version is in review"):
        reg.approve(store, "RI-030", BOB)
    reg.submit(store, "RI-030", ANN)
    with pytest.raises(reg.ReviewError, match="ann wrote this version; someone else must approve it"):
        reg.approve(store, "RI-030", ANN)
    with pytest.raises(reg.ReviewError, match="vic \\(viewer\\) may not approve"):
        reg.approve(store, "RI-030", VIEWER)
    assert reg.approve(store, "RI-030", BOB, comment="ok").status == "active"
    assert [i.version for i in reg.active_indicators(store)] == [1]

    # a new version is a draft; v1 stays in force until v2 is approved
    v2 = reg.save_version(store, RI.with_(weight=45.0), ANN)
    assert (v2.version, v2.status) == (2, "draft")
    assert reg.active_indicators(store)[0].version == 1
    reg.submit(store, "RI-030", ANN)
    with pytest.raises(reg.ReviewError, match="v2 is in review; withdraw it"):
        reg.save_version(store, RI.with_(weight=50.0), ANN)
    with pytest.raises(reg.ReviewError, match="comment is required"):
        reg.reject(store, "RI-030", BOB, comment=" ")
    with pytest.raises(reg.ReviewError, match="withdraw it instead"):
        reg.reject(store, "RI-030", ANN, comment="no")
    assert reg.reject(store, "RI-030", BOB, comment="weight too high").status == "draft"
    reg.submit(store, "RI-030", ANN)
    with pytest.raises(reg.ReviewError, match="only its author"):
        reg.withdraw(store, "RI-030", BOB)
    assert reg.approve(store, "RI-030", CAROL).reviewer == "carol"
    versions = reg.indicator_versions(store, "RI-030")
    assert [(v.version, v.status, v.reviewer) for v in versions] == [
        (1, "retired", "bob"),
        (2, "active", "carol"),
    ]
    assert versions[1].weight == 45 and versions[0].weight == 30

    listing = reg.list_indicators(store)
    row = listing.set_index("id").loc["RI-030"]
    assert (row["version"], row["status"], row["active_version"]) == (2, "active", 2)
    reg.retire(store, "RI-030", BOB, comment="route closed")
    assert reg.active_indicators(store) == []
    with pytest.raises(reg.ReviewError, match="no version is active"):
        reg.retire(store, "RI-030", BOB)

    log = reg.review_log(store, "RI-030")
    assert log["action"].tolist()[::-1] == [
        "saved", "submitted", "approved", "saved", "submitted", "rejected", "submitted", "retired", "approved", "retired",
    ]  # fmt: skip
    with store.engine.connect() as conn:
        audited = conn.execute(
            sa.select(AuditEntry.user, AuditEntry.action, AuditEntry.details)
            .where(AuditEntry.action.like("risk.%"))
            .order_by(AuditEntry.id)
        ).fetchall()
    assert len(audited) == len(log)
    assert audited[2][:2] == ("bob", "risk.indicator_approved")
    assert json.loads(audited[5][2])["comment"] == "weight too high"


def test_viewers_cannot_write(store_url: str) -> None:
    store = open_store(store_url)
    with pytest.raises(reg.ReviewError, match="vic \\(viewer\\) may not draft and edit risk indicators"):
        reg.save_version(store, RI, VIEWER)
    assert reg.list_indicators(store).empty


def test_import_keeps_reviewed_status_and_is_all_or_nothing(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    inds = read_indicators(SAMPLE)
    summary = reg.import_indicators(store, inds, ANN, source="sample-indicators.yaml")
    assert len(summary.saved) == len(inds) and not summary.unchanged
    statuses = reg.list_indicators(store).set_index("id")["status"].to_dict()
    assert (
        statuses["RI-017"] == "active" and statuses["RI-090"] == "in_review" and statuses["RI-099"] == "draft"
    )
    ri17 = reg.get_indicator(store, "RI-017")
    assert (ri17.author, ri17.reviewer) == ("m.diallo", "a.kowalski")
    # an "active" claim without a reviewer other than the author arrives as a draft
    claimed = RI.with_(id="RI-900", status="active", author="ann", reviewer="ann")
    reg.import_indicators(store, [claimed], ANN, source="x.yaml")
    assert reg.get_indicator(store, "RI-900").status == "draft"
    # the same file again changes nothing
    again = reg.import_indicators(store, inds, BOB, source="sample-indicators.yaml")
    assert not again.saved and len(again.unchanged) == len(inds)
    # RI-090 is in review: a file changing it (and RI-017) is refused whole
    changed = [i.with_(weight=i.weight + 1) if i.id in ("RI-090", "RI-017") else i for i in inds]
    before = len(reg.indicator_versions(store, "RI-017"))
    with pytest.raises(reg.ReviewError, match="import refused, nothing stored:\nRI-090 v1 is in review"):
        reg.import_indicators(store, changed, BOB, source="changed.yaml")
    assert len(reg.indicator_versions(store, "RI-017")) == before
    # export and import round trip
    exported = tmp_path / "out.yaml"
    exported.write_text(indicators_to_yaml(reg.latest_indicators(store)))
    assert {i.id for i in read_indicators(exported)} == {i.id for i in inds} | {"RI-900"}


def test_migration_matches_the_models(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import workbench.risk.registry  # noqa: F401  (declares the indicator tables)
    import workbench.risk.traffic  # noqa: F401  (declares the traffic table)
    from workbench.store import Base

    store = open_store(store_url)
    mine = {"risk_indicators", "risk_indicator_versions", "risk_reviews", "traffic"}
    with store.engine.connect() as conn:
        assert mine <= set(sa.inspect(conn).get_table_names())
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diffs if any(t in repr(d) for t in mine)]
    assert not ours, ours
