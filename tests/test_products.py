"""Intelligence products: templates, assembly from the analysis library, lifecycle, register, audit,
reproducibility and outputs, on a small generated store (the shared small sample)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.i18n import use_language
from workbench.identity import PermissionDenied, Principal
from workbench.products import register as reg
from workbench.products import render
from workbench.products.model import (
    BlockSpec,
    Handling,
    Judgement,
    ProductError,
    ProductSpec,
    Source,
    load_templates,
)
from workbench.store import open_store

ANA = Principal("ana", "RILO-WE", frozenset({"rilo"}), mode="account")
BOB = Principal("bob", "RILO-WE", frozenset({"rilo"}), mode="account")
VIC = Principal("vic", "FR-DGDDI", frozenset({"viewer"}), mode="account")
EUROPE_2024 = {"filter": {"wco_regions": ["Europe"], "date_from": "2024-01-01", "date_to": "2024-12-31"}}
MARKING = Handling("RESTRICTED", "AMBER", ("H2",), ("FR", "NL"))


@pytest.fixture()
def url(store_copy: str) -> str:
    """This test's own copy of the shared seeded store (the small sample, imported once per session)."""
    return store_copy


def _spec(light: bool = False, **kw: object) -> ProductSpec:
    spec = ProductSpec.from_template("trend-report", params=dict(EUROPE_2024))
    if light:  # the blocks a test of the lifecycle or the outputs needs, built faster than the template's
        spec.blocks = [BlockSpec("key_figures"), BlockSpec("trend_chart"), BlockSpec("text", "note\n" * 60)]
    spec.handling = MARKING
    spec.bluf = "Cocaine through Europe rose in 2024."
    spec.judgements = [Judgement("Seizures will keep rising", "likely", "moderate")]
    spec.sources = [Source("CEN seizure reports", "B2")]
    for k, v in kw.items():
        setattr(spec, k, v)
    return spec


def test_templates_name_an_unknown_block(tmp_path: Path) -> None:
    assert set(load_templates()) == {"alert", "trend-report", "profile", "newsletter"}
    bad = tmp_path / "t.yaml"
    bad.write_text("templates:\n  alert:\n    level: tactical\n    blocks: [key_figures, crystal_ball]\n")
    with pytest.raises(
        ProductError, match=r"t\.yaml: template 'alert' names an unknown block 'crystal_ball'"
    ):
        load_templates(bad)
    with pytest.raises(ProductError, match="unknown block 'crystal_ball'"):
        _spec(blocks=[*_spec().blocks, type(_spec().blocks[0])("crystal_ball")]).check()


def test_grades_and_bands_are_checked() -> None:
    with pytest.raises(ProductError, match="not a 6x6 grade"):
        Source("tip", "G9").check()
    Source("tip", "2-B-C", "3x5x2").check()
    with pytest.raises(ProductError, match="not an estimative band"):
        Judgement("x", "probable").check()
    assert Handling().missing() and "TLP" in Handling("PUBLIC").missing()[0]


def test_trend_report_figures_equal_workbench_trends(url: str, tmp_path: Path) -> None:
    from workbench.cli import main

    spec = _spec()
    spec.blocks = [BlockSpec("key_figures"), BlockSpec("trend_chart")]  # the trend report's figures
    built = reg.assemble(open_store(url), spec, ANA)
    trend = next(b for b in built.blocks if b.key == "trend_chart")
    out = tmp_path / "trends.csv"
    args = ["trends", "--db", url, "--region", "Europe", "--from", "2024-01-01", "--to", "2024-12-31"]
    assert main([*args, "--freq", "M", "--out", str(out)]) == 0
    cli = pd.read_csv(out, dtype={"period": str})
    assert trend.table["period"].tolist() == cli["period"].tolist()
    assert trend.table["cases"].tolist() == cli["cases"].tolist()
    assert trend.table["value_usd"].round(2).tolist() == cli["value_usd"].round(2).tolist()
    key = next(b for b in built.blocks if b.key == "key_figures")
    assert (
        key.table["value"].iloc[0] == cli["cases"].sum() or key.table["value"].iloc[0] <= cli["cases"].sum()
    )


def test_a_period_with_no_data_is_refused_and_nothing_is_stored(url: str) -> None:
    store = open_store(url)
    spec = _spec(
        params={"filter": {"wco_regions": ["Europe"], "date_from": "1990-01-01", "date_to": "1990-12-31"}}
    )
    with pytest.raises(
        ProductError, match="no case matches from 1990-01-01; to 1990-12-31; WCO region: Europe"
    ):
        reg.assemble(store, spec, ANA)
    assert reg.list_products(store, ANA).empty


def _audit(url: str, action: str) -> list[dict[str, object]]:
    from workbench.store.audit import AUDIT_LOG

    with open_store(url).engine.connect() as c:
        rows = c.execute(
            sa.select(AUDIT_LOG).where(AUDIT_LOG.c.action == action).order_by(AUDIT_LOG.c.seq)
        ).mappings()
        return [dict(r) for r in rows]


def test_lifecycle_four_eyes_marking_distribution_and_audit(url: str) -> None:
    store = open_store(url)
    with pytest.raises(PermissionDenied):
        reg.save_draft(store, reg.assemble(store, _spec(True), VIC), VIC)
    pid = reg.save_draft(store, reg.assemble(store, _spec(True, handling=Handling()), ANA), ANA)
    ref = reg.list_products(store, ANA)["reference"].iloc[0]
    assert ref.startswith("RILO_WE-TRR-") or ref.startswith("RILOWE-TRR-")
    assert ref.endswith("-0001") and len(ref.split("-")[2]) == 4
    with pytest.raises(ProductError, match="the marking is incomplete: classification"):
        reg.send_for_review(store, pid, ANA)
    reg.update_draft(store, pid, reg.assemble(store, _spec(True), ANA), ANA)
    reg.send_for_review(store, pid, ANA)
    with pytest.raises(ProductError, match="ana wrote this product; someone else must approve it"):
        reg.approve(store, pid, ANA)
    with pytest.raises(ProductError, match="it cannot be issued"):
        reg.issue(store, pid, ["RILO-WE"], BOB)
    with (
        use_language("fr"),
        pytest.raises(ProductError, match="statut en relecture.*au statut approuvé peut"),
    ):
        reg.issue(store, pid, ["RILO-WE"], BOB)  # the statuses read in the language, not as codes
    reg.approve(store, pid, BOB)
    with pytest.raises(ProductError, match="name at least one recipient"):
        reg.issue(store, pid, [" "], BOB)
    assert reg.list_products(store, ANA)["status"].iloc[0] == "approved"  # nothing issued
    reg.issue(store, pid, ["FR-DGDDI", "NL-FIOD"], BOB)
    row = reg.list_products(store, ANA).iloc[0]
    assert (row["status"], row["reviewer"], row["distribution"]) == ("issued", "bob", "FR-DGDDI, NL-FIOD")
    mark = reg.record_download(store, pid, "NL-FIOD", "pdf", BOB)
    assert mark.startswith("Copy for NL-FIOD")
    disclosures = _audit(url, "disclose.product")
    assert [json.loads(str(d["recipients"])) for d in disclosures] == [["FR-DGDDI", "NL-FIOD"], ["NL-FIOD"]]
    assert {d["kind"] for d in disclosures} == {"disclosure"}
    # a new version supersedes the issued one, and its issue withdraws it
    v2 = reg.new_version(store, pid, ANA)
    reg.send_for_review(store, v2, ANA)
    reg.approve(store, v2, BOB)
    reg.issue(store, v2, ["FR-DGDDI"], BOB)
    reg_ = reg.list_products(store, ANA).set_index("id")
    assert (
        reg_.loc[v2, "supersedes"] == pid
        and reg_.loc[v2, "reference"] == ref
        and reg_.loc[v2, "version"] == 2
    )
    assert reg_.loc[pid, "status"] == "withdrawn"
    with pytest.raises(ProductError, match="was withdrawn"):
        reg.record_download(store, pid, "X", "pdf", BOB)


def test_regenerate_is_identical_then_names_what_changed_after_an_import(url: str, tmp_path: Path) -> None:
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import generate

    store = open_store(url)
    pid = reg.save_draft(store, reg.assemble(store, _spec(True), ANA), ANA)
    again = reg.regenerate(store, pid, ANA)
    assert again.identical and not again.changed_data, again.describe()
    more = generate(120, seed=99)
    tables = {k: v.copy() for k, v in more.tables.items()}
    for t in tables.values():  # other case ids than the first sample's
        if "case_id" in t.columns:
            t["case_id"] = "NEW-" + t["case_id"].astype(str)
    d = tmp_path / "more"
    write_dataset(tables, d)
    assert import_path(d, store).status == "accepted"
    after = reg.regenerate(store, pid, ANA)
    assert not after.identical and "cases" in after.changed_data
    assert "Trend of cases" in after.changed_blocks
    assert "figures changed in:" in after.describe()


def test_outputs_carry_the_marking_escape_and_neutralise(url: str) -> None:
    import openpyxl
    import pypdfium2 as pdfium

    store = open_store(url)
    built = reg.assemble(store, _spec(True, bluf='=HYPERLINK("http://x") <script>alert(1)</script>'), ANA)
    pdf = pdfium.PdfDocument(render.to_pdf(built, watermark="Copy for NL-FIOD"), autoclose=True)
    n = len(pdf)
    assert n >= 2
    for i, page in enumerate(pdf):
        text = page.get_textpage().get_text_range()
        assert text.count("RESTRICTED · TLP:AMBER · H2 · REL TO FR, NL") >= 2, i  # header and footer
        assert f"Page {i + 1} of {n}" in text and "Copy for NL-FIOD" in text
    html = render.to_html(built).decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)  # nothing fetched
    assert html.count("RESTRICTED · TLP:AMBER") == 2 and "<svg" in html
    wb = openpyxl.load_workbook(io.BytesIO(render.to_xlsx(built)))
    cover = wb.worksheets[0]
    assert cover["A1"].value == "RESTRICTED · TLP:AMBER · H2 · REL TO FR, NL"
    values = [c.value for c in cover["B"] if c.value]
    assert any(str(v).startswith("'=HYPERLINK") for v in values)
    assert all(ws["A1"].value == cover["A1"].value for ws in wb.worksheets)
    assert any(ws._charts for ws in wb.worksheets)  # a native chart
    with pytest.raises(ProductError, match="the marking is incomplete"):
        render.to_pdf(reg.Built(_spec(handling=Handling("", "AMBER")), built.blocks, {}, []))


def test_migration_and_lifecycle_on_both_backends(store_url: str) -> None:
    """The migration builds the tables as declared, and the register's lifecycle runs, on SQLite and
    PostgreSQL alike (a product registered from an empty assembly: no data needed)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from workbench.store import Base

    store = open_store(store_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        heads = {r[0] for r in conn.execute(sa.text("select version_num from alembic_version"))}
    mine = [d for d in diff if "product" in repr(d)]
    assert not mine, mine
    assert "0010_products" in heads
    spec = ProductSpec.from_template("newsletter")
    spec.handling = MARKING
    first = reg.save_draft(store, reg.Built(spec, [], {}, []), ANA)
    second = reg.save_draft(store, reg.Built(spec, [], {}, []), ANA)
    refs = reg.list_products(store, ANA).set_index("id")["reference"]
    assert refs[first].endswith("-0001") and refs[second].endswith("-0002") and "-NWS-" in refs[first]
    reg.send_for_review(store, first, ANA)
    reg.approve(store, first, BOB)
    reg.issue(store, first, ["FR-DGDDI"], BOB)
    reg.withdraw(store, first, BOB)
    assert reg.product_events(store, first)["action"].tolist() == [
        "drafted",
        "review",
        "approved",
        "issued",
        "withdrawn",
    ]


def test_giis_metrics_and_the_outcome_of_an_alert(url: str) -> None:
    from workbench.products import metrics
    from workbench.store.filters import CaseFilter
    from workbench.store.frames import case_frame

    store = open_store(url)
    spec = ProductSpec.from_template("alert", params={"filter": {"wco_regions": ["Europe"]}})
    spec.handling = MARKING
    spec.blocks = [BlockSpec("key_figures")]
    pid = reg.save_draft(store, reg.assemble(store, spec, ANA), ANA)
    reg.send_for_review(store, pid, ANA)
    reg.approve(store, pid, BOB)
    reg.issue(store, pid, ["FR-DGDDI"], BOB)
    # as if issued on 1 March 2024: its outcome is the cases its filter selects in the 90 days after
    with store.engine.begin() as c:
        c.execute(sa.update(reg.PRODUCTS).values(issued_at=pd.Timestamp("2024-03-01", tz="UTC")))
    frame = metrics.register_frame(store, ANA)
    out = metrics.outcomes(store, ANA, window=90, reg=frame)
    expected = case_frame(
        store, CaseFilter(wco_regions=("Europe",), date_from="2024-03-01", date_to="2024-05-30")
    )
    assert out["seizures_after"].tolist() == [len(expected)] and len(expected) > 0
    summary = metrics.giis_summary(store, ANA, window=90)
    assert (summary["products"], summary["issued"], summary["outcome_rate"]) == (1, 1, 1.0)
    assert metrics.product_counts(frame)[
        ["template", "organisation", "month", "products"]
    ].values.tolist() == [["alert", "RILO-WE", "2024-03", 1]]
    cov = metrics.coverage(frame)
    assert cov.loc[cov["dimension"] == "WCO region", "value"].tolist() == ["Europe"]
    assert metrics.draft_to_issue(frame)["products"].tolist() == [1]
