"""The pages' own texts go through the catalogue: in a language whose catalogue marks every message
(``‹...›``), the titles, subheaders, tabs, expanders, widget and metric labels of a few pages read
marked; a text written in the code without ``_()`` would read bare (issue 21)."""

from __future__ import annotations

import gettext
from typing import Any

import pytest

import workbench.i18n as i18n


class _Marking(gettext.NullTranslations):
    """A catalogue that translates every message into itself between marks (placeholders kept)."""

    def gettext(self, message: str) -> str:
        return f"‹{message}›"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"‹{msgid1 if n == 1 else msgid2}›"


@pytest.fixture()
def marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """French in force, with the marking catalogue standing in for the French one."""
    monkeypatch.setenv("WORKBENCH_LANGUAGE", "fr")
    catalogue = _Marking()
    monkeypatch.setattr(
        i18n, "_catalogue", lambda code: catalogue if code == "fr" else gettext.NullTranslations()
    )


def _labels(at: Any) -> dict[str, list[str]]:
    """The texts of a page that are the code's own (never data): what people read as its structure."""
    widgets = (
        "selectbox",
        "multiselect",
        "radio",
        "number_input",
        "text_input",
        "toggle",
        "checkbox",
        "button",
    )
    texts = {
        "title": [e.value for e in at.title],
        "subheader": [e.value for e in at.subheader],
        "metric": [e.label for e in at.metric],
        "tabs": [e.label for e in at.tabs],
        "expander": [e.label for e in at.expander],
    }
    for kind in widgets:
        texts[kind] = [e.label for e in getattr(at, kind)]
    return texts


def _bare(texts: dict[str, list[str]]) -> list[str]:
    return [f"{kind}: {t!r}" for kind, values in texts.items() for t in values if t and "‹" not in t]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("pages/overview.py", {"title": ["‹Overview›"], "metric": ["‹Cases›", "‹Period›"]}),
        ("pages/trends.py", {"title": ["‹Trends›"], "tabs": ["‹Chart builder›", "‹Top movers›"]}),
        ("pages/cases.py", {"title": ["‹Cases›"], "number_input": ["‹Page›"]}),
    ],
)
def test_page_texts_come_from_the_catalogue(
    marked: None,
    open_app: Any,
    seeded_sqlite: str,
    page: str,
    expected: dict[str, list[str]],
) -> None:
    at = open_app(seeded_sqlite, page, timeout=90)
    texts = _labels(at)
    for kind, wanted in expected.items():
        assert set(wanted) <= set(texts[kind]), (kind, texts[kind])
    assert not _bare(texts), _bare(texts)
    # option labels go through the catalogue too, the options' values stay codes
    if page == "pages/trends.py":
        period = next(s for s in at.selectbox if s.key == "trends_freq")
        assert all(o.startswith("‹") for o in period.options), period.options
        assert period.value in ("M", "Q", "Y", "W", "D")
