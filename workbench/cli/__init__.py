"""The ``workbench`` command line. Each command lives in its own module with a ``register`` function.

Run ``workbench --help`` for the list; the README documents every command.

May import: every other package of the workbench (the top layer), ``connectors`` and ``data_quality``;
:mod:`workbench.ui` only to serve the app. Nothing imports the CLI but ``workbench.__main__``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Mapping, Sequence

from workbench.i18n import LANGUAGES, _, language_from, set_language

__all__ = ["main", "build_parser", "COMMANDS", "cli_language"]


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
    parser.add_argument("--lang", type=_language_arg, default=None, help=_LANG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"workbench.cli.{name}").register(sub)
    _lang_everywhere(sub)
    return parser


_LANG_HELP = (
    f"language of the messages, reports, products and exports ({', '.join(LANGUAGES)}); "
    "default: LC_ALL, LC_MESSAGES or LANG (fr_FR.UTF-8 -> fr), else WORKBENCH_LANGUAGE"
)


def _language_arg(value: str) -> str:
    code = language_from(value)
    if code is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not one of {', '.join(LANGUAGES)}")
    return code


def _lang_everywhere(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``--lang`` after the command too (``workbench product download X --lang fr``): every command and
    verb takes it; given there, it wins over the one before the command."""
    for parser in sub.choices.values():
        if not any("--lang" in a.option_strings for a in parser._actions):
            parser.add_argument("--lang", type=_language_arg, default=argparse.SUPPRESS, help=_LANG_HELP)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                _lang_everywhere(action)


def cli_language(requested: str | None, env: Mapping[str, str] | None = None) -> str:
    """The language of a command-line run: ``--lang``, else the locale's (``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``, the first that is set, as gettext reads them; ``C``/``POSIX`` name no language), else
    ``WORKBENCH_LANGUAGE``, else English.

    >>> cli_language("ru", {"LANG": "fr_FR.UTF-8"}), cli_language(None, {"LANG": "fr_FR.UTF-8"})
    ('ru', 'fr')
    >>> cli_language(None, {"LANG": "C.UTF-8", "WORKBENCH_LANGUAGE": "es"}), cli_language(None, {})
    ('es', 'en')
    """
    env = os.environ if env is None else env
    if requested:
        return language_from(requested) or "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            found = language_from(env[name])
            if found:
                return found
            break  # set to a locale without a workbench language (C, de_DE): the setting below decides
    return language_from(env.get("WORKBENCH_LANGUAGE")) or "en"


def _requested_language(argv: Sequence[str]) -> str | None:
    """The last ``--lang`` of the command line, read before the parser is built (its help texts are
    written in the language in force)."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(cli_language(_requested_language(argv)))
    parser = build_parser()
    args = parser.parse_args(argv)
    set_language(cli_language(getattr(args, "lang", None)))
    from workbench.cli.common import Refusal

    try:
        return int(args.func(args) or 0)
    except Refusal as e:  # the library refused the input (workbench.cli.common.refused)
        print(_("error: {error}", error=e), file=sys.stderr)
        return 2
    except PermissionError as e:  # a refused sign-in or an action the matrix does not allow
        print(_("refused: {e}", e=e), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
