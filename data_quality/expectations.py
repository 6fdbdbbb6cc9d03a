"""Great Expectations classes for the workbench's own expectations. Imports GX: load it lazily.

Two kinds:

- checks over several columns (place in the reporting country, unit suits commodity, ...) are
  ``MulticolumnMapExpectation`` subclasses sharing one metric, ``workbench.row_check``, whose pandas
  form calls the vectorised check of :data:`data_quality.checks.CHECKS` named by the expectation's
  ``rule`` and whose SQL form builds the condition of :data:`data_quality.checks.SQL_CHECKS`;
- checks that a built-in expectation already computes are subclasses of it with their own name
  (GX 1.x's way of customising an expectation): dates in range, entry not before seizure, place code
  shape, transit repeats, and the two whose input the engine derives (case known, likely duplicate).

Every class's type name is the rule's ``expectation`` in :mod:`data_quality.catalogue`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

import great_expectations.expectations as gxe

# each class from the module that defines it (GX's package __init__s re-export without ``__all__``)
from great_expectations.execution_engine.execution_engine import ExecutionEngine
from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.core.expect_column_pair_values_a_to_be_greater_than_b import (
    ExpectColumnPairValuesAToBeGreaterThanB,
)
from great_expectations.expectations.core.expect_column_values_to_be_between import (
    ExpectColumnValuesToBeBetween,
)
from great_expectations.expectations.core.expect_column_values_to_be_in_set import ExpectColumnValuesToBeInSet
from great_expectations.expectations.core.expect_column_values_to_be_null import ExpectColumnValuesToBeNull
from great_expectations.expectations.core.expect_column_values_to_match_regex import (
    ExpectColumnValuesToMatchRegex,
)
from great_expectations.expectations.core.expect_column_values_to_not_match_regex import (
    ExpectColumnValuesToNotMatchRegex,
)
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_map_metric_provider import (
    MulticolumnMapMetricProvider,
)

from data_quality.checks import CHECKS, SQL_CHECKS
from workbench.i18n import _

__all__ = ["EXPECTATION_CLASSES", "expectation_class"]

#: which rows a multi-column expectation leaves out (GX's ``MulticolumnMapExpectation.ignore_row_if``)
IgnoreRowIf = Literal["all_values_are_missing", "any_value_is_missing", "never"]
_Partial = Callable[..., Any]


def _condition_partial(engine: type[ExecutionEngine[Any]]) -> Callable[[_Partial], _Partial]:
    """GX's ``multicolumn_condition_partial`` decorator for ``engine`` (GX leaves its result untyped)."""
    decorator: Callable[[_Partial], _Partial] = multicolumn_condition_partial(engine=engine)
    return decorator


class WorkbenchRowCheck(MulticolumnMapMetricProvider):
    """True where a row passes the workbench check named by ``rule`` (see data_quality.checks)."""

    condition_metric_name = "workbench.row_check"
    condition_domain_keys = (
        "batch_id",
        "table",
        "column_list",
        "row_condition",
        "condition_parser",
        "ignore_row_if",
    )
    condition_value_keys = ("rule", "params")

    @_condition_partial(PandasExecutionEngine)
    def _pandas(cls, column_list: Any, rule: str, params: dict[str, Any] | None, **kwargs: Any) -> Any:
        return CHECKS[rule](column_list, **(params or {}))

    @_condition_partial(SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column_list: Any, rule: str, params: dict[str, Any] | None, **kwargs: Any) -> Any:
        if rule not in SQL_CHECKS:
            raise NotImplementedError(f"the check {rule!r} has no SQL form; run it on a pandas batch")
        return SQL_CHECKS[rule](list(column_list), **(params or {}))


class _RowCheckExpectation(MulticolumnMapExpectation):
    """Base of the multi-column workbench expectations (abstract: no metric of its own)."""

    rule: str = ""
    params: dict[str, Any] = {}
    ignore_row_if: IgnoreRowIf = "any_value_is_missing"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "rule", "params")


class ExpectPlaceInOrNearReportingCountry(_RowCheckExpectation):
    """The place of seizure (latitude, longitude) lies in the reporting country or near its border."""

    map_metric = "workbench.row_check"
    rule: str = "place_in_or_near_country"


class ExpectPlaceCodeInReportingCountry(_RowCheckExpectation):
    """A place code naming an airport or port names one in the reporting country."""

    map_metric = "workbench.row_check"
    rule: str = "place_code_in_reporting_country"


class ExpectPlaceCodeNearCoordinates(_RowCheckExpectation):
    """A place code naming an airport or port agrees with the coordinates."""

    map_metric = "workbench.row_check"
    rule: str = "place_code_near_coordinates"


class ExpectDepartureToDifferFromDestination(_RowCheckExpectation):
    """Departure and destination differ unless the customs procedure is domestic."""

    map_metric = "workbench.row_check"
    rule: str = "route_coherent"
    ignore_row_if: IgnoreRowIf = "never"


class ExpectUnitToSuitCommodity(_RowCheckExpectation):
    """The unit measures what the commodity is counted in."""

    map_metric = "workbench.row_check"
    rule: str = "unit_suits_commodity"


class ExpectQuantityPlausibleForCommodity(_RowCheckExpectation):
    """The quantity is not beyond the largest plausible seizure of the commodity."""

    map_metric = "workbench.row_check"
    rule: str = "quantity_plausible"


class ExpectCommodityTypeInTaxonomy(_RowCheckExpectation):
    """The commodity type belongs to the taxonomy, in its category."""

    map_metric = "workbench.row_check"
    rule: str = "commodity_in_taxonomy"


class ExpectPlaceCodeToBeIataOrUnlocode(ExpectColumnValuesToMatchRegex):
    """Place codes are IATA airport codes or UN/LOCODEs."""


class ExpectDateNotInFutureNorBefore1990(ExpectColumnValuesToBeBetween):
    """Seizure and entry dates lie between 1990-01-01 and today."""


class ExpectDateOfBirthPlausible(ExpectColumnValuesToBeBetween):
    """Dates of birth lie between 1900-01-01 and today."""


class ExpectEntryDateNotBeforeSeizureDate(ExpectColumnPairValuesAToBeGreaterThanB):
    """A case is entered on or after the day of its seizure."""


class ExpectTransitWithoutRepeatedNeighbours(ExpectColumnValuesToNotMatchRegex):
    """No country follows itself in the transit list."""


class ExpectCaseToExist(ExpectColumnValuesToBeInSet):
    """Items, persons and companies point to a case in the submission or the store (derived column)."""


class ExpectNoLikelyDuplicateSeizure(ExpectColumnValuesToBeNull):
    """No item repeats another case's seizure (derived column names the earlier one)."""


#: expectation type -> class, for the workbench's own expectations
EXPECTATION_CLASSES: dict[str, type] = {
    "expect_place_in_or_near_reporting_country": ExpectPlaceInOrNearReportingCountry,
    "expect_place_code_in_reporting_country": ExpectPlaceCodeInReportingCountry,
    "expect_place_code_near_coordinates": ExpectPlaceCodeNearCoordinates,
    "expect_departure_to_differ_from_destination": ExpectDepartureToDifferFromDestination,
    "expect_unit_to_suit_commodity": ExpectUnitToSuitCommodity,
    "expect_quantity_plausible_for_commodity": ExpectQuantityPlausibleForCommodity,
    "expect_commodity_type_in_taxonomy": ExpectCommodityTypeInTaxonomy,
    "expect_place_code_to_be_iata_or_unlocode": ExpectPlaceCodeToBeIataOrUnlocode,
    "expect_date_not_in_future_nor_before_1990": ExpectDateNotInFutureNorBefore1990,
    "expect_date_of_birth_plausible": ExpectDateOfBirthPlausible,
    "expect_entry_date_not_before_seizure_date": ExpectEntryDateNotBeforeSeizureDate,
    "expect_transit_without_repeated_neighbours": ExpectTransitWithoutRepeatedNeighbours,
    "expect_case_to_exist": ExpectCaseToExist,
    "expect_no_likely_duplicate_seizure": ExpectNoLikelyDuplicateSeizure,
}


def expectation_class(expectation: str) -> type:
    """The GX class of an expectation type: the workbench's own, or GX's built-in of that name."""
    if expectation in EXPECTATION_CLASSES:
        return EXPECTATION_CLASSES[expectation]
    name = "".join(part.capitalize() for part in expectation.split("_"))
    found = getattr(gxe, name, None)
    if not isinstance(found, type):
        raise KeyError(_("no Great Expectations class for {expectation!r}", expectation=expectation))
    return found
