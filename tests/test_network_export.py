"""Network downloads are personal exports: legal basis, role and an audit entry for each."""

from __future__ import annotations

import io
import json

import networkx as nx
import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.config import Settings
from workbench.exchange.exports import ExportRefused
from workbench.identity import local_principal
from workbench.network.export import graph_bytes, personal_kinds
from workbench.network.graph import build_graph
from workbench.store import AuditEntry, open_store
from workbench.store.filters import CaseFilter

ANALYST = local_principal(Settings.from_env({"WORKBENCH_ROLE": "analyst", "WORKBENCH_USER": "ana"}))
RILO = local_principal(Settings.from_env({"WORKBENCH_ROLE": "rilo", "WORKBENCH_USER": "rita"}))
VIEWER = local_principal(Settings.from_env({"WORKBENCH_ROLE": "viewer", "WORKBENCH_USER": "vic"}))


@pytest.fixture()
def graphs() -> dict[str, object]:
    cases = pd.DataFrame(
        {
            "reporting_country": ["FR", "DE"],
            "case_id": ["C1", "C2"],
            "conveyance_type": ["aircraft", "aircraft"],
            "conveyance_id": ["AF12", "AF 012"],
        }
    )
    persons = pd.DataFrame(
        {
            "reporting_country": ["FR", "DE"],
            "case_id": ["C1", "C2"],
            "person_id": ["P1", "P2"],
            "first_name": ["Ana", "Bo"],
            "last_name": ["Silva", "Berg"],
            "role": ["courier", "courier"],
            "phone": ["+234 803 123 4567", "+234 803 123 4567"],
        }
    )
    return {"personal": build_graph(cases, persons), "plain": build_graph(cases, personal_conveyances=False)}


def _audit(store) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(AuditEntry.user, AuditEntry.role, AuditEntry.action, AuditEntry.details)
        )
        return [
            {"user": u, "role": r, "action": a, **json.loads(d or "{}")}
            for u, r, a, d in rows
            if a == "export.graph"
        ]


@pytest.mark.parametrize("fmt", ["graphml", "i2"])
def test_personal_network_needs_a_legal_basis_and_is_audited(graphs, tmp_path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    g = graphs["personal"]
    assert personal_kinds(g) == ["person", "phone"]
    with pytest.raises(ExportRefused, match="legal basis"):
        graph_bytes(store, g, fmt, actor=ANALYST)
    with pytest.raises(ExportRefused, match="legal basis"):
        graph_bytes(store, g, fmt, legal_basis="   ", actor=ANALYST)
    assert _audit(store) == []  # refused: nothing written, nothing audited
    flt = CaseFilter(reporting_countries=("FR", "DE"))
    data, name, counts = graph_bytes(store, g, fmt, flt, legal_basis="MAA FR-DE art. 4", actor=ANALYST)
    assert name.endswith(".graphml" if fmt == "graphml" else ".xlsx") and len(data) > 100
    if fmt == "graphml":
        assert "person:FR:C1:P1" in nx.read_graphml(io.BytesIO(data)).nodes
    (entry,) = _audit(store)
    assert entry["user"] == "ana" and entry["role"] == "analyst"
    assert entry["format"] == fmt and entry["legal_basis"] == "MAA FR-DE art. 4"
    assert entry["nodes"] == len(g) == sum(counts.values()) and entry["links"] == len(g.edges)
    assert entry["counts"]["person"] == 2 and entry["personal"] == ["person", "phone"]
    assert "FR" in entry["filter_text"]


def test_viewer_gets_no_personal_network(graphs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(ExportRefused, match="may not export"):
        graph_bytes(store, graphs["personal"], "graphml", legal_basis="MAA art. 4", actor=VIEWER)
    # the non-personal graph (cases and flights) downloads without a basis, and is audited too
    plain = graphs["plain"]
    assert personal_kinds(plain) == []
    with pytest.raises(ExportRefused, match="vic \\(viewer\\) may not export cases and figures"):
        graph_bytes(store, plain, "graphml", actor=VIEWER)  # the matrix: a viewer exports nothing
    data, _, counts = graph_bytes(store, plain, "graphml", actor=RILO)
    assert set(nx.read_graphml(io.BytesIO(data)).nodes) == set(plain.nodes["node_id"])
    assert set(counts) == {"case", "conveyance"}
    (entry,) = _audit(store)
    assert (
        entry["role"] == "rilo"
        and entry["personal"] == []
        and entry["legal_basis"].startswith("non-personal")
    )
