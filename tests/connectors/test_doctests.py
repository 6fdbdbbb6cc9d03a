"""The connectors package's docstring examples run (pytest collects doctests under workbench/ only)."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["connectors", "connectors.mapping", "connectors.sql", "connectors.base"])
def test_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
