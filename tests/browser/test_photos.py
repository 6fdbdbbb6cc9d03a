"""Real Chromium, signed in as an analyst: attach a photo in the case detail, find it in the Photos
gallery, and find its near-duplicate (the same concealment photographed in another country, rotated);
screenshots go to test-output/screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.browser.conftest import assert_no_exception, open_page, screenshot, sign_in, wait_idle
from workbench.identity import installation_principal
from workbench.photos.attach import NewPhoto, attach_photos
from workbench.photos.models import PHOTOS
from workbench.sample.photos import draw_photo, transform
from workbench.store import DATA_TABLES, open_store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_attach_in_the_case_detail_then_find_it_and_its_near_duplicate(  # type: ignore[no-untyped-def]
    browser, accounts_app: tuple[str, str], tmp_path: Path
) -> None:
    app, url = accounts_app
    store = open_store(url)
    cases = DATA_TABLES["cases"]
    with store.engine.connect() as conn:
        rc, cid = conn.execute(
            sa.select(cases.c.reporting_country, cases.c.case_id).order_by(cases.c.id)
        ).first()
        rc2, cid2 = conn.execute(
            sa.select(cases.c.reporting_country, cases.c.case_id).where(cases.c.reporting_country != rc)
        ).first()
    # the same concealment, seen earlier in another country and photographed turned by 90 degrees
    seen = attach_photos(
        store,
        [NewPhoto(transform(draw_photo(4242), "rotate_90"), "earlier.jpg", rc2, cid2, "concealment")],
        installation_principal(),
    )[0]
    upload = tmp_path / "false-floor.png"
    draw_photo(4242).save(upload)
    with open_page(browser, app) as page:
        sign_in(page, "ana")
        page.get_by_role("link", name="Cases").click()
        wait_idle(page, '[data-testid="stDataFrame"]')
        page.get_by_label("Search everything").first.fill(cid)
        page.keyboard.press("Enter")
        page.get_by_text("match(es), best first").first.wait_for(timeout=90_000)
        wait_idle(page, '[data-testid="stDataFrame"]')
        box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        page.mouse.click(box["x"] + 16, box["y"] + 54)  # the first hit (the case id): opens its case
        page.get_by_text("Route:").first.wait_for(timeout=90_000)
        wait_idle(page, "text=Route:")
        page.get_by_text("Attach photos").first.click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(upload))
        page.get_by_text("false-floor.png").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Attach", exact=True).click()
        page.get_by_text(" · concealment · ").first.wait_for(timeout=90_000)
        wait_idle(page)
        assert_no_exception(page)
        with store.engine.connect() as conn:
            new = conn.execute(
                sa.select(PHOTOS.c.id)
                .where(PHOTOS.c.file_name == "false-floor.png")
                .order_by(PHOTOS.c.id.desc())
            ).scalar_one()
        assert page.get_by_text(f"#{new} · concealment · {rc}/{cid}").first.is_visible()
        screenshot(page, "photos-case-detail")
        page.get_by_role("link", name="Photos").click()
        page.get_by_text(f"#{new} · concealment · {rc}/{cid}").first.wait_for(timeout=90_000)
        wait_idle(page)
        # a keyed widget's container carries the class st-key-<key>: the "Similar" button of the new photo
        page.locator(f'[class*="st-key-gallery_similar_{new}_"] button').first.click()
        page.get_by_text(f"Photos like #{new}").first.wait_for(timeout=90_000)
        page.get_by_text(f"#{seen} · concealment · {rc2}/{cid2} · distance").first.wait_for(timeout=90_000)
        wait_idle(page)
        assert_no_exception(page)
        screenshot(page, "photos-gallery-similar")
