"""AppTest of the Network and Duplicates pages on the seeded sample."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, state_purpose

APP = str(ROOT / "app.py")


@pytest.fixture()
def app(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    state_purpose(at)  # persons and companies are shown once the purpose is stated
    return at


def _planted_member(small_sample) -> str:  # type: ignore[no-untyped-def]
    net = next(n for n in small_sample.truth["networks"] if n["kind"] == "shared_phone")
    return net["shared"]["phone"]


def test_network_page_searches_draws_and_expands(app: AppTest, small_sample) -> None:  # type: ignore[no-untyped-def]
    app.switch_page("pages/network.py")
    app.run()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Cases"].replace(",", "")) == 3000
    assert int(metrics["Persons"].replace(",", "")) > 0
    app.text_input(key="net_seed_text").set_value(_planted_member(small_sample)).run()
    assert not app.exception, app.exception
    ex = app.session_state["_workbench_state"].extras
    assert ex["network.seed"].startswith("phone:")
    # the entity card lists the couriers' cases
    assert any(re.search(r"· \d+ cases?\b", m.value) for m in app.markdown)
    before = len(ex.get("network.expanded", []))
    app.button(key="net_expand").click().run()
    assert not app.exception, app.exception
    assert len(app.session_state["_workbench_state"].extras["network.expanded"]) == before + 1


def test_network_tabs_rankings_and_communities(app: AppTest) -> None:
    app.switch_page("pages/network.py")
    app.run()
    frames = app.dataframe
    assert len(frames) >= 2  # communities and rankings tables
    assert not app.exception


def test_network_page_for_viewer_hides_personal_nodes(
    seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/network.py")
    at.run()
    assert not at.exception, at.exception
    labels = {m.label for m in at.metric}
    assert "Persons" not in labels and "Cases" in labels
    assert any("personal data" in i.value for i in at.info)


def test_network_page_asks_the_purpose_before_persons(
    seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/network.py")
    at.run()
    assert not at.exception, at.exception
    assert "Persons" not in {m.label for m in at.metric}  # not before the purpose is stated
    at.text_input(key="purpose_ref_").set_value("OP-7")
    at.text_area(key="purpose_why_").set_value("links of a seized courier")
    at.button(key="purpose_submit_").click().run()
    assert not at.exception, at.exception
    assert "Persons" in {m.label for m in at.metric}


def _writable_copy(seeded_sqlite: str, tmp_path: Path) -> str:
    """A private copy of the seeded store (the shared one is read-only); the backup API keeps WAL writes."""
    import sqlite3

    db = tmp_path / "judged.db"
    src, dst = sqlite3.connect(seeded_sqlite.removeprefix("sqlite:///")), sqlite3.connect(db)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return f"sqlite:///{db}"


def _page_on(url: str, page: str, monkeypatch: pytest.MonkeyPatch, role: str = "analyst") -> AppTest:
    """The app over ``url`` for ``role``, switched to ``page``."""
    monkeypatch.setenv("WORKBENCH_DB_URL", url)
    monkeypatch.setenv("WORKBENCH_ROLE", role)
    monkeypatch.setenv("WORKBENCH_USER", f"test-{role}")
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    state_purpose(app)
    app.switch_page(page)
    app.run()
    return app


def test_duplicates_page_confirms_a_match(
    seeded_sqlite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _writable_copy(seeded_sqlite, tmp_path)
    app = _page_on(url, "pages/entities.py", monkeypatch)
    assert not app.exception, app.exception
    assert app.title[0].value == "Duplicates"
    app.selectbox(key="dup_show").set_value("linked").run()
    assert not app.exception, app.exception
    app.button(key="dup_diff").click().run()
    assert not app.exception, app.exception
    assert any("Recorded:" in s.value and " · case " in s.value for s in app.success)  # records by name
    app.selectbox(key="dup_show").set_value("judged").run()
    assert not app.exception, app.exception
    assert app.dataframe[0].value["Your judgement"].tolist()[0] == "different"
    # "Judgements so far" names the records as the pairs are named, not by their raw keys (issue 15)
    judged = next(d.value for d in app.dataframe if "Decided by" in d.value.columns)
    assert judged["Judgement"].tolist()[0] == "different"
    assert " · case " in judged["Record A"].iloc[0] and ":" not in judged["Record A"].iloc[0].split(" · ")[0]
    # read back in a separate process: ADBC and sqlite3 in one process must not share a WAL file's locks
    code = (
        "import sys; from workbench.store import open_store; from workbench.network.judgements import load_judgements; "
        "print(load_judgements(open_store(sys.argv[1]), 'person'))"
    )
    out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    judged = ast.literal_eval(out.stdout.strip())
    assert len(judged) == 1 and judged[0][2] == "different"


def test_network_follows_the_shared_filter(app: AppTest) -> None:
    from workbench.store.filters import CaseFilter

    app.switch_page("pages/network.py")
    app.run()
    all_cases = int(next(m.value for m in app.metric if m.label == "Cases").replace(",", ""))
    app.session_state["_workbench_state"].filter = CaseFilter(commodity_categories=("tobacco",))
    app.run()
    assert not app.exception, app.exception
    tobacco = int(next(m.value for m in app.metric if m.label == "Cases").replace(",", ""))
    assert 0 < tobacco < all_cases
    assert "commodity category: tobacco" in app.caption[0].value


def test_large_graphs_compute_communities_when_asked(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.ui.network as ui_network

    monkeypatch.setattr(ui_network, "AUTO_ANALYSIS_NODES", 0)
    app.switch_page("pages/network.py")
    app.run()
    assert not app.exception, app.exception
    go = app.button(key="net_communities_go")
    assert "can take minutes" in go.label
    assert not any("linked groups" in c.value for c in app.caption)
    go.click().run()
    assert not app.exception, app.exception
    assert any("linked groups" in c.value for c in app.caption)


def _read_judgements(url: str) -> list[dict[str, object]]:
    """The stored judgements, read in a separate process (see test_duplicates_page_confirms_a_match)."""
    code = (
        "import sys; from workbench.store import open_store; from workbench.network.judgements import judgement_table; "
        "t = judgement_table(open_store(sys.argv[1])); "
        "print(t[['left_key', 'right_key', 'decision', 'note']].astype(str).to_json(orient='records'))"
    )
    out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_duplicates_note_is_saved_with_its_own_judgement(
    seeded_sqlite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note typed for a pair is stored with that pair's judgement, even when it is typed and the
    button clicked in one go (one rerun), and it does not carry over to the next pair."""
    url = _writable_copy(seeded_sqlite, tmp_path)
    app = _page_on(url, "pages/entities.py", monkeypatch)
    app.selectbox(key="dup_show").set_value("linked").run()
    assert not app.exception, app.exception
    # type the note and click in the same rerun, as a quick user does
    app.text_input(key="dup_note").set_value("same passport photo")
    app.button(key="dup_same").click().run()
    assert not app.exception, app.exception
    first = _read_judgements(url)
    assert len(first) == 1
    assert first[0]["decision"] == "same" and first[0]["note"] == "same passport photo"
    # judge again with a new note: the new note is stored, not the one of the earlier run
    app.text_input(key="dup_note").set_value("different birth years")
    app.button(key="dup_diff").click().run()
    assert not app.exception, app.exception
    judged = _read_judgements(url)
    by_pair = {(j["left_key"], j["right_key"]): j for j in judged}
    latest = by_pair[(first[0]["left_key"], first[0]["right_key"])] if len(by_pair) == 1 else judged[0]
    assert latest["note"] == "different birth years"
    assert latest["decision"] == "different"


def _graph_audit(url: str) -> list[dict[str, object]]:
    code = (
        "import sys, json, sqlalchemy as sa; from workbench.store import open_store, AuditEntry; "
        "s = open_store(sys.argv[1]); c = s.engine.connect(); "
        "rows = c.execute(sa.select(AuditEntry.user, AuditEntry.role, AuditEntry.details)"
        ".where(AuditEntry.action == 'export.graph')).fetchall(); "
        "print(json.dumps([{'user': u, 'role': r, **json.loads(d)} for u, r, d in rows]))"
    )
    out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("role", ["analyst", "rilo", "viewer"])
def test_network_download_asks_a_legal_basis_and_is_audited(
    seeded_sqlite: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_sample, role: str
) -> None:  # type: ignore[no-untyped-def]
    url = _writable_copy(seeded_sqlite, tmp_path)
    app = _page_on(url, "pages/network.py", monkeypatch, role)
    seed = _planted_member(small_sample) if role == "analyst" else "C"  # rilo and viewer: a case
    app.text_input(key="net_seed_text").set_value(seed).run()
    assert not app.exception, app.exception
    if role == "viewer":  # the matrix: a viewer exports nothing, so the page offers no download
        assert not [b for b in app.button if b.key == "net_dl_prepare"]
        assert any("may not export" in c.value for c in app.caption)
        assert _graph_audit(url) == []
        return
    app.button(key="net_dl_prepare").click().run()
    assert not app.exception, app.exception
    if role == "analyst":
        # persons are personal data: no download without a legal basis, and nothing audited
        assert any("legal basis" in e.value for e in app.error)
        assert _graph_audit(url) == []
        app.text_input(key="net_dl_basis").set_value("MAA FR-ES 2019, art. 4").run()
        app.button(key="net_dl_prepare").click().run()
        assert not app.exception, app.exception
    assert not app.error
    (entry,) = _graph_audit(url)
    assert entry["user"] == f"test-{role}" and entry["format"] == "graphml"
    assert int(entry["nodes"]) > 1
    if role == "analyst":
        assert entry["legal_basis"] == "MAA FR-ES 2019, art. 4" and "person" in entry["personal"]
    else:  # the RILO's graph holds no personal node: no person, company, identifier or plate leaves
        assert entry["personal"] == [] and "person" not in entry["counts"]


def test_path_tab_names_entities_and_counts_links(app: AppTest, small_sample) -> None:  # type: ignore[no-untyped-def]
    net = next(n for n in small_sample.truth["networks"] if n["kind"] == "shared_phone")
    (c1, _), (c2, _) = net["case_keys"][0], net["case_keys"][1]
    app.switch_page("pages/network.py")
    app.run()
    # the ends are found with the page's one search (ranked hits; the best one in the graph is taken)
    app.text_input(key="net_path_a").set_value(net["case_keys"][0][1]).run()
    app.text_input(key="net_path_b").set_value(net["case_keys"][1][1]).run()
    assert not app.exception, app.exception
    (found,) = [s.value for s in app.success]
    # case - person - phone - person - case: four links, named by their labels, no raw ids
    assert found.startswith("Linked by 4 links (3 entities in between): ")
    assert "case:" not in found and "person:" not in found and "phone:" not in found
    assert f"{net['case_keys'][0][1]} ({c1}) (case)" in found and f"({c2}) (case)" in found


def test_path_tab_starts_from_a_phone_on_one_record(app: AppTest, small_sample) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: the path's ends come from the search everything, so an identifier the graph left out
    (one record holds it) is an end too: phone - person - case."""
    from tests.conftest import single_record_phone

    phone, rc, cid = single_record_phone(small_sample)
    app.switch_page("pages/network.py")
    app.run()
    app.text_input(key="net_path_a").set_value(phone).run()
    app.text_input(key="net_path_b").set_value(cid).run()
    assert not app.exception, app.exception
    (found,) = [s.value for s in app.success]
    assert found.startswith("Linked by 2 links (1 entity in between): ") and f"{cid} ({rc}) (case)" in found


def test_duplicates_page_labels_are_readable(app: AppTest) -> None:
    app.switch_page("pages/entities.py")
    app.run()
    assert not app.exception, app.exception
    pairs, fields = app.dataframe[0].value, app.dataframe[1].value
    assert list(pairs.columns) == ["Record A", "Record B", "Match score", "Linked", "Your judgement", "Why"]
    assert pairs["Record A"].str.contains(r" · case .+ \(\w\w\)$").all()  # a name and its case
    assert list(fields.columns) == ["Field", "Record A", "Record B"]
    assert not fields["Field"].str.contains("_").any() and "First name" in fields["Field"].tolist()
    assert app.slider(key="dup_range").label == "Match score" and "0 (nothing in common)" in str(
        app.slider(key="dup_range").help
    )


# ------------------------------------------------------------- labels the format declares
def test_node_kinds_are_drawn_and_counted_as_the_format_declares_them() -> None:
    from workbench.format.schema import FORMAT
    from workbench.ui.network import KIND_COLOURS, PARTY_KINDS, kind_plural, legend_html

    assert list(KIND_COLOURS) == list(FORMAT.nodes)
    for name, node in FORMAT.nodes.items():
        assert KIND_COLOURS[name] == node.colour and kind_plural(name) == node.plural
    assert PARTY_KINDS == tuple(FORMAT.party_tables.values()) == ("person", "company")
    assert f"color:{FORMAT.nodes['phone'].colour}'>●</span> phone" in legend_html({"case": 1, "phone": 2})


def test_records_are_named_by_the_format_captions_and_compared_without_the_stored_columns() -> None:
    import pandas as pd

    from workbench.ui.network import compare_records, review_table

    persons = pd.DataFrame(
        {
            "reporting_country": ["FR", "NL"],
            "case_id": ["C1", "C2"],
            "first_name": [" Ana ", None],
            "last_name": ["Silva", None],
            "submission_id": [3, 4],
            "extra": ['{"local": 1}', None],
            "dq_flags": [None, "[]"],
        }
    )
    pairs = pd.DataFrame(
        {
            "left": [0],
            "right": [1],
            "score": [0.7],
            "linked": [True],
            "decision": [None],
            "explanation": ["x"],
        }
    )
    table = review_table(persons, "person", pairs)
    assert table[["Record A", "Record B"]].iloc[0].tolist() == [
        "Ana Silva · case C1 (FR)",
        "(no name) · case C2 (NL)",
    ]
    companies = persons.assign(name=["ACME Ltd", ""])
    assert review_table(companies, "company", pairs)["Record A"].tolist() == ["ACME Ltd · case C1 (FR)"]
    fields = compare_records(persons, 0, 1)["Field"].tolist()
    assert fields == ["Reporting country", "Case id", "First name", "Last name"]
