"""``workbench product``: build, list, review, issue and hand out intelligence products.

Examples::

    workbench product build --template trend-report --region Europe --from 2024-01-01 --to 2024-12-31 \\
        --classification RESTRICTED --tlp AMBER --out europe-2024.pdf
    workbench product build --template alert --params alert.yaml --out alert.html
    workbench product list
    workbench product submit 3          # the author sends it for review
    workbench product approve 3         # someone else approves it
    workbench product issue 3 --to FR-DGDDI --to NL-FIOD
    workbench product download 3 --to NL-FIOD --out copy.pdf
    workbench product regenerate 3      # identical figures, or what changed

``--params FILE.yaml`` gives what the flags do not: ``title``, ``bluf``, ``judgements`` (text, band,
confidence), ``sources`` (description, grade, scheme), ``handling`` (classification, tlp, codes,
releasable_to), ``blocks`` (keys, or mappings with key and text), ``freq``, ``valid_until``,
``review_by``, and a ``filter`` (the shared filter's fields). Exit 0: done; 2: bad input (the message
says which); 3: refused by the permissions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.cli.common import add_db_option, add_filter_options, filter_from_args, refused, store_from_args
from workbench.i18n import N_, _

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    from workbench.products.model import CLASSIFICATIONS, HANDLING_CODES, TLP

    p = sub.add_parser(
        "product",
        help=_("intelligence products: build, list, review, issue, download, regenerate"),
        description=_(
            "Alerts, trend reports, intelligence profiles and newsletters assembled from the "
            "store's figures, marked, reviewed by someone other than their author, issued to a distribution "
            "list and audited (see docs/products.md)."
        ),
    )
    psub = p.add_subparsers(dest="product_command", metavar="SUBCOMMAND", required=True)
    b = psub.add_parser("build", help=_("build a product, register it as a draft and write it to a file"))
    add_db_option(b)
    b.add_argument("--template", required=True, help=_("alert, trend-report, profile or newsletter"))
    b.add_argument(
        "--params", type=Path, metavar="FILE.yaml", help=_("title, BLUF, judgements, sources, marking...")
    )
    b.add_argument("--title")
    b.add_argument(
        "--freq", choices=["D", "W", "M", "Q", "Y"], help=_("period of the trend chart (default M)")
    )
    b.add_argument("--classification", choices=list(CLASSIFICATIONS))
    b.add_argument("--tlp", choices=list(TLP))
    b.add_argument("--handling", action="append", default=[], choices=list(HANDLING_CODES))
    b.add_argument("--releasable-to", action="append", default=[], metavar="ORG")
    add_filter_options(b)
    b.add_argument("--out", type=Path, required=True, help=_("FILE.pdf, FILE.html or FILE.xlsx"))
    b.set_defaults(func=run_build)
    ls = psub.add_parser("list", help=_("the register of products"))
    add_db_option(ls)
    ls.set_defaults(func=run_list)
    for name, helptext in (
        ("submit", N_("send a draft for peer review")),
        ("approve", N_("approve a product in review (not its author)")),
        ("send-back", N_("send a product in review back to its author")),
        ("withdraw", N_("withdraw an issued product")),
        ("regenerate", N_("rebuild a product on today's data: identical figures, or what changed")),
    ):
        s = psub.add_parser(name, help=_(helptext))
        add_db_option(s)
        s.add_argument("id", type=int)
        s.add_argument("--comment", default="")
        s.set_defaults(func=run_step, step=name)
    i = psub.add_parser("issue", help=_("issue an approved product to its distribution list"))
    add_db_option(i)
    i.add_argument("id", type=int)
    # --recipient, not --to: --from/--to are the seizure period in every command (as `exchange pack`)
    i.add_argument("--recipient", action="append", default=[], metavar="RECIPIENT", required=True)
    i.set_defaults(func=run_issue)
    d = psub.add_parser("download", help=_("write a copy for a recipient (watermarked PDF; audited)"))
    add_db_option(d)
    d.add_argument("id", type=int)
    d.add_argument("--recipient", required=True, metavar="RECIPIENT")
    d.add_argument("--out", type=Path, required=True, help=_("FILE.pdf, FILE.html or FILE.xlsx"))
    d.set_defaults(func=run_download)


def _fmt(out: Path) -> str:
    return out.suffix.lower().lstrip(".")


def spec_from_args(args: argparse.Namespace) -> Any:
    """The product spec the flags and ``--params`` give (flags win). Raises ValueError naming the file."""
    import yaml

    from workbench.products.model import BlockSpec, Handling, Judgement, ProductError, ProductSpec, Source

    params: dict[str, Any] = {}
    if args.params is not None:
        try:
            params = yaml.safe_load(args.params.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise ProductError(
                _("{file}: cannot read the parameters ({error})", file=args.params, error=e)
            ) from e
        if not isinstance(params, dict):
            raise ProductError(_("{file}: the parameters must be a mapping", file=args.params))
    flt = filter_from_args(args).to_dict()
    filt = {**(params.get("filter") or {}), **flt}
    spec = ProductSpec.from_template(
        args.template,
        args.title or str(params.get("title") or ""),
        {"filter": filt, "freq": args.freq or params.get("freq") or "M"},
    )
    try:
        if params.get("blocks"):
            spec.blocks = [
                BlockSpec(b) if isinstance(b, str) else BlockSpec(str(b["key"]), str(b.get("text", "")))
                for b in params["blocks"]
            ]
        spec.bluf = str(params.get("bluf") or "")
        spec.judgements = [Judgement(**j) for j in params.get("judgements") or []]
        spec.sources = [Source(**s) for s in params.get("sources") or []]
        h = params.get("handling") or {}
        spec.handling = Handling(
            args.classification or str(h.get("classification") or ""),
            args.tlp or str(h.get("tlp") or ""),
            tuple(args.handling or h.get("codes") or ()),
            tuple(args.releasable_to or h.get("releasable_to") or ()),
        )
        for k in ("valid_until", "review_by", "level"):
            if params.get(k):
                setattr(spec, k, str(params[k]))
    except (TypeError, KeyError) as e:
        raise ProductError(
            _("{file}: a judgement, source or block is malformed ({error})", file=args.params, error=e)
        ) from e
    return spec


def run_build(args: argparse.Namespace) -> int:
    from workbench.products import register as reg
    from workbench.products.render import FORMATS, render

    if _fmt(args.out) not in FORMATS:
        print(_("error: {out}: write a .pdf, .html or .xlsx file", out=args.out), file=sys.stderr)
        return 2
    with refused(ValueError):
        spec = spec_from_args(args)
        spec.check()
        spec.handling.check()  # before anything is read or registered
    store = store_from_args(args, "draft_products")
    with refused(ValueError):
        built = reg.assemble(store, spec, args.principal)
    pid = reg.save_draft(store, built, args.principal)
    mark = reg.record_download(store, pid, args.principal.account, _fmt(args.out), args.principal)
    data = render(built, _fmt(args.out), watermark=mark)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(
        _(
            "wrote {out}: {ref} v{v} (draft, id {id})",
            out=args.out,
            ref=built.reference,
            v=built.version,
            id=pid,
        ),
        file=sys.stderr,
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    from workbench.products.register import list_products

    store = store_from_args(args)
    df = list_products(store, args.principal)
    cols = ["id", "reference", "version", "template", "status", "author", "reviewer", "title", "distribution"]
    if df.empty:
        print(_("no product registered yet"), file=sys.stderr)
        return 0
    sys.stdout.write(df[cols].to_string(index=False) + "\n")
    return 0


def run_step(args: argparse.Namespace) -> int:
    from workbench.products import register as reg

    store = store_from_args(args)
    with refused(ValueError):
        if args.step == "regenerate":
            print(reg.regenerate(store, args.id, args.principal).describe())
            return 0
        fn = {
            "submit": reg.send_for_review,
            "approve": reg.approve,
            "send-back": reg.send_back,
            "withdraw": reg.withdraw,
        }
        row = fn[args.step](store, args.id, args.principal, args.comment)
    print(
        _(
            "{ref} v{v}: {status}",
            ref=row["reference"],
            v=row["version"],
            status=reg.status_label(row["status"]),
        ),
        file=sys.stderr,
    )
    return 0


def run_issue(args: argparse.Namespace) -> int:
    from workbench.products import register as reg

    store = store_from_args(args)
    with refused(ValueError):
        row = reg.issue(store, args.id, args.recipient, args.principal)
    print(
        _("{ref} v{v}: issued to {to}", ref=row["reference"], v=row["version"], to=", ".join(args.recipient)),
        file=sys.stderr,
    )
    return 0


def run_download(args: argparse.Namespace) -> int:
    from workbench.products import register as reg
    from workbench.products.render import FORMATS, render

    if _fmt(args.out) not in FORMATS:
        print(_("error: {out}: write a .pdf, .html or .xlsx file", out=args.out), file=sys.stderr)
        return 2
    store = store_from_args(args)
    with refused(ValueError):
        built = reg.get_product(store, args.id, args.principal)
        mark = reg.record_download(store, args.id, args.recipient, _fmt(args.out), args.principal)
    changed = built.changed_blocks()
    if changed:
        print(
            _(
                "warning: the data changed since it was registered; figures differ in: {blocks}",
                blocks=", ".join(changed),
            ),
            file=sys.stderr,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(render(built, _fmt(args.out), watermark=mark))
    print(_("wrote {out} for {to}", out=args.out, to=args.recipient), file=sys.stderr)
    return 0
