"""Indicators in and out: YAML (a list of indicators) and Excel (one row per indicator).

YAML is the interchange form of the issue: each indicator a mapping, conditions written in flow style
(``{field: departure_country, op: in, value: [BO, CO, PE]}``). A workbook has a sheet ``indicators``
with one row per indicator and the condition tree in the ``when`` column as YAML text (the
``reads_as`` column is for people and ignored on import). Reading checks every indicator
(:meth:`~workbench.risk.model.Indicator.from_dict`) and refuses the file with every problem named by
file, sheet, row, indicator and column (or condition path).

Examples
--------
>>> text = '''
... - id: RI-017
...   name: Cocaine couriers from the Andean region via West Africa
...   category: general_high_risk
...   weight: 40
...   when:
...     all:
...       - {field: departure_country, op: in, value: [BO, CO, PE]}
...       - {field: transit_countries, op: contains_any, value: [GH, NG, SN, TG]}
...       - {field: transport_mode, op: eq, value: air_passenger}
... '''
>>> [ind] = indicators_from_yaml(text)
>>> print(indicators_to_yaml([ind]).splitlines()[7])
      - {field: departure_country, op: in, value: [BO, CO, PE]}
>>> indicators_from_yaml("- {id: X-1, name: n, category: ipr, weight: 5, when: {field: departure_country, op: in, value: [NO, SE]}}", "x.yaml")
Traceback (most recent call last):
...
workbench.risk.model.IndicatorError: x.yaml, indicator 1, X-1, when (departure_country in): value False is true/false, not text; YAML reads unquoted NO, YES, ON, OFF as true/false: quote the code (e.g. 'NO')
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench.i18n import _
from workbench.risk.fields import FieldSet
from workbench.risk.model import Indicator, IndicatorError, describe

__all__ = [
    "indicators_from_yaml",
    "indicators_to_yaml",
    "indicators_workbook",
    "indicators_from_workbook",
    "read_indicators",
    "diff_text",
    "WORKBOOK_COLUMNS",
]

#: Columns of the ``indicators`` sheet, in order.
WORKBOOK_COLUMNS = (
    "id",
    "name",
    "category",
    "status",
    "weight",
    "valid_from",
    "valid_to",
    "author",
    "reviewer",
    "version",
    "description",
    "rationale",
    "when",
    "reads_as",
)


class _Flow(dict[str, Any]):
    """A mapping written on one line (the leaves of a condition tree)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # lists indented under their key, as people write them
        return super().increase_indent(flow, False)


_Dumper.add_representer(
    _Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)
)
_Dumper.add_representer(
    list,
    lambda d, data: d.represent_sequence(
        "tag:yaml.org,2002:seq", data, flow_style=all(not isinstance(x, (dict, list)) for x in data)
    ),
)


def _flowed(node: Any) -> Any:
    if isinstance(node, dict):
        if "field" in node:
            return _Flow(node)
        return {k: _flowed(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_flowed(x) for x in node]
    return node


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def indicators_to_yaml(indicators: Sequence[Indicator], *, people: bool = True) -> str:
    """The YAML interchange form of ``indicators`` (``people=False`` leaves out status and names)."""
    data = []
    for ind in indicators:
        d = ind.to_dict(people=people)
        d["when"] = _flowed(d["when"])
        data.append(d)
    return _dump(data)


def _check_unique(indicators: list[Indicator], where: str) -> None:
    seen: set[str] = set()
    dupes: list[str] = []
    for i in indicators:
        if i.id in seen:
            dupes.append(i.id)
        seen.add(i.id)
    if dupes:
        raise IndicatorError(
            [
                _(
                    "{where}: indicator id(s) {dupes} appear more than once",
                    where=where,
                    dupes=", ".join(sorted(set(dupes))),
                )
            ]
        )


def indicators_from_yaml(
    text: str, where: str = "indicators.yaml", fields: FieldSet | None = None
) -> list[Indicator]:
    """Indicators from YAML text (a list of mappings); :class:`IndicatorError` lists every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        raise IndicatorError(
            [
                _(
                    "{where}, line {line}, column {column}: not valid YAML ({problem})",
                    where=where,
                    line=mark.line + 1,
                    column=mark.column + 1,
                    problem=e.problem,
                )
                if mark
                else _("{where}: not valid YAML ({problem})", where=where, problem=e.problem)
            ]
        ) from None
    except yaml.YAMLError as e:
        raise IndicatorError([_("{where}: not valid YAML ({e})", where=where, e=e)]) from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise IndicatorError(
            [
                _(
                    "{where}: expected a list of indicators ('- id: ...'), found a {name__}",
                    where=where,
                    name__=type(data).__name__,
                )
            ]
        )
    out: list[Indicator] = []
    problems: list[str] = []
    for k, raw in enumerate(data, start=1):
        try:
            out.append(Indicator.from_dict(raw, fields, where=f"{where}, indicator {k}"))
        except IndicatorError as e:
            problems += e.problems
    if problems:
        raise IndicatorError(problems)
    _check_unique(out, where)
    return out


# ---------------------------------------------------------------------------------------- workbook
def _when_text(ind: Indicator) -> str:
    from workbench.risk.model import condition_to_dict

    return yaml.dump(
        condition_to_dict(ind.when), Dumper=_Dumper, default_flow_style=True, sort_keys=False, width=10_000
    ).strip()


def indicators_workbook(indicators: Sequence[Indicator], *, notes: Sequence[str] = ()) -> bytes:
    """A formatted workbook (:func:`workbench.exchange.excel.formatted_workbook`) with a sheet ``indicators``."""
    from workbench.exchange.excel import formatted_workbook

    rows = []
    for ind in indicators:
        d = ind.to_dict()
        row = {c: d.get(c) for c in WORKBOOK_COLUMNS}
        row["when"] = _when_text(ind)
        row["reads_as"] = describe(ind.when)
        rows.append(row)
    df = pd.DataFrame(rows, columns=list(WORKBOOK_COLUMNS))
    for c in ("valid_from", "valid_to"):
        df[c] = pd.to_datetime(df[c])
    notes = [*notes, "The condition tree is the 'when' column (YAML); 'reads_as' is for reading only."]
    return formatted_workbook({"indicators": df}, title=_("Risk indicators"), notes=notes)


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, dt.datetime):
        return v.date()
    return v.strip() if isinstance(v, str) else v


def indicators_from_workbook(path: str | Path, fields: FieldSet | None = None) -> list[Indicator]:
    """Indicators from the sheet ``indicators`` of a workbook (the header may sit below title lines)."""
    from workbench.exchange.files import ROW, DatasetReadError, read_source

    p = Path(path)
    if p.suffix.lower() not in (".xlsx", ".xlsm"):
        raise IndicatorError([_("{name}: indicators come in a YAML file or an .xlsx workbook", name=p.name)])
    try:
        source = read_source(p)  # title lines above the header are skipped, as for every workbook
    except DatasetReadError as e:
        raise IndicatorError([str(e)]) from None
    table = next((t for name, t in source.tables.items() if name.lower() == "indicators"), None)
    if table is None:
        names = ", ".join(repr(t.sheet) for t in source.tables.values()) or _("none")
        raise IndicatorError(
            [_("{name}: no sheet named 'indicators' (sheets: {names})", name=p.name, names=names)]
        )
    where = table.where
    df = table.frame.drop(columns=[ROW])
    header = [str(c).strip() for c in df.columns]
    first_row = table.header_row + 1
    if not {"id", "when"} <= set(header):
        raise IndicatorError([_("{where}: no header row with the columns 'id' and 'when'", where=where)])
    problems: list[str] = []
    out: list[Indicator] = []
    for offset, values in enumerate(df.itertuples(index=False, name=None)):
        row = first_row + offset
        rec = {h: _cell(v) for h, v in zip(header, values, strict=False) if h and h != "reads_as"}
        if all(v is None for v in rec.values()):
            continue
        rec = {k: v for k, v in rec.items() if v is not None}
        for column in [c for c in rec if c not in WORKBOOK_COLUMNS]:
            problems.append(
                _(
                    "{where}, row {row}, column {column!r}: not a column of the indicators sheet",
                    where=where,
                    row=row,
                    column=column,
                )
            )
            rec.pop(column)
        if isinstance(rec.get("when"), str):
            try:
                rec["when"] = yaml.safe_load(rec["when"])
            except yaml.YAMLError as e:
                problems.append(
                    _(
                        "{where}, row {row}, column 'when': not a valid condition tree in YAML ({e})",
                        where=where,
                        row=row,
                        e=e,
                    )
                )
                continue
        if "id" in rec and not isinstance(rec["id"], str):
            rec["id"] = str(rec["id"])
        try:
            out.append(Indicator.from_dict(rec, fields, where=f"{where}, row {row}"))
        except IndicatorError as e:
            problems += e.problems
    if problems:
        raise IndicatorError(problems)
    _check_unique(out, where)
    return out


def read_indicators(path: str | Path, fields: FieldSet | None = None) -> list[Indicator]:
    """Indicators from a ``.yaml``/``.yml`` file or an ``.xlsx`` workbook."""
    p = Path(path)
    if not p.exists():
        raise IndicatorError([_("{p}: no such file", p=p)])
    if p.suffix.lower() in (".yaml", ".yml"):
        return indicators_from_yaml(p.read_text(encoding="utf-8"), p.name, fields)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return indicators_from_workbook(p, fields)
    raise IndicatorError([_("{name}: indicators come as a .yaml file or an .xlsx workbook", name=p.name)])


def diff_text(old: Indicator, new: Indicator) -> str:
    """A unified diff of two versions' YAML (definition, status and people), for the editor page."""
    a = indicators_to_yaml([old]).splitlines()
    b = indicators_to_yaml([new]).splitlines()
    return "\n".join(
        difflib.unified_diff(
            a, b, f"{old.id} v{old.version or '?'}", f"{new.id} v{new.version or '?'}", lineterm="", n=2
        )
    )
