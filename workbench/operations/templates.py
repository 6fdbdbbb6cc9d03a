"""Data templates: the fields one operation collects, and what is derived from them.

A template is a list of fields. A field either takes a column of the exchange format
(``like: cases.seizure_date``: its type, meaning, personal-data flag, help and valid values come from
:mod:`workbench.format.schema`) or is the operation's own (``type`` text, int, float, date or code, with
its ``codes`` list). From the template the workbench derives:

- the columns (:meth:`Template.columns`, format :class:`~workbench.format.schema.Column` objects) that
  the entry form (``workbench/ui/operations.py``) draws its widgets from;
- an Excel workbook for offline entry with data-validation lists (:func:`excel_template`);
- the row checks every submission passes (:func:`check_rows`, with the messages of
  :mod:`workbench.exchange.rowchecks`, naming file, sheet, row and column), and the Great Expectations
  suite of ``data_quality/templates.py`` that the app and the command line run after them.

Examples
--------
>>> t = Template.from_spec([{"like": "cases.seizure_date", "required": True},
...                         {"name": "route_leg", "type": "code", "codes": ["direct", "via_hub"]}])
>>> [(c.name, c.type) for c in t.columns()]
[('seizure_date', 'date'), ('route_leg', 'text')]
>>> import pandas as pd
>>> good, bad = check_rows(t, pd.DataFrame({"seizure_date": ["2026-02-01", "1/2/26"],
...                                          "route_leg": ["direct", "by_sea"]}), where="form")
>>> len(good), sorted((r.row, r.column) for r in bad)
(1, [(3, 'route_leg'), (3, 'seizure_date')])
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.exchange.files import ROW
from workbench.exchange.rowchecks import Rejection, coerce_column, strip_controls
from workbench.format.schema import FORMAT, Column
from workbench.i18n import _

__all__ = [
    "FIELD_TYPES",
    "SHEET",
    "Template",
    "TemplateField",
    "check_rows",
    "excel_template",
]

#: The types of an operation's own fields (``code``: one of the field's ``codes``).
FIELD_TYPES: tuple[str, ...] = ("text", "int", "float", "date", "bool", "code")
#: The sheet of the Excel template (and of a workbook submitted back) that holds the rows.
SHEET = "submission"
#: Rows of the Excel template that carry the data-validation lists.
_TEMPLATE_ROWS = 1000


@dataclass(frozen=True)
class TemplateField:
    """One field of a template: a format column (``like``) or the operation's own field."""

    name: str
    like: str | None = None
    type: str = "text"
    codes: tuple[str, ...] = ()
    required: bool = False
    personal: bool = False
    help: str = ""

    def column(self) -> Column:
        """The field as a format column (its type, meaning and valid values)."""
        if self.like:
            table, _dot, col = self.like.partition(".")
            base = FORMAT.table(table).column(col)
            return replace(
                base,
                name=self.name,
                required=self.required or base.required,
                help=self.help or base.help,
                origin=self.like,
            )
        return Column(
            name=self.name,
            type="text" if self.type == "code" else self.type,
            required=self.required,
            help=self.help,
            kind="code" if self.type == "code" else ("free_text" if self.type == "text" else self.type),
            personal=self.personal,
        )

    @property
    def allowed(self) -> tuple[str, ...]:
        """The values a cell may hold (empty: any of its type)."""
        if self.codes:
            return self.codes
        col = self.column()
        if col.type == "enum" and col.enum:
            return tuple(FORMAT.enums[col.enum])
        return ()

    @property
    def is_personal(self) -> bool:
        return self.column().personal


@dataclass(frozen=True)
class Template:
    """An operation's template: its fields in entry order (``version`` counts the organiser's edits)."""

    fields: tuple[TemplateField, ...]
    version: int = 0

    @classmethod
    def from_spec(cls, spec: Iterable[Mapping[str, Any]], version: int = 0) -> Template:
        """A template from a list of field mappings (JSON or YAML); refuses unknown format columns, unknown
        types, code fields without codes and repeated names, each with a message naming the field."""
        fields: list[TemplateField] = []
        seen: set[str] = set()
        for i, raw in enumerate(spec, start=1):
            d = dict(raw)
            like = d.get("like")
            if like:
                table, _dot, col = str(like).partition(".")
                if table not in FORMAT.tables or col not in FORMAT.table(table).column_names:
                    raise ValueError(
                        _(
                            "field {i}: {like} is not a column of the exchange format (table.column)",
                            i=i,
                            like=like,
                        )
                    )
                name = str(d.get("name") or col)
            else:
                name = str(d.get("name") or "").strip()
                if not name:
                    raise ValueError(_("field {i}: a field needs a name or a format column (like)", i=i))
                if d.get("type", "text") not in FIELD_TYPES:
                    raise ValueError(
                        _(
                            "field {name}: not a type: {type}; types are {types}",
                            name=name,
                            type=d.get("type"),
                            types=", ".join(FIELD_TYPES),
                        )
                    )
                if d.get("type") == "code" and not d.get("codes"):
                    raise ValueError(_("field {name}: a code field needs its list of codes", name=name))
            if name in seen:
                raise ValueError(_("field {name} appears twice in the template", name=name))
            seen.add(name)
            fields.append(
                TemplateField(
                    name=name,
                    like=str(like) if like else None,
                    type=str(d.get("type", "text")),
                    codes=tuple(str(c) for c in d.get("codes") or ()),
                    required=bool(d.get("required", False)),
                    personal=bool(d.get("personal", False)),
                    help=str(d.get("help", "")),
                )
            )
        if not fields:
            raise ValueError(_("a template needs at least one field"))
        return cls(tuple(fields), version)

    @classmethod
    def from_json(cls, text: str, version: int = 0) -> Template:
        return cls.from_spec(json.loads(text), version)

    def to_spec(self) -> list[dict[str, Any]]:
        out = []
        for f in self.fields:
            d = {k: v for k, v in asdict(f).items() if v not in (None, (), "", False)}
            if "codes" in d:
                d["codes"] = list(d["codes"])
            if f.like:
                d.pop("type", None)
            out.append(d)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_spec(), ensure_ascii=False)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def columns(self) -> list[Column]:
        return [f.column() for f in self.fields]

    def field(self, name: str) -> TemplateField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def personal_fields(self) -> list[str]:
        """The fields that hold personal data (erased at the end of the retention)."""
        return [f.name for f in self.fields if f.is_personal]


def check_rows(
    template: Template, frame: pd.DataFrame, *, where: str, codes: Sequence[str] | None = None
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Check submitted rows against the template: typed good rows (with their ``_row``) and one
    :class:`Rejection` per failing cell, naming ``where`` (file and sheet, or "form"), the row and the
    column, as an import does. Columns the template does not know refuse the whole submission."""
    if codes is None:
        from workbench.format.reference import country_codes

        codes = sorted(country_codes())
    if ROW not in frame.columns:
        frame = frame.assign(**{ROW: np.arange(2, len(frame) + 2)})
    # rows left blank (an Excel template holds a thousand formatted ones) are not submissions
    cells = frame.drop(columns=[ROW]).astype("string").apply(lambda s: s.str.strip())
    frame = frame[~(cells.isna() | cells.eq("")).all(axis=1)].reset_index(drop=True)
    n = len(frame)
    rows = frame[ROW].to_numpy()
    unknown = [c for c in frame.columns if c not in template.names and c != ROW]
    if unknown:
        reason = _(
            "columns the template does not have: {cols}; the template's are {names}",
            cols=", ".join(map(str, unknown)),
            names=", ".join(template.names),
        )
        return frame.iloc[0:0], [Rejection(SHEET, None, ", ".join(map(str, unknown)), reason, where)]
    bad = np.zeros(n, dtype=bool)
    rejections: list[Rejection] = []
    typed: dict[str, pd.Series] = {}
    for f in template.fields:
        col = f.column()
        if f.name not in frame.columns:
            if col.required:
                return frame.iloc[0:0], [
                    Rejection(SHEET, None, f.name, _("required column missing: every row refused"), where)
                ]
            typed[f.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
            continue
        cells, _cleaned = strip_controls(frame[f.name])
        values, failures = coerce_column(cells, col, codes)
        if f.codes:
            v = values.astype("string")
            off = (values.notna() & ~v.isin(list(f.codes))).fillna(False).astype(bool)
            failures.append((off, _("not one of: {codes}", codes=", ".join(f.codes))))
            values = values.mask(off)
        if col.pattern:
            off = (values.notna() & ~values.astype("string").str.match(col.pattern).fillna(False)).astype(
                bool
            )
            failures.append((off, _("does not match the pattern {pattern}", pattern=col.pattern)))
        col_bad = np.zeros(n, dtype=bool)
        for mask, reason in failures:
            m = mask.to_numpy(dtype=bool) & ~col_bad
            rejections.extend(Rejection(SHEET, int(r), f.name, reason, where) for r in rows[m])
            col_bad |= m
        if col.required:
            missing = values.isna().to_numpy(dtype=bool) & ~col_bad
            rejections.extend(
                Rejection(SHEET, int(r), f.name, _("required value is blank"), where) for r in rows[missing]
            )
            col_bad |= missing
        bad |= col_bad
        typed[f.name] = values
    out = pd.DataFrame(typed, index=frame.index)
    out.insert(0, ROW, rows)
    good = out[~bad].reset_index(drop=True)
    rejections.sort(
        key=lambda r: (r.row or 0, template.names.index(r.column) if r.column in template.names else 0)
    )
    return good, rejections


def excel_template(template: Template, path: str | Path, *, title: str = "") -> Path:
    """Write the Excel workbook for offline entry: a ``submission`` sheet with one column per field
    (a list to pick from where the field has codes, whole or decimal numbers and dates checked as
    typed), a ``fields`` sheet saying what each field holds, and the lists on a hidden sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    lists = wb.create_sheet("lists")
    lists.sheet_state = "hidden"
    info = wb.create_sheet("fields")
    info.append([_("field"), _("type"), _("required"), _("allowed values"), _("what it holds")])
    for cell in info[1]:
        cell.font = Font(bold=True)
    list_col = 0
    for i, f in enumerate(template.fields, start=1):
        col = f.column()
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i, value=f.name)
        head.font = Font(bold=True)
        if col.help:
            head.comment = Comment(col.help[:500], "workbench")
        ws.column_dimensions[letter].width = max(12, len(f.name) + 4)
        rng = f"{letter}2:{letter}{_TEMPLATE_ROWS + 1}"
        allowed = f.allowed
        dv: DataValidation | None = None
        if allowed:
            list_col += 1
            ll = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=f.name)
            for j, v in enumerate(allowed, start=2):
                lists.cell(row=j, column=list_col, value=v)
            dv = DataValidation(
                type="list", formula1=f"=lists!${ll}$2:${ll}${len(allowed) + 1}", allow_blank=not col.required
            )
            dv.error = _("choose one of the listed values")
        elif col.type == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = _("a whole number")
        elif col.type == "float":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = _("a number")
        if dv is not None:
            dv.showErrorMessage = True
            dv.add(rng)
            ws.add_data_validation(dv)
        if col.type == "date":
            for r in range(2, _TEMPLATE_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
        info.append(
            [
                f.name,
                "code" if f.codes else col.type,
                "yes" if col.required else "",
                ", ".join(allowed),
                col.help,
            ]
        )
    ws.freeze_panes = "A2"
    if title:
        wb.properties.title = title
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    wb.save(p)
    return p
