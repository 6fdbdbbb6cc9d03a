"""The ui's cached functions whose output holds translated text are keyed on the language (issue 21):
a user switching language, or two users in different languages, must not get each other's text."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from workbench.ui import products, quality, routes, trends

#: Cached functions whose result carries translated titles, headings, labels or messages.
TRANSLATED = [
    (products, "_assembled"),
    (quality, "_report"),
    (quality, "_feedback"),
    (quality, "_docs"),
    (trends, "_series"),
    (trends, "_emerging"),
    (trends, "_report"),
    (routes, "_map_data"),
    (routes, "_deck"),
    (routes, "_hubs"),
    (routes, "_emerging"),
]


def _parameters(func: Any) -> list[str]:
    # a st.cache_data/st.cache_resource function keeps the decorated function in ``_info.func``
    return list(inspect.signature(func._info.func).parameters)


@pytest.mark.parametrize(("module", "name"), TRANSLATED, ids=[f"{m.__name__}.{n}" for m, n in TRANSLATED])
def test_cached_translated_output_is_keyed_on_the_language(module: Any, name: str) -> None:
    assert "lang" in _parameters(getattr(module, name))


def test_report_columns_are_formatted_by_their_translated_headings() -> None:
    """The Statistics tab finds the share columns through ``ReportResult.formats`` (translated headings),
    not by English names: in French the share is a percentage and the change in % keeps its sign."""
    import pandas as pd

    from workbench.i18n import _, use_language

    with use_language("fr"):
        share, change, rank, cases = _("share of cases"), _("change %"), _("rank"), _("cases")
        assert share != "share of cases"  # the catalogue translates it
        table = pd.DataFrame({share: [0.25], change: [12.5], rank: [1], cases: [1200]})
        config = trends._number_columns(table, {share: "0.0%"})
    assert config[share]["type_config"]["format"] == "percent"
    assert config[change]["type_config"]["format"] == "%+.1f%%"
    assert rank not in config
    assert config[cases]["type_config"]["format"] == "localized"


def test_series_values_read_in_the_language_in_force() -> None:
    """Trend labels (transport modes, WCO regions) come out translated, through the label helpers."""
    from workbench.format.reference import wco_region_label
    from workbench.i18n import code_label, use_language
    from workbench.trends.series import value_label

    region = "North of Africa, Near and Middle East"
    with use_language("fr"):
        assert (
            value_label("transport_mode", "express_courier")
            == code_label("express_courier")
            != "express courier"
        )
        assert value_label("transport_mode", "road") == code_label("road") != "road"
        assert value_label("wco_region", region) == wco_region_label(region, short=True) != "MENA"
    with use_language("en"):
        assert value_label("route", "CO → FR (inferred)") == "Colombia → France (inferred)"
