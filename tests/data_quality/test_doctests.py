"""The Examples in data_quality's docstrings run (pytest collects doctests of workbench/ only)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import data_quality

MODULES = sorted(m.name for m in pkgutil.iter_modules(data_quality.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"data_quality.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_package_docstring() -> None:
    assert doctest.testmod(data_quality).failed == 0
