"""The demonstration operation a seeded store ships, so a new user sees a populated operation at once.

A joint customs operation against cocaine carried by air passengers from South America to Europe,
organised by French customs with German customs as contributor and RILO Western Europe as observer
(the seeded organisations and demo accounts of ``workbench seed``), a template of twelve fields (nine
from the exchange format, three of the operation's own with their code lists) and a few submitted rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from workbench.i18n import _
from workbench.identity import Principal
from workbench.operations.groups import add_member, create_operation, list_operations
from workbench.operations.submissions import set_template, submit_rows
from workbench.store import Store

__all__ = ["DEMO_CODE", "DEMO_MEMBERS", "DEMO_TEMPLATE", "seed_demo_operation"]

DEMO_CODE = "JCO-AIRCOKE-2026"
#: (account, role in the operation): accounts of ``workbench.cli.seed.DEMO_ACCOUNTS``
DEMO_MEMBERS = (("ana.analyst", "organiser"), ("sara.steward", "contributor"), ("rita.rilo", "observer"))
#: Twelve fields: nine of the exchange format, three of the operation's own.
DEMO_TEMPLATE: list[dict[str, object]] = [
    {"like": "cases.case_id"},
    {"like": "cases.reporting_country"},
    {"like": "cases.seizure_date"},
    {"like": "cases.place_code", "required": True, "help": "IATA code of the airport of the control"},
    {"like": "cases.departure_country", "required": True},
    {"like": "cases.transit_countries"},
    {"like": "cases.destination_country"},
    {"like": "cases.concealment_method", "required": True},
    {"like": "cases.conveyance_id", "help": "flight number"},
    {"name": "cocaine_kg", "type": "float", "required": True, "help": "net weight of cocaine seized, in kg"},
    {
        "name": "booking_channel",
        "type": "code",
        "codes": ["online", "travel_agency", "airline_office", "cash_at_airport", "unknown"],
        "help": "how the ticket was bought",
    },
    {
        "name": "selection_trigger",
        "type": "code",
        "codes": ["api_pnr_profile", "behaviour", "sniffer_dog", "scanner", "random", "tip_off"],
        "required": True,
        "help": "what selected the passenger for control",
    },
]

_ROWS = {
    "FR-DGDDI": [
        [
            "FR-JCO-001",
            "FR",
            "2026-11-03",
            "CDG",
            "BR",
            "PT",
            "FR",
            "baggage",
            "AF0443",
            4.2,
            "online",
            "api_pnr_profile",
        ],
        [
            "FR-JCO-002",
            "FR",
            "2026-11-05",
            "ORY",
            "CO",
            "",
            "FR",
            "internal_body",
            "IB6583",
            0.9,
            "cash_at_airport",
            "behaviour",
        ],
    ],
    "DE-ZOLL": [
        [
            "DE-JCO-001",
            "DE",
            "2026-11-04",
            "FRA",
            "PE",
            "ES",
            "DE",
            "body_carry",
            "LH0501",
            2.1,
            "travel_agency",
            "sniffer_dog",
        ],
    ],
}


def seed_demo_operation(store: Store, by: Principal) -> str:
    """Create the demonstration operation (once) as the installation ``by``; a line saying what was made."""
    if any(op.code == DEMO_CODE for op in list_operations(store, by)):
        return _("operation {code} exists already", code=DEMO_CODE)
    today = dt.date.today()
    create_operation(
        store,
        code=DEMO_CODE,
        name="Joint operation: cocaine in air passengers, South America to Europe",
        legal_basis="Naples II Convention (98/C 24/01), art. 23 special forms of cooperation",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        organiser="FR-DGDDI",
        tlp="amber",
        by=by,
    )
    for account, role in DEMO_MEMBERS:
        add_member(store, DEMO_CODE, account, role, by)
    template = set_template(store, DEMO_CODE, DEMO_TEMPLATE, by)
    n = 0
    for org, rows in _ROWS.items():
        frame = pd.DataFrame(rows, columns=template.names)
        n += submit_rows(
            store, DEMO_CODE, frame, dataclasses.replace(by, organisation=org), where="seed"
        ).accepted
    return _(
        "operation {code}: {members} members, {fields} fields, {n} rows",
        code=DEMO_CODE,
        members=len(DEMO_MEMBERS),
        fields=len(template.fields),
        n=n,
    )
