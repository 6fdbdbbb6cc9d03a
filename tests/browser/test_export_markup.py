"""Markup in user text never runs in an HTML export: the offline route map, opened in real Chromium.

Every place of the data set is named ``<img src=x onerror=...>``; the test hovers every place on the
map (deck.gl fills the tooltip template with the place's name) and checks that the payload's script
never ran and no dialog opened, and that the name is shown as text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import import_path
from workbench.routes.flows import prepare_flows
from workbench.routes.maps import MapOptions, legend_entries, map_data, map_html, route_deck
from workbench.sample.generator import generate
from workbench.store import open_store
from workbench.store.frames import seizure_frame

IMG = '<img src=x onerror="window.__pwned=(window.__pwned||0)+1">'
SCRIPT = "<script>window.__pwned=(window.__pwned||0)+1;alert(1)</script>"


@pytest.fixture(scope="module")
def markup_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("markup")
    ds = generate(200, seed=5)
    cases = ds.tables["cases"].copy()
    cases["place_name"] = [IMG if i % 2 else SCRIPT for i in range(len(cases))]
    write_dataset({**ds.tables, "cases": cases}, d / "sample")
    url = f"sqlite:///{d / 'markup.db'}"
    assert import_path(d / "sample", open_store(url)).status == "accepted"
    data = map_data(prepare_flows(seizure_frame(open_store(url))), MapOptions(), None)
    assert data.places["label"].str.contains("<img", regex=False).any()
    html = map_html(route_deck(data), title=f"Routes {IMG}", subtitle=SCRIPT, legend=legend_entries(data))
    path = d / "routes.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_route_map_html_runs_no_script_from_data(browser, markup_map: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
    pg = ctx.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda dl: (dialogs.append(dl.message), dl.dismiss()))
    pg.goto(markup_map.as_uri())
    pg.wait_for_function(
        "() => document.querySelectorAll('#deck-container canvas').length > 0", timeout=60_000
    )
    pg.wait_for_timeout(2000)
    points = pg.evaluate(
        """() => { const vp = deckInstance.getViewports()[0];
                   const layer = deckInstance.props.layers.find(l => l.id.startsWith('places-'));
                   return layer.props.data.map(r => vp.project(r.position)); }"""
    )
    assert len(points) > 10
    shown = set()
    for x, y in points[:40]:
        if 0 <= x < 1280 and 0 <= y < 800:
            pg.mouse.move(x, y)
            pg.wait_for_timeout(60)
            text = pg.evaluate(
                "() => { const t = document.querySelector('.deck-tooltip'); return t ? t.innerText : '' }"
            )
            if text:
                shown.add(text.splitlines()[0])
            if any("<img src=x" in s for s in shown) and any("<script>" in s for s in shown):
                break  # each kind of markup has been drawn in a tooltip: more hovers draw the same
    pwned = pg.evaluate("() => window.__pwned")
    title = pg.evaluate("() => document.querySelector('#title h1').innerText")
    ctx.close()
    # the tooltips did open, and they show the markup as text
    assert any("<img src=x" in s for s in shown) or any("<script>" in s for s in shown), shown
    assert title == f"Routes {IMG}"
    assert pwned is None and not dialogs, (pwned, dialogs)


def test_data_docs_run_no_script_from_data(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Data Docs of a submission whose codes, remarks and title carry markup: shown as text, never run."""
    from data_quality.datadocs import write_data_docs
    from data_quality.validate import validate_path

    ds = generate(60, seed=3)
    items, cases = ds.tables["items"].copy(), ds.tables["cases"].copy()
    items.loc[items.index[:5], "unit"] = IMG
    cases.loc[cases.index[:5], "transport_mode"] = SCRIPT
    cases.loc[cases.index[5:8], "remarks"] = IMG
    write_dataset({**ds.tables, "items": items, "cases": cases}, tmp_path / "src")
    write_data_docs(validate_path(tmp_path / "src"), tmp_path / "site", title=f"submission {IMG}")
    ctx = browser.new_context(offline=True)
    pg = ctx.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda dl: (dialogs.append(dl.message), dl.dismiss()))
    pwned = []
    for f in sorted((tmp_path / "site").glob("*.html")):
        pg.goto(f.as_uri())
        pg.wait_for_load_state("load")
        pwned.append((f.name, pg.evaluate("() => window.__pwned")))
        if f.name == "index.html":
            assert f"submission {IMG}" in pg.locator("h2").first.inner_text()
    ctx.close()
    assert all(p is None for _, p in pwned) and not dialogs, (pwned, dialogs)
