"""The ``workbench`` command line. Each command lives in its own module with a ``register`` function.

Run ``workbench --help`` for the list; the README documents every command.

May import: every other package of the workbench (the top layer), ``connectors`` and ``data_quality``;
:mod:`workbench.ui` only to serve the app. Nothing imports the CLI but ``workbench.__main__``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from workbench.i18n import _

__all__ = ["main", "build_parser", "COMMANDS"]


def _command_modules() -> list[str]:
    """Every module of this package except ``common`` adds one or more subcommands."""
    import pkgutil

    return sorted(
        m.name for m in pkgutil.iter_modules(__path__) if m.name != "common" and not m.name.startswith("_")
    )


COMMANDS: tuple[str, ...] = tuple(_command_modules())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description=_("CEN Intelligence Workbench: customs seizure data, routes, networks, trends, risk."),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"workbench.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PermissionError as e:  # a refused sign-in or an action the matrix does not allow
        print(_("refused: {e}", e=e), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
