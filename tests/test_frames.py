"""Analysis frames: the same rows on SQLite and PostgreSQL, through ADBC and the SQLAlchemy fallback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.exchange.ingest import import_path
from workbench.store import open_store
from workbench.store.filters import CaseFilter
from workbench.store.frames import case_frame, seizure_frame


@pytest.fixture()
def store(store_url: str, small_sample_dir: Path):  # type: ignore[no-untyped-def]
    s = open_store(store_url)
    import_path(small_sample_dir, s)
    return s


def test_frames_match_the_tables(store, small_sample) -> None:  # type: ignore[no-untyped-def]
    cases, items = small_sample.tables["cases"], small_sample.tables["items"]
    cf = case_frame(store)
    assert len(cf) == len(cases) and cf["case_key"].is_unique
    sf = seizure_frame(store)
    with_items = items[["reporting_country", "case_id"]].drop_duplicates()
    assert len(sf) == len(items) + (len(cases) - len(with_items))
    assert sf["quantity"].sum() == pytest.approx(items["quantity"].sum())
    assert isinstance(sf["transport_mode"].dtype, pd.CategoricalDtype)
    assert str(sf["seizure_date"].dtype).startswith("datetime64")
    assert sf["seizure_date"].min() == pd.Timestamp(cases["seizure_date"].min())


def test_filter_narrows_rows_and_items(store, small_sample) -> None:  # type: ignore[no-untyped-def]
    flt = CaseFilter(
        commodity_categories=("drugs",), date_from="2023-01-01", reporting_countries=("ES", "NL")
    )
    sf = seizure_frame(store, flt)
    assert len(sf) > 0
    assert set(sf["commodity_category"].dropna()) == {"drugs"}
    assert (sf["seizure_date"] >= "2023-01-01").all()
    assert set(sf["reporting_country"]) <= {"ES", "NL"}
    # the same cases as the filter's pandas engine picks
    c, i = small_sample.tables["cases"], small_sample.tables["items"]
    expected = flt.apply(c, i)
    assert set(sf["case_key"]) == set(expected["reporting_country"] + ":" + expected["case_id"])


def test_quotes_in_filter_values_are_data_not_sql(store) -> None:  # type: ignore[no-untyped-def]
    assert case_frame(store, CaseFilter(reporting_countries=("F'R",))).empty


def test_in_memory_store_falls_back() -> None:
    s = open_store("sqlite://")
    assert seizure_frame(s).empty


@pytest.mark.parametrize("helper_process", [True, False])
def test_reading_a_frame_leaves_the_store_writable(
    tmp_path: Path, small_sample_dir: Path, monkeypatch: pytest.MonkeyPatch, helper_process: bool
) -> None:
    """Regression: ADBC's own SQLite copy, opened in this process, dropped the store's WAL locks and
    the next write failed with "disk I/O error". Large files are now read in a helper process."""
    import workbench.store.frames as frames
    from workbench.store import audit

    monkeypatch.setattr(frames, "SUBPROCESS_MIN_BYTES", 1 if helper_process else 10**15)
    url = f"sqlite:///{tmp_path / 's.db'}"
    s = open_store(url)
    import_path(small_sample_dir, s)
    for _ in range(3):
        frame = seizure_frame(s)
        other = open_store(url)  # a second engine on the same file, as the app's pages hold
        assert len(case_frame(other)) == 3000
        with s.session() as sess:
            audit(sess, "admin.test_write", {"rows": len(frame)})
        with other.session() as sess:
            audit(sess, "admin.test_write", {"rows": len(frame)})
    assert str(frame["seizure_date"].dtype) == "datetime64[us]"
