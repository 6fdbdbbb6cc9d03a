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
