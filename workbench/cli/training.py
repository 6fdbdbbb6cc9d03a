"""``workbench training``: scenario packs, trainee sandboxes, grading and keys (see docs/training.md).

Examples::

    workbench training packs
    workbench training start --pack courier-network --trainee ana
    workbench training grade --pack courier-network --trainee ana --answers ana.yaml --json ana-grade.json
    workbench training key --pack courier-network --trainee ana --out ana-key.yaml     # trainers only

The signed-in principal comes from the main store (``WORKBENCH_DB_URL``), as in every command; ``--db``
of ``start`` names the sandbox to fill instead of ``data/training/cli/<pack>/<trainee>.db``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.cli.common import principal_for
from workbench.i18n import _

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("training", help=_("scenario packs, trainee sandboxes, grading and answer keys"))
    tsub = p.add_subparsers(dest="training_command", required=True)

    packs = tsub.add_parser("packs", help=_("list the scenario packs"))
    packs.set_defaults(func=_packs)

    start = tsub.add_parser("start", help=_("create a trainee's sandbox filled with their variant of a pack"))
    start.add_argument("--pack", required=True, help=_("pack id (see `workbench training packs`)"))
    start.add_argument("--trainee", required=True, help=_("the trainee's account name"))
    start.add_argument(
        "--db",
        metavar="URL",
        help=_("store URL of the sandbox (default: data/training/cli/<pack>/<trainee>.db)"),
    )
    start.set_defaults(func=_start)

    g = tsub.add_parser("grade", help=_("grade a trainee's answers against their own key"))
    g.add_argument("--pack", required=True)
    g.add_argument("--trainee", required=True)
    g.add_argument(
        "--answers",
        type=Path,
        required=True,
        help=_("YAML: question id -> answer (or {attempts: [...]}); optional 'hints: {q1: 1}'"),
    )
    g.add_argument("--json", type=Path, metavar="OUT", help=_("also write the grade as JSON"))
    g.set_defaults(func=_grade)

    k = tsub.add_parser("key", help=_("write a trainee's answer key (trainers only)"))
    k.add_argument("--pack", required=True)
    k.add_argument("--trainee", required=True)
    k.add_argument("--out", type=Path, required=True, help=_("YAML file to write"))
    k.set_defaults(func=_key)


def _principal(action: str) -> Any:
    from workbench.identity import authorise
    from workbench.store import open_store

    store = open_store(None)
    principal = principal_for(store)
    authorise(store, principal, action)
    return principal


def _packs(args: argparse.Namespace) -> int:
    from workbench.training.packs import list_packs

    for p in list_packs():
        kinds = sorted({q.kind for q in p.questions})
        print(
            _(
                "{id}\t{title}\t{n} questions, {points} points ({kinds})",
                id=p.id,
                title=p.title,
                n=len(p.questions),
                points=p.total_points,
                kinds=", ".join(kinds),
            )
        )
    return 0


def _start(args: argparse.Namespace) -> int:
    from workbench.training.packs import PackError, load_pack
    from workbench.training.sandbox import fill_sandbox, sandbox_url

    _principal("run_courses")
    try:
        pack = load_pack(args.pack)
    except PackError as e:
        print(_("workbench training: {e}", e=e), file=sys.stderr)
        return 2
    url = args.db or sandbox_url("cli", pack.id, args.trainee)
    store = fill_sandbox(url, pack.id, args.trainee)
    counts = ", ".join(f"{k} {v:,}" for k, v in store.counts().items())
    print(
        _("sandbox of {t} for {p}: {url} ({counts})", t=args.trainee, p=pack.id, url=store.url, counts=counts)
    )
    return 0


def _grade(args: argparse.Namespace) -> int:
    import yaml

    from workbench.training.grading import grade
    from workbench.training.packs import PackError, load_pack
    from workbench.training.variants import answer_key

    _principal("take_courses")
    try:
        pack = load_pack(args.pack)
        sheet = yaml.safe_load(args.answers.read_text(encoding="utf-8")) or {}
    except (PackError, OSError, yaml.YAMLError) as e:
        print(_("workbench training: {answers}: {e}", answers=args.answers, e=e), file=sys.stderr)
        return 2
    if not isinstance(sheet, dict):
        print(_("workbench training: {f}: expected question id -> answer", f=args.answers), file=sys.stderr)
        return 2
    hints = sheet.pop("hints", {}) or {}
    unknown = sorted(set(map(str, sheet)) - {q.id for q in pack.questions})
    if unknown:
        print(
            _(
                "workbench training: {f}: no question {q} in {p}",
                f=args.answers,
                q=", ".join(unknown),
                p=pack.id,
            ),
            file=sys.stderr,
        )
        return 2
    result = grade(pack, answer_key(pack, args.trainee), sheet, hints)
    for q in result.questions:
        print(f"{q.question}\t{q.earned:g}/{q.points}\t{q.reason}")
    print(_("total {e:g}/{p} ({pct}%)", e=result.earned, p=result.possible, pct=result.percent))
    if args.json:
        args.json.write_text(json.dumps(result.as_dict(), indent=1), encoding="utf-8")
    return 0


def _key(args: argparse.Namespace) -> int:
    import yaml

    from workbench.training.courses import trainee_key

    key = trainee_key(args.pack, args.trainee, by=_principal("run_courses"))
    args.out.write_text(yaml.safe_dump(key, allow_unicode=True, sort_keys=False), encoding="utf-8")
    print(_("wrote the key of {t} for {p} to {out}", t=args.trainee, p=args.pack, out=args.out))
    return 0
