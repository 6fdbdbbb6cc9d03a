"""Training in real Chromium, on a store with accounts: a trainer creates a course with two trainees and
releases it; one trainee buys a hint, answers and is graded; the trainer sees the debrief."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (
    assert_no_exception,
    open_page,
    screenshot,
    served_app,
    sign_in,
    wait_idle,
)
from workbench.training.variants import answer_key

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PACK = "courier-network"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def training_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a new store with a trainer and two analysts (no case data: the course's data is
    each trainee's variant)."""
    from workbench.identity.accounts import create_account, create_organisation, installation_principal
    from workbench.store import open_store

    tmp = tmp_path_factory.mktemp("training")
    url = f"sqlite:///{tmp / 'main.db'}"
    store, setup = open_store(url), installation_principal()
    create_organisation(store, "CEN-SEC", "CEN secretariat", "secretariat", by=setup)
    for name, role in (("tom", "trainer"), ("ana", "analyst"), ("ben", "analyst")):
        create_account(
            store, name, organisation="CEN-SEC", roles=[role], password=PASSWORD, personal=True, by=setup
        )
    store.engine.dispose()
    mp = pytest.MonkeyPatch()
    mp.setenv("WORKBENCH_DATA_DIR", str(tmp / "data"))
    try:
        with served_app(url, tmp / "streamlit-training.log", role="viewer") as app:
            yield app
    finally:
        mp.undo()


def _open(pg, title: str) -> None:  # type: ignore[no-untyped-def]
    pg.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    wait_idle(pg, f"h1:has-text('{title}')")


def _pick(pg, label: str, *values: str) -> None:  # type: ignore[no-untyped-def]
    box = pg.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    for v in values:
        box.locator("input").click()
        pg.keyboard.type(v)
        pg.keyboard.press("Enter")
    pg.keyboard.press("Escape")


def test_a_course_from_creation_to_debrief(browser, training_app: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with open_page(browser, training_app) as trainer:
        sign_in(trainer, "tom", PASSWORD)
        _open(trainer, "Courses")
        trainer.get_by_label("Course name").fill("Lagos 2026")
        _pick(trainer, "Scenario packs", "courier network")
        trainer.get_by_role("button", name="Create the course").click()
        wait_idle(trainer, "text=Course Lagos 2026 created.")
        _pick(trainer, "Enrol accounts", "ana", "ben")
        trainer.get_by_role("button", name="Enrol", exact=True).click()
        wait_idle(trainer, "text=trainees: ana, ben")
        trainer.get_by_role("button", name="Release the course").click()
        wait_idle(trainer, "text=released")
        assert_no_exception(trainer)

        with open_page(browser, training_app) as ana:
            sign_in(ana, "ana", PASSWORD)
            _open(ana, "Exercise")
            wait_idle(ana, "text=Persona")
            ana.get_by_role("button", name="Buy a hint (costs 3 points)").first.click()
            wait_idle(ana, "text=look for a phone node")
            ana.get_by_label("Your answer").first.fill(answer_key(PACK, "ana")["q1"])
            ana.get_by_role("button", name="Submit").first.click()
            wait_idle(ana, "text=Score: 7 / 10")
            assert "7 / 90" in ana.locator('[data-testid="stMetric"]').first.inner_text()
            screenshot(ana, "training-exercise")
            assert_no_exception(ana)

        _open(trainer, "Exercise")  # away and back: the Courses page runs afresh in the same session
        _open(trainer, "Courses")
        wait_idle(trainer, "text=Score of ana")
        main = trainer.locator('[data-testid="stMain"]').inner_text()
        assert "7 / 90" in main and "Model path" in main and "Model answer" in main
        screenshot(trainer, "training-debrief")
        assert_no_exception(trainer)
