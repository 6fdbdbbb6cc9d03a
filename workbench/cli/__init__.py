"""The ``workbench`` command line. Each command lives in its own module with a ``register`` function.

Run ``workbench --help`` for the list; the README documents every command.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser", "COMMANDS"]

#: Modules of ``workbench.cli`` that each add one or more subcommands.
COMMANDS: tuple[str, ...] = ("sample", "importing", "seed", "info")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="CEN Intelligence Workbench: customs seizure data, routes, networks, trends, risk.",
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
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
