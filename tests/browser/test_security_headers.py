"""The Content-Security-Policy that docs/deployment.md tells the reverse proxy to send: the app works
under it in real Chromium (no violation reported, pages draw), and it forbids framing.

The policy is read from the docs, so the docs cannot drift from what was checked. The proxy is
played by Playwright, which adds the header to every response of the served app.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_no_exception, wait_idle
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DOC = ROOT / "docs" / "deployment.md"


def documented_csp() -> str:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- csp -->\s*```\s*\n(.+?)\n```", text, re.S)
    assert m, "docs/deployment.md: the policy block after <!-- csp --> is missing"
    csp = m.group(1).strip()
    assert csp in text.split("## nginx example")[1], "the nginx example sends another policy than documented"
    return csp


def test_documented_policy_forbids_framing_and_outside_origins() -> None:
    csp = documented_csp()
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert "http" not in csp and "*" not in csp  # nothing from another origin
    assert "'unsafe-inline'" not in directives["script-src"]  # one inline script, allowed by its hash


# (navigation link, an element that shows the page has drawn)
PAGES = [
    (None, '[data-testid="stVegaLiteChart"]'),
    ("Routes", '[data-testid="stDeckGlJsonChart"] canvas'),
    ("Trends", '[data-testid="stVegaLiteChart"]'),
    ("Network", '[data-testid="stMetric"]'),
    ("Cases", '[data-testid="stDataFrame"]'),
]


@pytest.fixture(scope="module")
def proxied_browser(browser):  # type: ignore[no-untyped-def]
    """Chromium that lets a page whose responses Playwright rewrote open a WebSocket to loopback (its
    local-network checks would take the rewritten page for a public one). Launched by the session's
    Playwright (tests/browser/conftest.browser): a second sync_playwright() in one process is refused."""
    from tests.browser.conftest import CHROMIUM

    b = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--use-gl=swiftshader",
            "--enable-unsafe-swiftshader",
            "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
            "PrivateNetworkAccessChecks",
        ],
    )
    yield b
    b.close()


def test_app_works_under_the_documented_policy(proxied_browser, app_url: str) -> None:  # type: ignore[no-untyped-def]
    csp = documented_csp()
    ctx = proxied_browser.new_context(viewport={"width": 1440, "height": 960})

    def proxy(route) -> None:  # type: ignore[no-untyped-def]
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": csp, "x-frame-options": "DENY"}
        route.fulfill(response=response, headers=headers)

    ctx.route(re.compile(r"^http://127\.0\.0\.1:\d+/.*"), proxy)
    ctx.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    pg = ctx.new_page()
    console: list[str] = []
    pg.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    violations: list[str] = []
    pg.goto(app_url)
    for link, ready in PAGES:
        if link:
            pg.get_by_role("link", name=link).click()
        wait_idle(pg, ready)
        assert_no_exception(pg)
        violations += pg.evaluate("() => window.__csp")
    ctx.close()
    assert not violations and not console, (violations[:5], console[:5])


def test_streamlit_security_options_are_set() -> None:
    import tomllib

    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    assert server["enableCORS"] is True and server["enableXsrfProtection"] is True
    assert server["xsrfCookieSameSite"] == "strict" and server["enableAgentApi"] is False
