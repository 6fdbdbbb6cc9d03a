"""The photos in the app (AppTest): the gallery and the case detail show every kind to an analyst who
stated the purpose, and a viewer none of a person or a document on any page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_photos import ANALYST, _cases
from workbench.photos.attach import NewPhoto, attach_photos
from workbench.sample.photos import draw_photo, jpeg_bytes, transform
from workbench.store import open_store
from workbench.ui.navigation import discover_pages


@pytest.fixture()
def gallery_store(store_copy: str) -> tuple[str, dict[str, int], tuple[str, str]]:
    store = open_store(store_copy)
    (rc, cid), (rc2, cid2) = _cases(store, 2)
    ids = attach_photos(
        store,
        [
            NewPhoto(jpeg_bytes(draw_photo(31)), "boot.jpg", rc, cid, "concealment", "false floor"),
            NewPhoto(jpeg_bytes(draw_photo(32, "person")), "courier.jpg", rc, cid, "person"),
            NewPhoto(jpeg_bytes(draw_photo(33, "document")), "passport.jpg", rc, cid, "document"),
            NewPhoto(transform(draw_photo(31), "rotate_90"), "again.jpg", rc2, cid2, "concealment"),
        ],
        ANALYST,
    )
    return store_copy, dict(zip(["boot", "person", "document", "again"], ids, strict=True)), (rc, cid)


def _labels(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(t.value for t in at.text)


def test_viewers_see_no_person_or_document_photo_on_any_page(open_app, gallery_store) -> None:  # type: ignore[no-untyped-def]
    url, ids, case = gallery_store
    at = open_app(url, "pages/gallery.py", role="viewer")
    shown = _labels(at)
    assert f"#{ids['boot']} · concealment" in shown
    at.session_state["_workbench_state"].selected_case = case
    at.switch_page("pages/cases.py")
    at.run()
    assert not at.exception, at.exception
    shown += _labels(at)
    assert f"#{ids['boot']} · concealment" in _labels(at)  # the case detail's panel
    root = Path(__file__).parents[1]
    pages = [spec for specs in discover_pages(root).values() for spec in specs]
    for spec in pages:  # and every other page the viewer may open
        if spec.path in ("pages/gallery.py", "pages/cases.py") or spec.needs != "view_data":
            continue
        at.switch_page(spec.path)
        at.run()
        shown += _labels(at)
    for kind in ("person", "document"):
        assert f"#{ids[kind]} " not in shown and f"· {kind} ·" not in shown


def test_the_analyst_sees_every_kind_and_finds_the_near_duplicate(open_app, gallery_store) -> None:  # type: ignore[no-untyped-def]
    url, ids, _case = gallery_store
    at = open_app(url, "pages/gallery.py")
    shown = _labels(at)
    assert all(f"#{i} ·" in shown for i in ids.values())
    similar = [b for b in at.button if b.key and b.key.startswith(f"gallery_similar_{ids['boot']}_")]
    similar[0].click().run()
    assert not at.exception, at.exception
    assert f"#{ids['again']} · concealment" in _labels(at) and "distance" in _labels(at)


def test_gallery_page_is_thin() -> None:
    assert len(Path(__file__).parents[1].joinpath("pages", "gallery.py").read_text().splitlines()) <= 150
