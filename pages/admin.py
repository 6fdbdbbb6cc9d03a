"""Store & audit: where the data lives, what it holds, the submissions and the audit log."""
# nav: section=Admin; title=Store & audit; icon=:material/admin_panel_settings:; order=10

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from workbench.config import SETTINGS, Settings
from workbench.store import AuditEntry, Submission
from workbench.ui.resources import get_store

st.title("Store & audit")
store = get_store()
st.markdown(f"**Store:** `{store.url}` ({store.dialect})")
counts = store.counts()
cols = st.columns(len(counts))
for c, (k, v) in zip(cols, counts.items(), strict=True):
    c.metric(k, f"{v:,}")

st.subheader("Submissions")
with store.engine.connect() as conn:
    subs = pd.DataFrame(
        conn.execute(
            sa.select(
                Submission.id,
                Submission.received_at,
                Submission.submitted_by,
                Submission.source_name,
                Submission.source_kind,
                Submission.status,
                Submission.reporting_countries,
                Submission.counts,
            )
            .order_by(Submission.id.desc())
            .limit(200)
        ).fetchall(),
        columns=["id", "received", "by", "source", "kind", "status", "countries", "counts"],
    )
    log = pd.DataFrame(
        conn.execute(
            sa.select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.user,
                AuditEntry.role,
                AuditEntry.action,
                AuditEntry.details,
            )
            .order_by(AuditEntry.id.desc())
            .limit(200)
        ).fetchall(),
        columns=["id", "at", "user", "role", "action", "details"],
    )
st.dataframe(subs, hide_index=True, width="stretch")
st.subheader("Audit log (newest first, append-only)")
st.dataframe(log, hide_index=True, width="stretch")

st.subheader("Settings")
s = Settings.from_env()
st.dataframe(
    pd.DataFrame(
        [
            {
                "variable": x.env,
                "value": "(set)"
                if x.name == "pseudonym_key" and getattr(s, x.name)
                else str(getattr(s, x.name)),
                "help": x.help,
            }
            for x in SETTINGS
        ]
    ),
    hide_index=True,
    width="stretch",
)
