"""The register of products: drafts, reviews, approvals, issues and withdrawals, with versions and audit.

Lifecycle (:data:`STATUSES`): ``draft`` -> ``review`` (sent for peer review by its author) -> ``approved``
(by someone who is not the author: checked here, with the principal) -> ``issued`` (to a distribution
list) -> ``withdrawn``. A reviewer may also send a product back to ``draft``. A new version of an issued
or withdrawn product is a new draft that ``supersedes`` it and keeps its reference.

Each product stores its spec (template, filter parameters, blocks, assessment, marking), the store's
data version when it was built and a digest of each block's result (:func:`workbench.products.blocks.block_digest`):
:func:`regenerate` rebuilds it and says which figures changed and which kinds of data moved since.

Permissions (the role x action matrix): ``draft_products`` to build, edit and send for review,
``review_products`` to approve or send back, ``issue_products`` to issue, withdraw and hand out copies.
Every issue and every copy handed out is audited as a disclosure (``disclose.product``) naming its
recipients; the other steps as alterations (``alter.product_*``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from workbench.i18n import N_, _, format_list
from workbench.identity import acting, require
from workbench.products.blocks import BlockResult, BuildContext, build_block
from workbench.products.model import ProductError, ProductSpec, templates
from workbench.store import Base
from workbench.store.audit import audit
from workbench.store.filters import CaseFilter
from workbench.store.version import data_version

if TYPE_CHECKING:
    from workbench.identity import Principal
    from workbench.store import Store

__all__ = [
    "PRODUCTS",
    "PRODUCT_EVENTS",
    "STATUSES",
    "STATUS_LABELS",
    "status_label",
    "Built",
    "Regeneration",
    "assemble",
    "save_draft",
    "update_draft",
    "send_for_review",
    "send_back",
    "approve",
    "issue",
    "withdraw",
    "new_version",
    "record_download",
    "get_product",
    "list_products",
    "product_events",
    "regenerate",
]

STATUSES: tuple[str, ...] = ("draft", "review", "approved", "issued", "withdrawn")
#: How each status reads (the codes are stored; the labels are translated).
STATUS_LABELS: dict[str, str] = {
    "draft": N_("draft"),
    "review": N_("in review"),
    "approved": N_("approved"),
    "issued": N_("issued"),
    "withdrawn": N_("withdrawn"),
}


def status_label(status: str) -> str:
    """A product's status as people read it, in the language in force.

    >>> status_label("review")
    'in review'
    """
    return _(STATUS_LABELS.get(status, status))


PRODUCTS = sa.Table(
    "products",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, default=1),
    sa.Column("supersedes", sa.Integer, sa.ForeignKey("products.id"), nullable=True),
    sa.Column("template", sa.String(30), nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("organisation", sa.String(60), nullable=False),
    sa.Column("author", sa.String(120), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("data_version", sa.Text, nullable=False),
    sa.Column("digests", sa.Text, nullable=False),
    sa.Column("distribution", sa.Text, nullable=True),
    sa.Column("reviewer", sa.String(120), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("reference", "version", name="uq_products_reference_version"),
)

PRODUCT_EVENTS = sa.Table(
    "product_events",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Built:
    """A product assembled: its spec, its blocks, the data version they were read at and their digests."""

    spec: ProductSpec
    blocks: list[BlockResult]
    data_version: dict[str, int]
    digests: list[str]
    reference: str = ""
    version: int = 1
    status: str = "draft"
    author: str = ""
    organisation: str = ""
    id: int | None = None
    issued_at: dt.datetime | None = None

    def changed_blocks(self) -> list[str]:
        """Titles of the blocks whose rebuilt figures differ from the registered digests."""
        return [b.title for b, d in zip(self.blocks, self.digests, strict=False) if b.digest() != d]


def case_filter(spec: ProductSpec) -> CaseFilter:
    return CaseFilter.from_dict(dict(spec.params.get("filter") or {}))


def assemble(store: Store, spec: ProductSpec, actor: Principal | None = None) -> Built:
    """Build every block of ``spec`` from the store. Raises :class:`ProductError` for a wrong spec or a
    filter that no case matches (the message says the filter)."""
    principal = acting(store, actor)
    require(principal, "view_data")
    spec.check()
    version = data_version(store)
    ctx = BuildContext(store, principal, case_filter(spec), str(spec.params.get("freq") or "M"))
    if not len(ctx.frame) or ctx.frame["case_key"].isna().all():
        raise ProductError(
            _("no case matches {filter}: there is nothing to report", filter=ctx.flt.describe())
        )
    blocks = [build_block(ctx, b.key, b.text, b.title) for b in spec.blocks]
    return Built(
        spec,
        blocks,
        dict(version.counters),
        [b.digest() for b in blocks],
        author=principal.account,
        organisation=principal.organisation,
    )


def _next_reference(conn: sa.Connection, org: str, code: str, year: int) -> str:
    prefix = f"{org}-{code}-{year}-"
    taken = conn.execute(
        sa.select(PRODUCTS.c.reference).where(PRODUCTS.c.reference.like(prefix + "%"))
    ).scalars()
    n = max((int(r.rsplit("-", 1)[1]) for r in taken if r.rsplit("-", 1)[1].isdigit()), default=0)
    return f"{prefix}{n + 1:04d}"


def _org_code(org: str) -> str:
    code = "".join(ch for ch in org.upper() if ch.isalnum() or ch == "_")[:12]
    return code or "ORG"


def _event(conn: sa.Connection, pid: int, actor: Principal, action: str, comment: str = "") -> None:
    conn.execute(
        sa.insert(PRODUCT_EVENTS).values(
            product_id=pid, at=_now(), actor=actor.account, action=action, comment=comment or None
        )
    )


def save_draft(
    store: Store, built: Built, actor: Principal | None = None, *, supersedes: int | None = None
) -> int:
    """Register ``built`` as a new draft; returns its id (its reference is given now)."""
    principal = acting(store, actor)
    require(principal, "draft_products")
    tpl = templates()[built.spec.template]
    with store.engine.begin() as conn:
        if supersedes is not None:
            old = conn.execute(sa.select(PRODUCTS).where(PRODUCTS.c.id == supersedes)).mappings().one()
            reference, version = str(old["reference"]), int(old["version"]) + 1
        else:
            reference = _next_reference(conn, _org_code(principal.organisation), tpl.code, _now().year)
            version = 1
        pid = conn.execute(
            sa.insert(PRODUCTS)
            .values(
                reference=reference,
                version=version,
                supersedes=supersedes,
                template=built.spec.template,
                level=built.spec.level,
                title=built.spec.title,
                organisation=principal.organisation,
                author=principal.account,
                status="draft",
                spec=json.dumps(built.spec.to_dict(), sort_keys=True, default=str),
                data_version=json.dumps(built.data_version, sort_keys=True),
                digests=json.dumps(built.digests),
                created_at=_now(),
            )
            .returning(PRODUCTS.c.id)
        ).scalar_one()
        _event(conn, pid, principal, "drafted")
        audit(
            conn,
            "alter.product_draft",
            {"reference": reference, "version": version},
            principal,
            objects=[f"product:{reference}/v{version}"],
        )
    built.id, built.reference, built.version, built.status = int(pid), reference, version, "draft"
    return int(pid)


def _row(conn: sa.Connection, pid: int) -> dict[str, Any]:
    row = conn.execute(sa.select(PRODUCTS).where(PRODUCTS.c.id == pid)).mappings().first()
    if row is None:
        raise ProductError(_("no product number {id}", id=pid))
    return dict(row)


def _move(
    store: Store,
    pid: int,
    actor: Principal | None,
    action: str,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    verb: str,
    comment: str = "",
    check: Any = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    principal = acting(store, actor)
    require(principal, action)
    with store.engine.begin() as conn:
        row = _row(conn, pid)
        if row["status"] not in allowed_from:
            raise ProductError(
                _(
                    "{ref} v{v} is {status}: it cannot be {verb} (only a product that is {allowed})",
                    ref=row["reference"],
                    v=row["version"],
                    status=status_label(row["status"]),
                    verb=verb,
                    allowed=format_list((status_label(a) for a in allowed_from), style="or"),
                )
            )
        if check is not None:
            check(row, principal)
        conn.execute(sa.update(PRODUCTS).where(PRODUCTS.c.id == pid).values(status=to, **(values or {})))
        _event(conn, pid, principal, to if to != row["status"] else verb, comment)
        audit(
            conn,
            f"alter.product_{to}",
            {"reference": row["reference"], "version": row["version"], "from": row["status"]},
            principal,
            objects=[f"product:{row['reference']}/v{row['version']}"],
        )
        return _row(conn, pid)


def update_draft(store: Store, pid: int, built: Built, actor: Principal | None = None) -> None:
    """Replace a draft's spec, data version and digests with those of ``built`` (its author, in draft)."""
    principal = acting(store, actor)
    require(principal, "draft_products")
    with store.engine.begin() as conn:
        row = _row(conn, pid)
        if row["status"] != "draft":
            raise ProductError(
                _(
                    "{ref} is {status}: only a draft can be edited",
                    ref=row["reference"],
                    status=status_label(row["status"]),
                )
            )
        conn.execute(
            sa.update(PRODUCTS)
            .where(PRODUCTS.c.id == pid)
            .values(
                title=built.spec.title,
                level=built.spec.level,
                spec=json.dumps(built.spec.to_dict(), sort_keys=True, default=str),
                data_version=json.dumps(built.data_version, sort_keys=True),
                digests=json.dumps(built.digests),
            )
        )
        _event(conn, pid, principal, "edited")
        audit(
            conn,
            "alter.product_edit",
            {"reference": row["reference"]},
            principal,
            objects=[f"product:{row['reference']}/v{row['version']}"],
        )


def send_for_review(
    store: Store, pid: int, actor: Principal | None = None, comment: str = ""
) -> dict[str, Any]:
    """Send a draft for peer review. Refused unless its marking is complete and it holds valid judgements."""

    def check(row: dict[str, Any], principal: Principal) -> None:
        spec = ProductSpec.from_dict(json.loads(row["spec"]))
        spec.check()
        spec.handling.check()

    return _move(
        store,
        pid,
        actor,
        "draft_products",
        allowed_from=("draft",),
        to="review",
        verb=_("sent for review"),
        comment=comment,
        check=check,
    )


def send_back(store: Store, pid: int, actor: Principal | None = None, comment: str = "") -> dict[str, Any]:
    """A reviewer sends a product in review back to its author as a draft."""
    return _move(
        store,
        pid,
        actor,
        "review_products",
        allowed_from=("review",),
        to="draft",
        verb=_("sent back"),
        comment=comment,
    )


def approve(store: Store, pid: int, actor: Principal | None = None, comment: str = "") -> dict[str, Any]:
    """Approve a product in review. The approver is never its author (four eyes, checked here)."""

    def check(row: dict[str, Any], principal: Principal) -> None:
        if principal.account == row["author"]:
            raise ProductError(
                _(
                    "{ref}: {who} wrote this product; someone else must approve it",
                    ref=row["reference"],
                    who=principal.account,
                )
            )

    def values() -> dict[str, Any]:
        return {}

    principal = acting(store, actor)
    return _move(
        store,
        pid,
        principal,
        "review_products",
        allowed_from=("review",),
        to="approved",
        verb=_("approved"),
        comment=comment,
        check=check,
        values={"reviewer": principal.account, "approved_at": _now()},
    )


def issue(
    store: Store, pid: int, recipients: list[str], actor: Principal | None = None, comment: str = ""
) -> dict[str, Any]:
    """Issue an approved product to ``recipients`` (its distribution list), audited as a disclosure.

    Refused (nothing issued) without recipients, with an incomplete marking, or on a product not approved.
    """
    recipients = [r.strip() for r in recipients if r and r.strip()]
    principal = acting(store, actor)
    if not recipients:
        raise ProductError(_("a product is issued to a distribution list: name at least one recipient"))

    def check(row: dict[str, Any], p: Principal) -> None:
        ProductSpec.from_dict(json.loads(row["spec"])).handling.check()

    row = _move(
        store,
        pid,
        principal,
        "issue_products",
        allowed_from=("approved",),
        to="issued",
        verb=_("issued"),
        comment=comment,
        check=check,
        values={"issued_at": _now(), "distribution": json.dumps(recipients)},
    )
    with store.engine.begin() as conn:
        audit(
            conn,
            "disclose.product",
            {"reference": row["reference"], "version": row["version"], "how": "issue"},
            principal,
            objects=[f"product:{row['reference']}/v{row['version']}"],
            recipients=recipients,
        )
        # the version this one supersedes is withdrawn when it is issued
        if row["supersedes"] is not None:
            old = _row(conn, int(row["supersedes"]))
            if old["status"] == "issued":
                conn.execute(
                    sa.update(PRODUCTS)
                    .where(PRODUCTS.c.id == old["id"])
                    .values(status="withdrawn", withdrawn_at=_now())
                )
                _event(
                    conn, int(old["id"]), principal, "withdrawn", _("superseded by v{v}", v=row["version"])
                )
                audit(
                    conn,
                    "alter.product_withdrawn",
                    {
                        "reference": old["reference"],
                        "version": old["version"],
                        "superseded_by": row["version"],
                    },
                    principal,
                    objects=[f"product:{old['reference']}/v{old['version']}"],
                )
    return row


def withdraw(store: Store, pid: int, actor: Principal | None = None, comment: str = "") -> dict[str, Any]:
    """Withdraw an issued product."""
    return _move(
        store,
        pid,
        actor,
        "issue_products",
        allowed_from=("issued",),
        to="withdrawn",
        verb=_("withdrawn"),
        comment=comment,
        values={"withdrawn_at": _now()},
    )


def new_version(store: Store, pid: int, actor: Principal | None = None) -> int:
    """A new draft of an issued or withdrawn product, rebuilt on today's data, that supersedes it."""
    with store.engine.connect() as conn:
        row = _row(conn, pid)
    if row["status"] not in ("issued", "withdrawn", "approved"):
        raise ProductError(
            _(
                "{ref} is {status}: edit the draft instead",
                ref=row["reference"],
                status=status_label(row["status"]),
            )
        )
    spec = ProductSpec.from_dict(json.loads(row["spec"]))
    return save_draft(store, assemble(store, spec, actor), actor, supersedes=pid)


def record_download(store: Store, pid: int, recipient: str, fmt: str, actor: Principal | None = None) -> str:
    """Record that a copy of an issued product goes to ``recipient`` (audited as a disclosure) and return
    the watermark that copy carries. Drafts and products in review may be downloaded by those who may
    draft or review them, marked DRAFT, and are audited the same way."""
    principal = acting(store, actor)
    recipient = recipient.strip()
    if not recipient:
        raise ProductError(_("name the recipient of this copy (it is written on every page)"))
    with store.engine.begin() as conn:
        row = _row(conn, pid)
        require(principal, "issue_products" if row["status"] == "issued" else "draft_products")
        if row["status"] == "withdrawn":
            raise ProductError(
                _(
                    "{ref} v{v} was withdrawn: it is no longer handed out",
                    ref=row["reference"],
                    v=row["version"],
                )
            )
        audit(
            conn,
            "disclose.product",
            {"reference": row["reference"], "version": row["version"], "how": "download", "format": fmt},
            principal,
            objects=[f"product:{row['reference']}/v{row['version']}"],
            recipients=[recipient],
        )
        _event(conn, pid, principal, "downloaded", f"{fmt} for {recipient}")
    stamp = _now().strftime("%Y-%m-%d %H:%M UTC")
    draft = "" if row["status"] == "issued" else _("DRAFT") + " · "
    return draft + _("Copy for {recipient} · {stamp}", recipient=recipient, stamp=stamp)


def get_product(store: Store, pid: int, actor: Principal | None = None, *, rebuild: bool = True) -> Built:
    """A registered product; with ``rebuild`` its blocks are rebuilt from the store (see :func:`regenerate`)."""
    principal = acting(store, actor)
    require(principal, "view_data")
    with store.engine.connect() as conn:
        row = _row(conn, pid)
    spec = ProductSpec.from_dict(json.loads(row["spec"]))
    blocks: list[BlockResult] = []
    if rebuild:
        blocks = assemble(store, spec, principal).blocks
    return Built(
        spec,
        blocks,
        json.loads(row["data_version"]),
        json.loads(row["digests"]),
        str(row["reference"]),
        int(row["version"]),
        str(row["status"]),
        str(row["author"]),
        str(row["organisation"]),
        int(row["id"]),
        row["issued_at"],
    )


def list_products(store: Store, actor: Principal | None = None) -> pd.DataFrame:
    """The register: one row per product version, newest first."""
    principal = acting(store, actor)
    require(principal, "view_data")
    t = PRODUCTS
    cols = [
        t.c.id,
        t.c.reference,
        t.c.version,
        t.c.template,
        t.c.level,
        t.c.title,
        t.c.organisation,
        t.c.author,
        t.c.reviewer,
        t.c.status,
        t.c.created_at,
        t.c.approved_at,
        t.c.issued_at,
        t.c.withdrawn_at,
        t.c.supersedes,
        t.c.distribution,
    ]
    with store.engine.connect() as conn:
        df = pd.DataFrame(
            conn.execute(sa.select(*cols).order_by(t.c.id.desc())).mappings().all(),
            columns=[c.name for c in cols],
        )
    df["distribution"] = df["distribution"].map(
        lambda s: ", ".join(json.loads(s)) if isinstance(s, str) else ""
    )
    for c in ("created_at", "approved_at", "issued_at", "withdrawn_at"):
        df[c] = pd.to_datetime(df[c], utc=True)
    return df


def product_events(store: Store, pid: int) -> pd.DataFrame:
    t = PRODUCT_EVENTS
    with store.engine.connect() as conn:
        rows = (
            conn.execute(
                sa.select(t.c.at, t.c.actor, t.c.action, t.c.comment)
                .where(t.c.product_id == pid)
                .order_by(t.c.id)
            )
            .mappings()
            .all()
        )
    return pd.DataFrame(rows, columns=["at", "actor", "action", "comment"])


@dataclass
class Regeneration:
    """A product rebuilt: whether every figure is identical, and if not which blocks and data changed."""

    reference: str
    identical: bool
    changed_blocks: list[str] = field(default_factory=list)
    changed_data: list[str] = field(default_factory=list)
    built: Built | None = None

    def describe(self) -> str:
        if self.identical:
            return _("{ref}: every figure is identical to the registered product's", ref=self.reference)
        parts = []
        if self.changed_blocks:
            parts.append(_("figures changed in: {blocks}", blocks=", ".join(self.changed_blocks)))
        if self.changed_data:
            parts.append(_("data changed since: {scopes}", scopes=", ".join(self.changed_data)))
        return f"{self.reference}: " + "; ".join(parts)


def regenerate(store: Store, pid: int, actor: Principal | None = None) -> Regeneration:
    """Rebuild a registered product on today's data and compare each block's digest with the stored one."""
    stored = get_product(store, pid, actor, rebuild=False)
    fresh = assemble(store, stored.spec, actor)
    changed = [
        b.title
        for b, old, new in zip(fresh.blocks, stored.digests, fresh.digests, strict=False)
        if old != new
    ]
    if len(stored.digests) != len(fresh.digests):
        changed.append(_("the number of blocks"))
    moved = sorted(s for s, v in fresh.data_version.items() if stored.data_version.get(s) != v)
    return Regeneration(stored.reference, not changed, changed, moved, fresh)
