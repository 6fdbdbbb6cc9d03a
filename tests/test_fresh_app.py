"""Fresh data everywhere: every cache of the app keys on the store's data version, the version is read
once per run, and a page shows what another process wrote on its next run, without a restart."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, fresh_dataset, workbench_cli

#: Cached functions whose value comes from no store: the store itself, an uploaded file (by its digest).
NOT_STORE_DATA = {("resources.py", "_store"), ("risk.py", "_read_upload")}


def _cached_functions() -> list[tuple[str, ast.FunctionDef]]:
    out = []
    for path in sorted((ROOT / "workbench" / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                "cache_data" in ast.unparse(d) or "cache_resource" in ast.unparse(d)
                for d in node.decorator_list
            ):
                out.append((path.name, node))
    return out


def test_every_cache_keys_on_the_data_version() -> None:
    found = _cached_functions()
    assert len(found) >= 30  # the walk sees the app's caches
    missing = [
        f"{name}:{fn.name}"
        for name, fn in found
        if (name, fn.name) not in NOT_STORE_DATA and "version" not in [a.arg for a in fn.args.args]
    ]
    assert not missing, f"cached without the data version (a page would show old data): {missing}"
    # and no second mechanism: nothing clears a cache by hand any more
    cleared = [
        p.name
        for p in (ROOT / "workbench" / "ui").glob("*.py")
        if re.search(r"\.clear\(\)", p.read_text(encoding="utf-8"))
    ]
    assert not cleared, cleared


def test_the_ui_and_pages_hold_no_sql() -> None:
    """SQL lives in the core; the app reads the store through library functions."""
    offenders = []
    for path in [*(ROOT / "workbench" / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        imports_sa = any(
            (isinstance(n, ast.Import) and any(a.name.startswith("sqlalchemy") for a in n.names))
            or (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("sqlalchemy"))
            for n in ast.walk(ast.parse(text))
        )
        if imports_sa or ".engine.connect(" in text or ".engine.begin(" in text:
            offenders.append(rel)
    assert not offenders, offenders


def test_the_version_is_read_once_per_run(store_copy: str, open_app) -> None:
    reads: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().startswith("SELECT data_versions.scope, data_versions.version"):
            reads.append(statement)  # the reading of the version (the graph's own state checks are not it)

    app = open_app(store_copy, "pages/routes.py", timeout=120)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        app.run()
        assert not app.exception, app.exception
        assert len(reads) == 1  # the sidebar, the map, hubs, emerging routes and flows share one reading
        app.switch_page("pages/network.py")
        app.run()
        assert len(reads) == 2
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def _cli(*args: str, db: str) -> None:
    out = workbench_cli(*args, db=db)
    assert out.returncode == 0, out.stdout + out.stderr


def _routes_cases(app: AppTest) -> int:
    caption = next(c.value for c in app.caption if re.search(r"\*\*: [\d,]+ cases", c.value))
    return int(re.search(r"\*\*: ([\d,]+) cases", caption).group(1).replace(",", ""))  # type: ignore[union-attr]


def _metric(app: AppTest, label: str) -> int:
    return int(next(m.value for m in app.metric if m.label == label).replace(",", ""))


def test_pages_show_what_another_process_imported(store_copy: str, tmp_path: Path, open_app) -> None:
    """Routes, Network, Overview and Submissions, each drawn once (so their caches are warm), then a
    data set imported by the command line in another process: every page shows it on its next run."""
    from workbench.exchange.files import write_dataset

    app = open_app(store_copy, "pages/routes.py", timeout=120)
    routes_before = _routes_cases(app)
    pages = {
        "pages/network.py": lambda a: _metric(a, "Cases"),
        "pages/overview.py": lambda a: _metric(a, "Cases"),
        "pages/submissions.py": lambda a: _metric(a, "Submissions"),
    }
    before = {}
    for page, read in pages.items():
        app.switch_page(page)
        app.run()
        before[page] = read(app)

    write_dataset(fresh_dataset("FRESH-CLI", "IS", n=40), tmp_path / "fresh")  # type: ignore[arg-type]
    _cli("import", str(tmp_path / "fresh"), "--quiet", db=store_copy)

    for page, read in pages.items():
        app.switch_page(page)
        app.run()
        assert not app.exception, app.exception
        grown = 1 if page == "pages/submissions.py" else 40
        assert read(app) == before[page] + grown, page
    app.switch_page("pages/routes.py")
    app.run()
    assert _routes_cases(app) == routes_before + 40
    # the new route is on the map
    import json

    arcs = next(
        layer
        for layer in json.loads(app.get("deck_gl_json_chart")[0].proto.json)["layers"]
        if layer["id"].startswith("flows-")
    )
    assert any(a["origin"] == "IS" for a in arcs["data"])
    # and the courier on the Network page, in both fresh cases
    app.switch_page("pages/network.py")
    app.run()
    app.text_input(key="net_seed_text").set_value("Quattlebaum").run()
    assert not app.exception, app.exception
    # the import linked the new records into the graph tables and resolved them (the first time, a full
    # resolution of the store): the courier is one entity across both cases
    assert any("Zephyrin Quattlebaum** · person · 2 cases" in m.value for m in app.markdown)


def test_duplicates_and_risk_pages_follow_writes_of_other_sessions(
    store_copy: str, tmp_path: Path, open_app
) -> None:
    """A judgement recorded by another user, and traffic loaded with the command line, show on the
    next run of the Duplicates page and of the risk pages."""
    app = open_app(store_copy, "pages/entities.py", timeout=120)
    app.selectbox(key="dup_show").set_value("judged").run()
    assert any("No pair of records" in i.value for i in app.info)
    app.selectbox(key="dup_show").set_value("linked").run()
    shown = app.dataframe[0].value
    assert len(shown)
    # another user judges the first linked pair (in a process of their own)
    code = (
        "import sys; from workbench.store import open_store; from workbench.network.graph import party_frame; "
        "from workbench.network.resolve import resolve; from workbench.network.judgements import record_judgement; "
        "s = open_store(sys.argv[1]); t = party_frame(s, 'persons', personal_allowed=True); "
        "m = resolve(t, 'person').matches; p = m[m['linked']].iloc[0]; "
        "record_judgement(s, 'person', p['left_key'], p['right_key'], 'different', note='another user')"
    )
    subprocess.run([sys.executable, "-c", code, store_copy], cwd=ROOT, check=True, capture_output=True)
    app.selectbox(key="dup_show").set_value("judged").run()
    assert not app.exception, app.exception
    assert app.dataframe[0].value["Your judgement"].tolist() == ["different"]

    app.switch_page("pages/backtest.py")
    app.run()
    assert not app.exception, app.exception
    # the seeded store holds no traffic yet: the page offers the sample instead of a traffic picker
    assert not [b for b in app.selectbox if b.key == "risk_bt_source"]
    from workbench.risk.traffic import read_traffic, sample_traffic_path, write_traffic

    extra = write_traffic(read_traffic(sample_traffic_path()).frame.head(50), tmp_path / "extra.csv")
    _cli("risk", "load-traffic", str(extra), "--source", "extra traffic", db=store_copy)
    app.run()
    assert not app.exception, app.exception
    assert app.selectbox(key="risk_bt_source").options == ["extra traffic · 50 rows, 1 seized"]


def test_a_store_check_from_the_submissions_page_is_listed_at_once(store_copy: str, open_app) -> None:
    """The check writes a quality run (moving the version forward); the page reruns and lists it, with
    the check's result kept for that run."""
    app = open_app(store_copy, "pages/submissions.py", timeout=120)
    assert any(c.value == "No check of the store yet." for c in app.caption)
    app.button(key="quality_store_check").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success if s.value.startswith("Checked: score")]
    assert any(m.value.startswith("**Latest check** (run") for m in app.markdown)
    app.run()  # the result is said once
    assert not [s.value for s in app.success if s.value.startswith("Checked: score")]


def test_the_admin_page_says_when_each_kind_of_data_changed(store_copy: str, open_app) -> None:
    app = open_app(store_copy, "pages/admin.py", role="admin", timeout=120)
    changes = next(d.value for d in app.dataframe if "scope" in d.value.columns).set_index("scope")["changed"]
    assert changes["cases"].endswith(" UTC")  # the seeded store was imported
    assert changes["judgements"] == "not since the store was made"
    assert "version" not in next(d.value for d in app.dataframe if "scope" in d.value.columns).columns
