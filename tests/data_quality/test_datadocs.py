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
