"""The Briefing builder and the Products register in AppTest: assemble a newsletter for one region and
year, reorder, add text, mark, save; send for review; another person approves and issues; a copy."""

from __future__ import annotations

import pytest


@pytest.fixture()
def url(store_copy: str) -> str:
    return store_copy


def _button(at, key: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.key == key)


def test_build_review_approve_issue_in_the_app(open_app, url: str) -> None:  # type: ignore[no-untyped-def]
    from workbench.products.register import list_products
    from workbench.store import open_store

    at = open_app(url, "pages/briefing.py", role="rilo", user="ana", purpose=False)
    at.selectbox(key="pb_template").select("newsletter").run()  # fewer blocks than a trend report
    at.selectbox(key="pb_region").select("Europe").run()
    at.selectbox(key="pb_year").select(2024).run()
    _button(at, "pb_assemble").click().run()
    assert not at.exception, at.exception
    titles = [m.value for m in at.markdown if m.value.startswith("**1.") or m.value.startswith("**2.")]
    assert titles[:2] == ["**1. Key figures**", "**2. Trend of cases**"]
    _button(at, "pb_down_0").click().run()
    titles = [m.value for m in at.markdown if m.value.startswith("**1.") or m.value.startswith("**2.")]
    assert titles[:2] == ["**1. Trend of cases**", "**2. Key figures**"]
    _button(at, "pb_add_text").click().run()
    n = len([k for k in at.session_state["pb_spec"]["blocks"]])
    at.text_area(key=f"pb_text_{n - 1}").input("Analyst's view: <b>watch</b> Rotterdam").run()
    at.selectbox(key="pb_class").select("RESTRICTED").run()
    at.selectbox(key="pb_tlp").select("AMBER").run()
    _button(at, "pb_save").click().run()
    assert not at.exception, at.exception
    assert any("Draft saved" in s.value for s in at.success)
    store = open_store(url)
    row = list_products(store).iloc[0]
    assert row["status"] == "draft" and row["author"] == "ana"

    at.switch_page("pages/products.py").run()
    _button(at, "pr_submit").click().run()
    assert list_products(store).iloc[0]["status"] == "review"
    _button(at, "pr_approve").click().run()  # the author may not approve
    assert any("ana wrote this product" in e.value for e in at.error)

    bob = open_app(url, "pages/products.py", role="rilo", user="bob", purpose=False)
    _button(bob, "pr_approve").click().run()
    assert list_products(store).iloc[0]["status"] == "approved"
    bob.text_input(key="pr_to").input("FR-DGDDI, NL-FIOD").run()
    _button(bob, "pr_issue").click().run()
    row = list_products(store).iloc[0]
    assert (row["status"], row["reviewer"], row["distribution"]) == ("issued", "bob", "FR-DGDDI, NL-FIOD")
    bob.text_input(key="pr_recipient").input("NL-FIOD").run()
    bob.selectbox(key="pr_format").select("html").run()
    _button(bob, "pr_prepare").click().run()
    assert not bob.exception, bob.exception
    copy = bob.session_state["pr_copy"]
    html = copy[2].decode()
    assert "RESTRICTED · TLP:AMBER" in html and "&lt;b&gt;watch&lt;/b&gt; Rotterdam" in html
    assert html.index("Trend of cases") < html.index("Key figures</h2>")
