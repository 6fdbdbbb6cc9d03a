"""Real Chromium opens the Network page, searches an entity, expands a node in the drawing (vis-network,
bundled, offline) and opens the Duplicates page; screenshots go to test-output/screenshots."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, state_purpose, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FRAME = 'iframe[title="workbench.ui.network.workbench_network"]'


def _drawn(page, timeout: float = 60_000):  # type: ignore[no-untyped-def]
    """The drawing's frame once vis-network has laid the graph out."""
    page.wait_for_selector(FRAME, timeout=timeout)
    frame = page.frame_locator(FRAME).first
    frame.locator("#graph[data-drawn-ms]").wait_for(timeout=timeout)
    return frame


def _node_count(page) -> int:  # type: ignore[no-untyped-def]
    return int(_drawn(page).locator("#graph").get_attribute("data-nodes"))


def test_network_search_draw_expand(page, small_sample) -> None:  # type: ignore[no-untyped-def]
    net = next(n for n in small_sample.truth["networks"] if n["kind"] == "shared_phone")
    # through the app's navigation (the entry script draws the filters and the sidebar)
    page.goto(page.app_url)
    wait_idle(page, '[data-testid="stMetric"]')
    page.get_by_role("link", name="Network").click()
    page.get_by_role("heading", name="Network").first.wait_for(timeout=60_000)
    state_purpose(page)  # persons and companies once the purpose is stated
    wait_idle(page, '[data-testid="stMetric"]')
    assert page.get_by_role("heading", name="Network").first.is_visible()
    # one hop: the couriers around the phone, their cases; the rest is left to expand
    page.locator('[data-testid="stSlider"] input[type="range"]').first.focus()
    page.keyboard.press("ArrowLeft")
    wait_idle(page, '[data-testid="stMetric"]')
    page.get_by_label("Search an entity").first.fill(net["shared"]["phone"])
    page.keyboard.press("Enter")
    wait_idle(page, FRAME)
    frame = _drawn(page)
    before = _node_count(page)
    assert before >= 2 * len(net["person_ids"])  # the couriers and their cases
    assert_no_exception(page)
    page.locator(FRAME).first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "network-ego")
    # double-click a courier in the drawing: it is selected and expanded (one more hop around it)
    handle = page.locator(FRAME).first.element_handle().content_frame()
    target = handle.evaluate(
        """() => {
            const n = window.__wbNetwork;
            const data = n.body.data.nodes;
            const ids = data.getIds().filter(i => data.get(i).hidden_links > 0);
            const p = n.canvasToDOM(n.getPositions([ids[0]])[ids[0]]);
            return {id: ids[0], label: data.get(ids[0]).label, x: p.x, y: p.y};
        }"""
    )
    positions = handle.evaluate("() => window.__wbNetwork.getPositions()")
    box = page.locator(FRAME).first.bounding_box()
    graph_box = frame.locator("#graph").bounding_box()
    page.mouse.dblclick(graph_box["x"] + target["x"], graph_box["y"] + target["y"])
    page.wait_for_timeout(500)
    wait_idle(page, FRAME)
    _drawn(page)
    page.get_by_text(f"selected: {target['label']} (").first.wait_for(timeout=30_000)
    # the rerun is done before the drawing gets the expanded graph: wait for that graph to settle
    handle = page.locator(FRAME).first.element_handle().content_frame()
    handle.wait_for_function(
        "b => { const g = document.getElementById('graph'); return g.dataset.drawnMs && +g.dataset.nodes > b; }",
        arg=before,
        timeout=60_000,
    )
    assert _node_count(page) > before
    # expanding placed the new nodes only: every node drawn before is where it was
    after = handle.evaluate("() => window.__wbNetwork.getPositions()")
    assert set(positions) <= set(after)
    moved = {
        n: (positions[n], after[n])
        for n in positions
        if abs(positions[n]["x"] - after[n]["x"]) > 1 or abs(positions[n]["y"] - after[n]["y"]) > 1
    }
    assert not moved, list(moved.items())[:5]
    assert int(frame.locator("#graph").get_attribute("data-kept")) == len(positions)
    assert box is not None
    assert page.get_by_text("Entity card").first.is_visible()
    page.locator(FRAME).first.scroll_into_view_if_needed()
    assert_no_exception(page)
    screenshot(page, "network-expanded")
    # the download asks a legal basis (persons are personal data), then offers the file
    page.get_by_text("Export this network").first.click()
    page.get_by_role("button", name="Prepare download").click()
    page.get_by_text("state its legal basis").first.wait_for(timeout=30_000)
    page.locator('input[aria-label^="Legal basis"]').first.fill("MAA FR-ES 2019, art. 4")
    page.keyboard.press("Enter")
    wait_idle(page, FRAME)
    page.get_by_role("button", name="Prepare download").click()
    page.get_by_role("button", name="Download network.graphml").wait_for(timeout=30_000)
    page.get_by_role("button", name="Download network.graphml").scroll_into_view_if_needed()
    screenshot(page, "network-export")
    # the entity card's cases table is there; the other tabs draw
    page.get_by_role("tab", name="Rankings").click()
    page.get_by_text("Persons and companies by number of distinct links").first.wait_for(timeout=30_000)
    screenshot(page, "network-rankings")


def test_duplicates_page(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.app_url)
    wait_idle(page, '[data-testid="stMetric"]')
    page.get_by_role("link", name="Duplicates").click()
    page.get_by_role("heading", name="Duplicates").first.wait_for(timeout=60_000)
    state_purpose(page)
    wait_idle(page, '[data-testid="stDataFrame"]')
    assert page.get_by_role("heading", name="Duplicates").first.is_visible()
    assert page.get_by_text("Compare the two records").first.is_visible()
    assert page.get_by_text("Match score").first.is_visible()
    assert_no_exception(page)
    screenshot(page, "duplicates")
    page.get_by_text("Compare the two records").first.scroll_into_view_if_needed()
    screenshot(page, "duplicates-compare")
