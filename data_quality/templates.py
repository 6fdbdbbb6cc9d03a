"""The Great Expectations suite of an operation's data template, and the gate that runs it on each
submission (``workbench.operations.submissions.submit_rows(..., gate=template_gate)``).

The suite is derived, never written by hand: per field, ``not_be_null`` when it is required,
``be_in_set`` for a field with a code list or a format enumeration, ``be_between`` for the format's
ranges, ``match_regex`` for its patterns; plus the catalogue's own rules of the format's tables
(:func:`data_quality.catalogue.rules_for`, stage ``suite``) whose columns the template holds under the
format's names (a seizure date not in the future, a departure country other than the destination, ...).
A critical finding refuses its row, a warning is returned with it, both with the rule's problem as the
reason, naming file, sheet, row and column.

Examples
--------
>>> from workbench.operations.templates import Template
>>> t = Template.from_spec([{"like": "cases.seizure_date", "required": True},
...                         {"name": "route", "type": "code", "codes": ["direct", "via_hub"]}])
>>> [r.id for r in template_rules(t)]  # doctest: +NORMALIZE_WHITESPACE
['template.expect_column_values_to_not_be_null.seizure_date', 'template.expect_column_values_to_be_in_set.route',
 'cases.expect_date_not_in_future_nor_before_1990.seizure_date']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from data_quality.catalogue import Rule, rules_for
from workbench.exchange.rowchecks import Rejection
from workbench.i18n import _

if TYPE_CHECKING:
    from workbench.operations.templates import Template

__all__ = ["TABLE", "template_gate", "template_rules"]

#: The name the template's own rules carry (their ids: ``template.<expectation>.<field>``).
TABLE = "template"


def template_rules(template: Template) -> list[Rule]:
    """The rules of the template's suite (see the module docstring)."""
    rules: list[Rule] = []
    for f in template.fields:
        col = f.column()
        kw = {"column": f.name}
        if col.required:
            rules.append(
                Rule(
                    TABLE,
                    "expect_column_values_to_not_be_null",
                    f.name,
                    "critical",
                    kw,
                    _("{field} is blank", field=f.name),
                )
            )
        if f.allowed:
            rules.append(
                Rule(
                    TABLE,
                    "expect_column_values_to_be_in_set",
                    f.name,
                    "critical",
                    {**kw, "value_set": list(f.allowed)},
                    _("{field} is not one of: {values}", field=f.name, values=", ".join(f.allowed)),
                )
            )
        if col.is_numeric and (col.min is not None or col.max is not None):
            rules.append(
                Rule(
                    TABLE,
                    "expect_column_values_to_be_between",
                    f.name,
                    "critical",
                    {**kw, "min_value": col.min, "max_value": col.max},
                    _("{field} is out of range", field=f.name),
                )
            )
        if col.type == "text" and col.pattern:
            rules.append(
                Rule(
                    TABLE,
                    "expect_column_values_to_match_regex",
                    f.name,
                    "critical",
                    {**kw, "regex": col.pattern},
                    _("{field} does not match {pattern}", field=f.name, pattern=col.pattern),
                )
            )
    # the catalogue's rules of the format tables the template draws on, where it keeps the format's names
    names = set(template.names)
    same_name = {f.like for f in template.fields if f.like and f.like.endswith("." + f.name)}
    for table in sorted({like.partition(".")[0] for like in same_name}):
        for r in rules_for(table):
            mine = {(x.expectation, x.column) for x in rules}
            if (
                r.stage == "suite"
                and (r.expectation, r.column) not in mine
                and set(r.columns) <= names
                and all(f"{table}.{c}" in same_name for c in r.columns)
            ):
                rules.append(r)
    return rules


def template_gate(template: Template, frame: pd.DataFrame, where: str) -> list[Rejection]:
    """Run the template's suite on a submission's typed rows (``_row``: their spreadsheet rows) with
    Great Expectations; one :class:`Rejection` per failing row and rule."""
    from data_quality.engine import GXEngine
    from workbench.operations.templates import SHEET

    found: list[Rejection] = []
    for outcome in GXEngine().run(TABLE, frame, template_rules(template)):
        r = outcome.rule
        if outcome.error:
            found.append(
                Rejection(
                    SHEET,
                    None,
                    r.column,
                    _("the check {check} failed: {error}", check=r.id, error=outcome.error),
                    where,
                    "warning",
                )
            )
            continue
        found.extend(
            Rejection(SHEET, int(row), r.column, r.problem, where, r.severity) for row in outcome.failing
        )
    return sorted(found, key=lambda x: (x.row or 0, x.column or ""))
