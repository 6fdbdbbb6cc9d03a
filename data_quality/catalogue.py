"""The rule catalogue: every expectation the workbench holds a submission to, per exchange-format table.

The **format** part is derived from the exchange format itself (:data:`workbench.format.schema.FORMAT`):
required columns and values, types, enumerations, ISO codes, ranges, patterns and keys. It is not
written twice: the same definition drives :mod:`workbench.exchange.rowchecks`, which enforces it while a file is
read (``stage="read"`` rules are only checked there, on the raw cells), and the suites below re-assert
it on the typed rows and on the store.

The **trust** part is this project's own: place of seizure in or near the reporting country, place code
agreeing with coordinates, units and quantities plausible per commodity, coherent dates and routes,
every item, person and company pointing to a case, and likely duplicates.

Each :class:`Rule` is plain data (no Great Expectations import): the expectation type and its keyword
arguments, the column reported, a severity (``critical`` quarantines the row, ``warning`` stores and flags
it), the scorecard dimension it counts against, and a sentence for people saying what is wrong and how to
fix it. :mod:`data_quality.engine` turns rules into GX suites or runs them as plain pandas.

Examples
--------
>>> rules = rules_for("cases")
>>> r = rule("cases", "expect_entry_date_not_before_seizure_date", "entry_date")
>>> r.severity, r.kwargs["column_A"], r.dimension
('critical', 'entry_date', 'validity')
>>> sorted({x.severity for x in rules})
['critical', 'warning']
>>> rule("items", "expect_column_values_to_match_regex", "hs_code").kwargs["regex"]
'^\\\\d{6}$'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from data_quality.checks import PLACE_CODE_REGEX, TRANSIT_REPEAT_REGEX, country_list_regex
from workbench.format import reference
from workbench.format.schema import FORMAT, TABLE_NAMES, Column
from workbench.i18n import _, language

__all__ = [
    "Rule",
    "SEVERITIES",
    "DIMENSIONS",
    "CASE_KNOWN",
    "DUPLICATE_OF",
    "rules_for",
    "all_rules",
    "rule",
    "rule_for_rejection",
    "EARLIEST_SEIZURE",
    "EARLIEST_BIRTH",
    "BUILT_IN",
]

SEVERITIES = ("critical", "warning")
#: Scorecard dimensions a failing rule counts against (completeness and timeliness are measured, not failed).
DIMENSIONS = ("validity", "consistency", "uniqueness")
#: Derived columns the engine adds before the suites run (they need the submission or the store).
CASE_KNOWN = "_case_known"
DUPLICATE_OF = "_duplicate_of"
EARLIEST_SEIZURE = dt.date(1990, 1, 1)
EARLIEST_BIRTH = dt.date(1900, 1, 1)


#: The workbench's own expectations that are GX built-ins under another name: own type -> built-in type.
#: (The multi-column checks, those with a ``rule`` keyword, run the checks of :mod:`data_quality.checks`.)
BUILT_IN: dict[str, str] = {
    "expect_place_code_to_be_iata_or_unlocode": "expect_column_values_to_match_regex",
    "expect_date_not_in_future_nor_before_1990": "expect_column_values_to_be_between",
    "expect_date_of_birth_plausible": "expect_column_values_to_be_between",
    "expect_entry_date_not_before_seizure_date": "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_transit_without_repeated_neighbours": "expect_column_values_to_not_match_regex",
    "expect_case_to_exist": "expect_column_values_to_be_in_set",
    "expect_no_likely_duplicate_seizure": "expect_column_values_to_be_null",
}


@dataclass(frozen=True)
class Rule:
    """One expectation on one table.

    ``stage``: ``read`` (checked by :mod:`workbench.exchange.rowchecks` on raw cells only), ``suite`` (run on the
    typed rows), ``context`` (needs the whole submission and the store: referential integrity) or
    ``state`` (needs what came before in the submission and the store: likely duplicates).
    ``sql``: whether the store check can run it inside the database.
    """

    table: str
    expectation: str
    column: str
    severity: str
    kwargs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    problem: str = ""
    fix: str = ""
    dimension: str = "validity"
    stage: str = "suite"
    sql: bool = True

    @property
    def id(self) -> str:
        """Stable identifier: ``table.expectation.column``."""
        return f"{self.table}.{self.expectation}.{self.column}"

    @property
    def columns(self) -> list[str]:
        """The columns the expectation reads (its GX domain)."""
        kw = self.kwargs
        if "column_list" in kw:
            return list(kw["column_list"])
        if "column_A" in kw:
            return [kw["column_A"], kw["column_B"]]
        if "column" in kw:
            return [kw["column"]]
        return [c.strip() for c in self.column.split(",")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "table": self.table,
            "expectation": self.expectation,
            "column": self.column,
            "severity": self.severity,
            "dimension": self.dimension,
            "stage": self.stage,
            "problem": self.problem,
            "fix": self.fix,
        }


def _label(c: Column) -> str:
    return c.name.replace("_", " ")


def _format_rules(table: str) -> list[Rule]:
    """The exchange format's own rules for ``table``, derived from :data:`FORMAT`."""
    spec = FORMAT.table(table)
    out: list[Rule] = []
    codes = sorted(reference.country_codes())
    for c in spec.columns:
        if c.required:
            out.append(
                Rule(
                    table,
                    "expect_column_to_exist",
                    c.name,
                    "critical",
                    {"column": c.name},
                    _("the required column {name!r} is missing", name=c.name),
                    _("add a column headed {name!r} to the {table} sheet", name=c.name, table=table),
                    stage="read",
                    sql=False,
                )
            )
            out.append(
                Rule(
                    table,
                    "expect_column_values_to_not_be_null",
                    c.name,
                    "critical",
                    {"column": c.name},
                    _("the {label} is blank but required", label=_label(c)),
                    _("fill in the {label}", label=_label(c)),
                )
            )
        if c.type == "date":
            out.append(
                Rule(
                    table,
                    "expect_column_values_to_match_strftime_format",
                    c.name,
                    "critical",
                    {"column": c.name, "strftime_format": "%Y-%m-%d"},
                    _("the {label} is not a date", label=_label(c)),
                    _("write the date as YYYY-MM-DD (e.g. 2024-03-31)"),
                    stage="read",
                    sql=False,
                )
            )
        elif c.is_numeric:
            out.append(
                Rule(
                    table,
                    "expect_column_values_to_be_in_type_list",
                    c.name,
                    "critical",
                    {
                        "column": c.name,
                        "type_list": ["int", "int64", "Int64"]
                        if c.type == "int"
                        else ["float", "float64", "int", "int64"],
                    },
                    _("the {label} is not a whole number", label=_label(c))
                    if c.type == "int"
                    else _("the {label} is not a number", label=_label(c)),
                    _("write a plain number without units or thousands separators (e.g. 1250.5)"),
                    stage="read",
                    sql=False,
                )
            )
        if c.type == "iso2":
            out.append(
                Rule(
                    table,
                    "expect_column_values_to_be_in_set",
                    c.name,
                    "critical",
                    {"column": c.name, "value_set": codes},
                    _("the {label} is not an ISO 3166-1 alpha-2 country code", label=_label(c)),
                    _("use the two-letter ISO code (FR, NG, BR ...; XX when unknown)"),
                )
            )
        elif c.type == "enum":
            allowed = list(FORMAT.enum_values(c))
            out.append(
                Rule(
                    table,
                    "expect_column_values_to_be_in_set",
                    c.name,
                    "critical",
                    {"column": c.name, "value_set": allowed},
                    _("the {label} is not one of the format's values", label=_label(c)),
                    _("use one of: {allowed}", allowed=", ".join(allowed)),
                )
            )
        elif c.type == "iso2_list":
            out.append(
                Rule(
                    table,
                    "expect_column_values_to_match_regex",
                    c.name,
                    "critical",
                    {"column": c.name, "regex": country_list_regex()},
                    _("the {label} are not a list of ISO2 country codes", label=_label(c)),
                    _("list two-letter ISO codes in route order, separated by ';' (e.g. SN;ES)"),
                )
            )
        if c.min is not None or c.max is not None or c.min_exclusive is not None:
            kw: dict[str, Any] = {"column": c.name}
            low = c.min_exclusive if c.min_exclusive is not None else c.min
            if c.min_exclusive is not None:
                kw.update(min_value=c.min_exclusive, strict_min=True)
            elif c.min is not None:
                kw["min_value"] = c.min
            if c.max is not None:
                kw["max_value"] = c.max
            label = _label(c)
            if low is not None and c.max is not None:
                must = (
                    _(
                        "the {label} must be greater than {low:g} and at most {high:g}",
                        label=label,
                        low=low,
                        high=c.max,
                    )
                    if c.min_exclusive is not None
                    else _(
                        "the {label} must be at least {low:g} and at most {high:g}",
                        label=label,
                        low=low,
                        high=c.max,
                    )
                )
            elif low is not None:
                must = (
                    _("the {label} must be greater than {low:g}", label=label, low=low)
                    if c.min_exclusive is not None
                    else _("the {label} must be at least {low:g}", label=label, low=low)
                )
            else:
                must = _("the {label} must be at most {high:g}", label=label, high=c.max)
            out.append(
                Rule(
                    table,
                    "expect_column_values_to_be_between",
                    c.name,
                    "critical",
                    kw,
                    _("the {label} is out of range", label=_label(c)),
                    must,
                )
            )
        if c.pattern:
            out.append(
                Rule(
                    table,
                    "expect_column_values_to_match_regex",
                    c.name,
                    "critical",
                    {"column": c.name, "regex": c.pattern},
                    _("the {label} does not have the expected form", label=_label(c)),
                    _("write the {label} as {form}", label=_label(c), form=c.help or c.pattern),
                )
            )
    key = list(spec.key)
    out.append(
        Rule(
            table,
            "expect_compound_columns_to_be_unique",
            ", ".join(key),
            "critical",
            {"column_list": key},
            _("the key {key} occurs more than once", key=", ".join(key)),
            _("give every row its own key, or merge the repeated rows"),
        )
    )
    return out


def _referential(table: str) -> Rule:
    return Rule(
        table,
        "expect_case_to_exist",
        "case_id",
        "critical",
        {"column": CASE_KNOWN, "value_set": [True]},
        _("points to a case that is neither in this submission (or it was refused) nor in the store"),
        _("add the case to the cases sheet, correct the case_id/reporting_country, or fix the refused case"),
        stage="context",
    )


def _trust_rules(table: str, today: dt.date) -> list[Rule]:
    """The project's own expectations for what makes seizure data trustworthy."""
    if table == "cases":
        return [
            Rule(
                "cases",
                "expect_place_code_to_be_iata_or_unlocode",
                "place_code",
                "critical",
                {"column": "place_code", "regex": PLACE_CODE_REGEX},
                _("the place code is neither an IATA airport code nor a UN/LOCODE"),
                _(
                    "use the 3-letter IATA code for airports (CDG) or the 5-character UN/LOCODE for ports "
                    "and border points (NLRTM); leave it blank if there is none"
                ),
            ),
            Rule(
                "cases",
                "expect_date_not_in_future_nor_before_1990",
                "seizure_date",
                "critical",
                {
                    "column": "seizure_date",
                    "min_value": EARLIEST_SEIZURE.isoformat(),
                    "max_value": today.isoformat(),
                },
                _("the seizure date is in the future or before 1990"),
                _("check the seizure date (day and month swapped? two-digit year?)"),
            ),
            Rule(
                "cases",
                "expect_date_not_in_future_nor_before_1990",
                "entry_date",
                "critical",
                {
                    "column": "entry_date",
                    "min_value": EARLIEST_SEIZURE.isoformat(),
                    "max_value": today.isoformat(),
                },
                _("the entry date is in the future or before 1990"),
                _("give the date the case was entered in the national system"),
            ),
            Rule(
                "cases",
                "expect_entry_date_not_before_seizure_date",
                "entry_date",
                "critical",
                {
                    "column_A": "entry_date",
                    "column_B": "seizure_date",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                _("the entry date is before the seizure date"),
                _("a case is entered on or after the day of the seizure: check both dates"),
            ),
            Rule(
                "cases",
                "expect_place_in_or_near_reporting_country",
                "latitude, longitude",
                "warning",
                {
                    "column_list": ["latitude", "longitude", "reporting_country"],
                    "rule": "place_in_or_near_country",
                    "params": {"tolerance_km": 50.0},
                    "ignore_row_if": "any_value_is_missing",
                },
                _("the coordinates lie more than 50 km outside the reporting country"),
                _(
                    "check latitude and longitude (swapped? sign lost for west or south?) or the reporting country"
                ),
                dimension="consistency",
                sql=False,
            ),
            Rule(
                "cases",
                "expect_place_code_in_reporting_country",
                "place_code",
                "warning",
                {
                    "column_list": ["place_code", "reporting_country"],
                    "rule": "place_code_in_reporting_country",
                    "params": {},
                    "ignore_row_if": "any_value_is_missing",
                },
                _("the place code names an airport or port in another country"),
                _("check the place code against the place of seizure"),
                dimension="consistency",
                sql=False,
            ),
            Rule(
                "cases",
                "expect_place_code_near_coordinates",
                "place_code",
                "warning",
                {
                    "column_list": ["place_code", "latitude", "longitude"],
                    "rule": "place_code_near_coordinates",
                    "params": {"max_km": 50.0},
                    "ignore_row_if": "any_value_is_missing",
                },
                _("the coordinates are more than 50 km from the airport or port the place code names"),
                _("give the coordinates of the place of seizure, or correct the place code"),
                dimension="consistency",
                sql=False,
            ),
            Rule(
                "cases",
                "expect_departure_to_differ_from_destination",
                "destination_country",
                "warning",
                {
                    "column_list": ["departure_country", "destination_country", "customs_procedure"],
                    "rule": "route_coherent",
                    "params": {},
                    "ignore_row_if": "never",
                },
                _("the departure and destination countries are the same but the procedure is not domestic"),
                _("correct the route, or set customs_procedure to domestic"),
                dimension="consistency",
            ),
            Rule(
                "cases",
                "expect_transit_without_repeated_neighbours",
                "transit_countries",
                "warning",
                {"column": "transit_countries", "regex": TRANSIT_REPEAT_REGEX},
                _("a country appears twice in a row in the transit list"),
                _("list each transit country once per passage (SN;ML, not SN;SN;ML)"),
                dimension="consistency",
            ),
        ]
    if table == "items":
        return [
            Rule(
                "items",
                "expect_unit_to_suit_commodity",
                "unit",
                "critical",
                {
                    "column_list": ["commodity_type", "unit"],
                    "rule": "unit_suits_commodity",
                    "params": {},
                    "ignore_row_if": "any_value_is_missing",
                },
                _("the unit does not measure this commodity (e.g. cigarettes in litres)"),
                _(
                    "use the commodity's unit: kg or g for drugs, sticks or pieces for cigarettes, l for "
                    "liquids, items for counterfeits, usd for cash"
                ),
            ),
            Rule(
                "items",
                "expect_quantity_plausible_for_commodity",
                "quantity",
                "warning",
                {
                    "column_list": ["commodity_type", "quantity", "unit"],
                    "rule": "quantity_plausible",
                    "params": {},
                    "ignore_row_if": "any_value_is_missing",
                },
                _("the quantity is larger than any plausible single seizure of this commodity"),
                _("check the quantity and its unit (grams written as kg? extra zeros?)"),
                dimension="consistency",
            ),
            Rule(
                "items",
                "expect_commodity_type_in_taxonomy",
                "commodity_type",
                "warning",
                {
                    "column_list": ["commodity_category", "commodity_type"],
                    "rule": "commodity_in_taxonomy",
                    "params": {},
                    "ignore_row_if": "any_value_is_missing",
                },
                _("the commodity type is not one the taxonomy knows in this category"),
                _(
                    "use a commodity type of the workbench's taxonomy (lower case, e.g. cocaine, cigarettes, "
                    "counterfeit_apparel)"
                ),
                dimension="consistency",
            ),
            _referential("items"),
            Rule(
                "items",
                "expect_no_likely_duplicate_seizure",
                "case_id",
                "warning",
                {"column": DUPLICATE_OF},
                _(
                    "likely the same seizure as another case: same reporting country, date, place, commodity "
                    "and quantity"
                ),
                _(
                    "if both rows report one seizure, send it once (keep one case_id); if they are different "
                    "seizures, say so in the remarks"
                ),
                dimension="uniqueness",
                stage="state",
            ),
        ]
    if table == "persons":
        return [
            Rule(
                "persons",
                "expect_date_of_birth_plausible",
                "date_of_birth",
                "warning",
                {
                    "column": "date_of_birth",
                    "min_value": EARLIEST_BIRTH.isoformat(),
                    "max_value": today.isoformat(),
                },
                _("the date of birth is in the future or before 1900"),
                _("check the date of birth (YYYY-MM-DD)"),
                dimension="consistency",
            ),
            _referential("persons"),
        ]
    if table == "companies":
        return [_referential("companies")]
    return []


@lru_cache(maxsize=32)
def _rules(table: str, today: dt.date, lang: str = "en") -> tuple[Rule, ...]:
    # problems and fixes are written in the language in force (``lang`` keys the cache)
    return tuple(_format_rules(table) + _trust_rules(table, today))


def rules_for(table: str, today: dt.date | None = None) -> list[Rule]:
    """Every rule for ``table`` (format first, then the project's own), as of ``today``."""
    if table not in FORMAT.tables:
        raise KeyError(
            _(
                "unknown exchange-format table {table!r}; expected one of {table_names}",
                table=table,
                table_names=list(TABLE_NAMES),
            )
        )
    return list(_rules(table, today or dt.date.today(), language()))


def all_rules(today: dt.date | None = None) -> list[Rule]:
    """Every rule of every table."""
    return [r for t in TABLE_NAMES for r in rules_for(t, today)]


def rule(table: str, expectation: str, column: str, today: dt.date | None = None) -> Rule:
    """The rule of ``table`` with that expectation type and reported column."""
    for r in rules_for(table, today):
        if r.expectation == expectation and r.column == column:
            return r
    raise KeyError(
        _("no rule {table}.{expectation}.{column}", table=table, expectation=expectation, column=column)
    )


# The reasons workbench.exchange.rowchecks and workbench.exchange.ingest give, mapped to the expectation they enforce.
_REASONS: tuple[tuple[str, str], ...] = (
    ("required column missing", "expect_column_to_exist"),
    ("required value is blank", "expect_column_values_to_not_be_null"),
    ("not an ISO 3166-1 alpha-2", "expect_column_values_to_be_in_set"),
    ("not a list of ISO2", "expect_column_values_to_match_regex"),
    ("not one of", "expect_column_values_to_be_in_set"),
    ("not a date", "expect_column_values_to_match_strftime_format"),
    ("not a number", "expect_column_values_to_be_in_type_list"),
    ("not a whole number", "expect_column_values_to_be_in_type_list"),
    ("out of range", "expect_column_values_to_be_between"),
    ("does not match the pattern", "expect_column_values_to_match_regex"),
    ("duplicate key", "expect_compound_columns_to_be_unique"),
    ("no case ", "expect_case_to_exist"),
)


def rule_for_rejection(
    table: str, column: str | None, reason: str, today: dt.date | None = None, check: str = ""
) -> Rule:
    """The rule a rejection of the row checks (or of the import's referential check) enforces.

    A reason no rule covers becomes an ad-hoc critical rule, so nothing refused goes unreported. ``check``,
    the expectation the refusal names (see :class:`workbench.exchange.rowchecks.Reason`), is used when
    given: the reason's words are in the language in force, and only English ones are matched.

    >>> rule_for_rejection("cases", "seizure_date", "not a date in ISO 8601 form YYYY-MM-DD").expectation
    'expect_column_values_to_match_strftime_format'
    >>> rule_for_rejection("items", "case_id", "no case FR/X1 in this submission").id
    'items.expect_case_to_exist.case_id'
    """
    col = column or ""
    for prefix, expectation in ((reason, check),) if check else _REASONS:
        if reason.startswith(prefix):
            if expectation == "expect_column_to_exist":
                col = col.split(",")[0].strip()
            try:
                return rule(table, expectation, col, today)
            except KeyError:
                break
    return Rule(
        table,
        "expect_row_to_be_readable",
        col,
        "critical",
        {},
        reason,
        _("correct the cell"),
        stage="read",
        sql=False,
    )
