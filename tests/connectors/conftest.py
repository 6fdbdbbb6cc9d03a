"""A small scenario in the exchange format, written into every kind of source the connectors read."""

from __future__ import annotations

import pandas as pd
import pytest

CASES = pd.DataFrame(
    {
        "case_id": ["K1", "K2", "K3", "K4"],
        "reporting_country": ["ES", "ES", "NL", "NL"],
        "seizure_date": ["2024-01-10", "2024-02-11", "2024-13-01", "2024-03-12"],  # K3: bad date
        "transport_mode": ["air_passenger", "sea_container", "air_cargo", "road"],
        "departure_country": ["CO", "BR", "PE", "MA"],
        "latitude": ["40.47", "", "52.31", ""],
        "remarks": ["Courier from Bogota", "", "", "Hidden in fuel tank"],
        "local_ref": ["ES/24/1", "ES/24/2", "NL-9", "NL-10"],  # not in the format: kept as extra
    }
)
ITEMS = pd.DataFrame(
    {
        "case_id": ["K1", "K2", "K2", "K4"],
        "reporting_country": ["ES", "ES", "ES", "NL"],
        "item_no": ["1", "1", "2", "1"],
        "commodity_category": ["drugs", "drugs", "tobacco", "drugs"],
        "commodity_type": ["cocaine", "cocaine", "cigarettes", "cannabis_resin"],
        "quantity": ["2.5", "1200", "500000", "30"],
        "unit": ["kg", "kg", "sticks", "kg"],
    }
)


@pytest.fixture()
def scenario() -> dict[str, pd.DataFrame]:
    return {"cases": CASES.copy(), "items": ITEMS.copy()}
