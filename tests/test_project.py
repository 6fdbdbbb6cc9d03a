"""Project-level rules: documented settings and commands, import direction, thin pages, fast import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from workbench.config import SETTINGS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [s.env for s in SETTINGS if s.env not in README]
    assert not missing, f"settings not documented in README.md: {missing}"


def test_every_cli_command_is_documented() -> None:
    from workbench.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [name for name in sub.choices if f"workbench {name}" not in README]
    assert not missing, f"CLI commands not documented in README.md: {missing}"


def test_import_direction() -> None:
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "lint-imports"), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_streamlit_and_gx_only_where_allowed() -> None:
    offenders = []
    for path in ROOT.glob("**/*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "build/")) or "/." in rel:
            continue
        text = path.read_text(encoding="utf-8")
        lines = [ln.strip() for ln in text.splitlines()]
        uses_st = any(ln.startswith(("import streamlit", "from streamlit")) for ln in lines)
        uses_gx = any(ln.startswith(("import great_expectations", "from great_expectations")) for ln in lines)
        # bench_load (and bench_resolve_incremental's Duplicates page) drive the app's pages in
        # Streamlit's AppTest, as the tests do
        ui_driver = rel in ("benchmarks/bench_load.py", "benchmarks/bench_resolve_incremental.py")
        if uses_st and not (rel.startswith(("pages/", "workbench/ui/")) or "/" not in rel or ui_driver):
            offenders.append(f"{rel}: streamlit")
        if uses_gx and not rel.startswith("data_quality/"):
            offenders.append(f"{rel}: great_expectations")
    assert not offenders, offenders


def test_pages_are_thin() -> None:
    fat = {p.name: n for p in (ROOT / "pages").glob("*.py") if (n := len(p.read_text().splitlines())) >= 150}
    assert not fat, f"pages of 150 lines or more (move logic into the library): {fat}"


def test_import_workbench_is_fast_and_light() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import workbench; "
        "print(time.perf_counter() - t); "
        "print(','.join(m for m in ('streamlit', 'great_expectations', 'geopandas', 'pandas', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, loaded = out.stdout.split("\n")[:2]
    assert loaded == "", f"`import workbench` pulled in {loaded}"
    assert float(seconds) < 1.0


def test_moved_modules_still_import_under_their_old_names() -> None:
    """Notebooks written against the flat core keep running: the same module, and a deprecation notice."""
    import importlib
    import warnings

    from workbench import MOVED_MODULES

    for old, new in MOVED_MODULES.items():
        sys.modules.pop(old, None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.import_module(old)
        assert module is importlib.import_module(new), old
        assert [str(w.message) for w in caught if w.category is DeprecationWarning] == [
            f"{old} moved to {new}; import it from there"
        ], old
        sys.modules.pop(old, None)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("workbench.no_such_module")


def test_every_core_package_says_what_it_owns_and_may_import() -> None:
    """A newcomer reading the tree finds, in each package's docstring, what belongs there."""
    import importlib

    for init in sorted((ROOT / "workbench").glob("*/__init__.py")):
        package = importlib.import_module(f"workbench.{init.parent.name}")
        doc = package.__doc__ or ""
        assert len(doc) > 80, f"{init.parent.name}: no docstring saying what it owns"
        assert "May import" in doc, f"{init.parent.name}: the docstring does not say what it may import"
