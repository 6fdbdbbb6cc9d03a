"""Data Docs of a submission: GX's own pages, as a static site that makes no outside request."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from data_quality.datadocs import EXTERNAL, offline_html, write_data_docs
from data_quality.engine import PandasEngine
from data_quality.validate import validate_path
from workbench.cli import main
from workbench.exchange.files import write_dataset


def _dataset(tmp_path: Path) -> Path:
    import pandas as pd

    cases = pd.DataFrame(
        {
            "case_id": ["A", "B"],
            "reporting_country": ["FR", "FR"],
            "seizure_date": ["2024-01-02", "2024-01-05"],
            "entry_date": ["2024-01-03", "2024-01-01"],
        }
    )
    write_dataset({"cases": cases}, tmp_path / "ds")
    return tmp_path / "ds"


def _assert_offline(html: str) -> None:
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert not re.search(r"<(script|link|img)\b", html, flags=re.I)
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html, flags=re.I)


def test_site_is_offline_and_shows_the_failure(tmp_path: Path) -> None:
    res = validate_path(_dataset(tmp_path), engine=PandasEngine())
    index = write_data_docs(res, tmp_path / "docs", title="test")
    pages = sorted(p.name for p in index.parent.iterdir())
    assert pages == ["cases.html", "index.html"]
    for p in index.parent.iterdir():
        _assert_offline(p.read_text(encoding="utf-8"))
    cases = (index.parent / "cases.html").read_text(encoding="utf-8")
    assert "entry date is before the seizure date" in cases
    assert "index.html" in cases  # the way home stays inside the site


def test_cli_writes_docs_and_stored_run_zips(tmp_path: Path, quality_store: str) -> None:
    assert main(["validate", str(_dataset(tmp_path)), "--docs", str(tmp_path / "site"), "--quiet"]) == 1
    assert (tmp_path / "site" / "index.html").exists()
    from data_quality.reports import data_docs_for_run, submission_report
    from workbench.store import open_store

    store = open_store(quality_store)
    run = submission_report(store, 2, personal_allowed=True).run
    z = zipfile.ZipFile(
        io.BytesIO(data_docs_for_run(store, run["id"], "submission 2", personal_allowed=False))
    )
    names = set(z.namelist())
    assert {"data-docs/index.html", "data-docs/cases.html", "data-docs/items.html"} <= names
    for n in names:
        _assert_offline(z.read(n).decode("utf-8"))


def test_offline_html_strips_every_outside_reference() -> None:
    page = (
        '<html><head><link href="https://cdn.x/a.css" rel="stylesheet"><script src="//cdn.x/j.js"></script>'
        "<style>.a{background:url('https://x.y/i.png')}</style></head>"
        '<body><img src="https://x.y/logo.png"><a href="https://greatexpectations.io">GX</a>'
        "<script>$('.x').modal()</script><footer>news <a href='https://x.y'>x</a></footer></body></html>"
    )
    out = offline_html(page)
    _assert_offline(out)
    assert "<a>GX</a>" in out and "<style>" in out


def test_a_stored_run_comes_back_with_none_where_nothing_was_stored(tmp_path: Path) -> None:
    # one rule that erred beside one that did not, a failing row without a value beside one with: the
    # others read back as None, not NaN (which the report shows as a value and counts as an error)
    import datetime as dt

    from data_quality.models import DQFailingRow, DQResult, DQRun
    from data_quality.reports import results_for_run
    from workbench.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'runs.db'}")
    rule = {"table_name": "cases", "severity": "critical", "dimension": "validity", "stage": "gate"}
    with store.session() as s:
        run = DQRun(
            kind="store",
            engine="test",
            started_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            seconds=1.0,
            rows_total=2,
            critical_rows=2,
            warning_rows=0,
            summary='{"rows": {"cases": 2}}',
        )
        s.add(run)
        s.flush()
        ok = DQResult(
            run_id=run.id,
            expectation="not_null",
            column_name="case_id",
            element_count=2,
            unexpected_count=2,
            success=False,
            problem="p",
            fix="f",
            **rule,
        )
        erred = DQResult(
            run_id=run.id,
            expectation="custom",
            column_name="remarks",
            element_count=2,
            unexpected_count=0,
            success=False,
            problem="p",
            fix="f",
            error="boom",
            sheet="Cases",
            **rule,
        )
        s.add_all([ok, erred])
        s.flush()
        s.add_all(
            [
                DQFailingRow(result_id=ok.id, run_id=run.id, row_number=2, value="x", case_id="A"),
                DQFailingRow(result_id=ok.id, run_id=run.id, row_number=None, value=None, case_id=None),
            ]
        )
        run_id = run.id
    res = results_for_run(store, run_id, personal_allowed=True)
    assert res.rows_read == {"cases": 2}
    by_column = {rr.rule.column: rr for rr in res.results.values()}
    assert by_column["remarks"].error == "boom" and by_column["case_id"].error is None
    assert by_column["remarks"].where == "Cases" and by_column["case_id"].where == ""
    assert [(f.row, f.value, f.case_id) for f in by_column["case_id"].failures] == [
        (2, "x", "A"),
        (None, None, None),
    ]
