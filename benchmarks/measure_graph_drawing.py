"""How smoothly the Network page's drawing (vis-network, with the component's own settings) copes with N
nodes in headless Chromium: time until the layout is still, and frames per second of a zoom animation.

    .venv/bin/python -m benchmarks.measure_graph_drawing 200 500 1000 1500 2500 4000

Not a harness benchmark (it needs Chromium); docs/network.md records its results.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

VIEW = Path(__file__).resolve().parents[1] / "workbench" / "ui" / "network_view"
_FPS = """() => new Promise(res => {
    let f = 0; const n = window.__wbNetwork; const t0 = performance.now();
    n.moveTo({scale: 2.0, animation: {duration: 1500}});
    function tick() { f++; if (performance.now() - t0 < 1500) requestAnimationFrame(tick); else res(f / 1.5); }
    requestAnimationFrame(tick);
})"""


def spec(n: int) -> dict[str, Any]:
    """A tree of ``n`` nodes with a fifth more random links (ego networks look much like this)."""
    rng = random.Random(n)
    nodes = [{"id": i, "label": f"node {i}", "size": 10, "shape": "dot"} for i in range(n)]
    edges = [{"from": i, "to": rng.randrange(i), "label": "courier"} for i in range(1, n)]
    edges += [{"from": rng.randrange(n), "to": rng.randrange(n), "label": "phone"} for _ in range(n // 5)]
    return {"nodes": nodes, "edges": edges, "key": str(n), "selected": None}


def measure(sizes: list[int]) -> list[tuple[int, int, float]]:
    from playwright.sync_api import sync_playwright

    script = (VIEW / "vis-network.min.js").read_text(encoding="utf-8")
    page_html = (VIEW / "index.html").read_text(encoding="utf-8")
    page_html = page_html.replace(
        '<script src="./vis-network.min.js"></script>', f"<script>{script}</script>"
    )
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--use-gl=swiftshader", "--enable-unsafe-swiftshader"],
        )
        for n in sizes:
            page = browser.new_page(viewport={"width": 1440, "height": 960})
            page.set_content(page_html)
            page.evaluate("s => render({spec: s, height: 620})", spec(n))
            page.wait_for_selector("#graph[data-drawn-ms]", timeout=300_000)
            ms = int(page.get_attribute("#graph", "data-drawn-ms") or 0)
            fps = float(page.evaluate(_FPS))
            print(f"{n} nodes: laid out in {ms} ms, zoom animation {fps:.0f} frames/s", flush=True)
            out.append((n, ms, fps))
            page.close()
        browser.close()
    return out


if __name__ == "__main__":
    measure([int(x) for x in sys.argv[1:]] or [200, 500, 1000, 1500, 2500])
