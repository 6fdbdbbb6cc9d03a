"""``docs/exchange-format.md``, generated from the schema (:mod:`workbench.format.schema`).

The tables, their columns (type, required, kind, personal data, meaning), the non-personal part of a
data set, the kinds of column, the entity graph's node kinds, the columns the store adds and the tables
the workbench's features declare all come from ``exchange_format.yaml`` and ``tables/*.yaml``; so does
the prose (the format's ``description`` and ``notes``, each table's ``title`` and ``description``).
Edit the YAML, then rewrite the page::

    python -m workbench.format.docs          # rewrite docs/exchange-format.md
    python -m workbench.format.docs --check  # exit 1 when the page is out of date

A test (``tests/test_schema.py``) fails when the committed page differs from :func:`render_markdown`.

Examples
--------
>>> page = render_markdown()
>>> page.splitlines()[0]
'# The workbench exchange format (CEN-style seizure records)'
>>> "| phone | text | no | phone · node phone · hint nationality | yes |" in page
True
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.format.schema import FORMAT, Column, Table, declared_tables
from workbench.i18n import _

__all__ = ["DOCS_PATH", "REGENERATE", "render_markdown", "write_markdown", "main"]

#: The page, in the repository (next to the package).
DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "exchange-format.md"
#: The command that rewrites the page.
REGENERATE = "python -m workbench.format.docs"

_TYPES = {"iso2": "ISO2", "iso2_list": "ISO2 list"}


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, ``|`` escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _listing(items: list[str], word: str = "and") -> str:
    """``a, b and c``."""
    return ", ".join(items[:-1]) + f" {word} {items[-1]}" if len(items) > 1 else "".join(items)


def _personal(column: Column) -> str:
    if not column.personal:
        return "no"
    unless = column.personal_unless
    if unless is None:
        return "yes"
    return f"unless {unless.column} is {_listing(sorted(unless.values), 'or')}"


def _kind(column: Column) -> str:
    parts = [column.kind]
    if column.node:
        parts.append(f"node {column.node}")
    if column.hint:
        parts.append(f"hint {column.hint}")
    return " · ".join(parts)


def _meaning(column: Column) -> str:
    values = FORMAT.enum_values(column)
    if values:
        return f"{column.help} (one of: {', '.join(values)})"
    return column.help


def _table_section(table: Table, level: str = "##") -> list[str]:
    lines = [f"{level} {table.name} ({table.title})" if table.title else f"{level} {table.name}", ""]
    if table.description:
        lines += [table.description, ""]
    named = table.caption_template.replace("{", "<").replace("}", ">")
    lines += [f"A row is named `{named}`.", ""]
    lines += [
        "| column | type | required | kind | personal | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for c in table.columns:
        cells = [
            c.name,
            _TYPES.get(c.type, c.type),
            "yes" if c.required else "no",
            _kind(c),
            _personal(c),
            _meaning(c),
        ]
        lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return [*lines, ""]


def _non_personal_section() -> list[str]:
    open_tables = [t for t in FORMAT.tables.values() if not t.personal]
    personal = [t.name for t in FORMAT.tables.values() if t.personal]
    columns = [f"`{c.name}`" for t in open_tables for c in t.personal_columns]

    text = (
        f"The non-personal part of a data set is {' + '.join(f'`{t.name}`' for t in open_tables)} only, "
        f"with {_listing(columns)} removed or cleared of personal data, and with no column of "
        f"{_listing([f'`{n}`' for n in personal], 'or')}. That is what an administration "
        "may pass on to a regional or global database without a legal basis for personal data. The "
        "columns marked personal above are the ones the workbench clears for a user who may not see "
        "personal data."
    )
    return ["## Non-personal export", "", text, ""]


def _kinds_section() -> list[str]:
    lines = [
        "## Kinds of column",
        "",
        "What a column's values mean; the workbench derives from it how a value is normalised, compared, "
        "pseudonymised and typed in analysis frames.",
        "",
        "| kind | meaning |",
        "|---|---|",
    ]
    lines += [f"| {k} | {_cell(v)} |" for k, v in FORMAT.kinds.items()]
    return [*lines, ""]


def _nodes_section() -> list[str]:
    lines = [
        "## Entity-graph nodes",
        "",
        "The node kinds of the entity graph (Network page), what makes them and whether they are personal "
        "data. Identifier nodes are keyed on the value's normal form, so two spellings of one phone or "
        "passport number are one node.",
        "",
        "| node | made by | personal | meaning |",
        "|---|---|---|---|",
    ]
    for name, node in FORMAT.nodes.items():
        makers = [f"a row of `{t.name}`" for t in FORMAT.tables.values() if t.entity == name]
        makers += [f"`{t.name}.{c.name}`" for t, c in FORMAT.node_sources(name)]
        personal = "yes" if name in FORMAT.personal_node_kinds else "no"
        if name not in FORMAT.personal_node_kinds and any(c.personal for _, c in FORMAT.node_sources(name)):
            personal = "some"
        lines.append(f"| {name} | {', '.join(makers)} | {personal} | {_cell(node.help)} |")
    return [*lines, ""]


def _added_section() -> list[str]:
    stored = _listing([f"`{c.name}` ({_cell(c.help)})" for c in FORMAT.stored])
    lines = [
        "## What the workbench adds",
        "",
        "- The format is held as data in `workbench/format/exchange_format.yaml` (this page is generated "
        f"from it: `{REGENERATE}`); the store's tables, the row checks, the data-quality suites, the sample "
        "writer, privacy and the exports, the entity graph and entity resolution are all derived from it.",
        f"- Each stored row also carries {stored}.",
    ]
    if FORMAT.notes:
        lines.append(FORMAT.notes)
    return [*lines, ""]


def _declared_section() -> list[str]:
    tables = declared_tables()
    if not tables:
        return []
    lines = [
        "## Tables of the workbench's features",
        "",
        "The workbench's own features declare their tables the same way, in `workbench/format/tables/`.",
        "",
    ]
    for table in tables.values():
        lines += _table_section(table, "###")
    return lines


def render_markdown() -> str:
    """The whole page, as the schema says it."""
    lines = [
        "# The workbench exchange format (CEN-style seizure records)",
        "",
        f"<!-- Generated from workbench/format/exchange_format.yaml by `{REGENERATE}`: edit the YAML, "
        "not this page. -->",
        "",
        FORMAT.description,
        "",
    ]
    for table in FORMAT.tables.values():
        lines += _table_section(table)
    lines += _non_personal_section()
    lines += _kinds_section()
    lines += _nodes_section()
    lines += _added_section()
    lines += _declared_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def write_markdown(path: Path = DOCS_PATH) -> bool:
    """Write the page to ``path``; whether it changed."""
    page = render_markdown()
    if path.exists() and path.read_text(encoding="utf-8") == page:
        return False
    path.write_text(page, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=REGENERATE, description=_("Write docs/exchange-format.md from the format's schema.")
    )
    parser.add_argument("--check", action="store_true", help=_("exit 1 when the page is out of date"))
    parser.add_argument("--path", type=Path, default=DOCS_PATH, help=_("where the page is"))
    args = parser.parse_args(argv)
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != render_markdown():
            print(
                _("{path} is out of date: run {command}", path=args.path, command=REGENERATE), file=sys.stderr
            )
            return 1
        return 0
    if write_markdown(args.path):
        print(_("{path} rewritten", path=args.path))
    else:
        print(_("{path} is up to date", path=args.path))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
