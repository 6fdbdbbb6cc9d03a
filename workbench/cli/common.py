"""Pieces several commands share: the store option and sign-in, filter options, progress output."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from workbench.i18n import _
from workbench.identity import Credentials, Principal, SignInRefused, authorise, current_principal
from workbench.identity.accounts import sign_in
from workbench.store import Store, open_store
from workbench.store.criteria import CRITERIA
from workbench.store.filters import CaseFilter

__all__ = [
    "add_db_option",
    "add_filter_options",
    "filter_from_args",
    "deprecated",
    "store_from_args",
    "principal_for",
    "password_prompt",
    "StderrProgress",
    "import_gates",
    "Refusal",
    "refused",
]


class Refusal(Exception):
    """A command refused its input: :func:`workbench.cli.main` prints ``error: ...`` and exits with 2."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


@contextmanager
def refused(*kinds: type[BaseException]) -> Iterator[None]:
    """Turn the library's refusals of ``kinds`` (a bad value, an unknown name) raised inside the block
    into the command's refusal: one ``error: ...`` line on standard error and exit status 2, nothing
    printed to standard output. Permission refusals are not caught here (they exit with 3).

    >>> def run(args):
    ...     with refused(ValueError):
    ...         raise ValueError("no such product 12")
    >>> try:
    ...     run(None)
    ... except Refusal as e:
    ...     print(e)
    no such product 12
    """
    try:
        yield
    except kinds as e:
        raise Refusal(e) from e


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="URL",
        help=_("SQLAlchemy URL of the store (default: WORKBENCH_DB_URL or data/workbench.db)"),
    )


def password_prompt() -> Credentials:
    """Ask for an account's name and password on the terminal (the password is not echoed)."""
    if not sys.stdin.isatty():
        raise SignInRefused(
            "wrong",
            _(
                "this store has accounts: set WORKBENCH_TOKEN (from `workbench user token NAME`) to run "
                "commands from a script; a password is asked only on a terminal. WORKBENCH_USER and "
                "WORKBENCH_ROLE grant nothing"
            ),
        )
    print(_("This store has accounts: sign in."), file=sys.stderr)
    name = input(_("account: ")).strip()
    return Credentials(name, getpass.getpass(_("password: ")))


def principal_for(store: Store) -> Principal:
    """Who runs this command: the local single user on a store without accounts, else the account of
    ``WORKBENCH_TOKEN`` or the one signed in at the password prompt (on a terminal), asking for the
    second factor's code when the account has one."""
    asked: list[Credentials] = []

    def prompt() -> Credentials:
        asked.append(password_prompt())
        return asked[-1]

    try:
        return current_principal(store, prompt=prompt)
    except SignInRefused as e:
        if e.reason != "second_factor" or not asked:
            raise
        code = input(_("code of the second factor: ")).strip()
        return sign_in(store, asked[0].name, asked[0].password, totp=code)


def store_from_args(args: argparse.Namespace, action: str | None = "view_data") -> Store:
    """The store of ``--db``, with the principal who runs the command signed in (``args.principal``)
    and, unless ``action`` is None, allowed ``action`` by the matrix (every command that opens a store
    reads it: ``view_data``)."""
    store = open_store(getattr(args, "db", None))
    principal = principal_for(store)
    if action is not None:
        authorise(store, principal, action)
    args.principal = principal
    return store


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """The shared filter's flags, one per field of each criterion of
    :data:`workbench.store.criteria.CRITERIA`: the same flag means the same thing in every command."""
    g = p.add_argument_group(_("filters"))
    for c in CRITERIA:
        if c.kind == "period":
            for i, (flag, field) in enumerate(zip(c.flags, c.fields, strict=True)):
                g.add_argument(flag, dest=field, metavar=c.metavar, help=c.flag_help_text(i))
        else:
            g.add_argument(
                c.flags[0],
                dest=c.fields[0],
                action="append",
                default=[],
                metavar=c.metavar,
                help=_("{help}; repeatable", help=c.flag_help_text()),
            )


def filter_from_args(args: argparse.Namespace) -> CaseFilter:
    """The :class:`CaseFilter` the filter flags give. Raises ValueError (with the flag, the value and
    the values it takes) for a value outside a criterion's closed list, or a period that ends before it
    starts."""
    values: dict[str, Any] = {}
    for c in CRITERIA:
        if c.kind == "period":
            values.update({f: getattr(args, f, None) or None for f in c.fields})
            continue
        given = tuple(c.normalise(v) for v in getattr(args, c.fields[0], None) or ())
        allowed = c.vocabulary()
        unknown = [v for v in given if allowed is not None and v not in allowed]
        if unknown and allowed is not None:
            raise ValueError(
                _(
                    "{flag} {values}: not a value of '{label}'; use one of: {allowed}",
                    flag=c.flags[0],
                    values=", ".join(unknown),
                    label=c.title(),
                    allowed=", ".join(allowed),
                )
                if len(allowed) <= 20
                else _(
                    "{flag} {values}: not a value of '{label}'",
                    flag=c.flags[0],
                    values=", ".join(unknown),
                    label=c.title(),
                )
            )
        values[c.fields[0]] = given
    return CaseFilter(**values)


def deprecated(old: str, new: str, why: str) -> None:
    """Say on stderr that the spelling ``old`` is deprecated in favour of ``new`` (it still works), and why."""
    print(_("warning: {old} is deprecated; use {new} ({why})", old=old, new=new, why=why), file=sys.stderr)


class StderrProgress:
    """Progress lines on stderr, at most about one a second per stage."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._last = 0.0
        self._stage = ""
        self._started = 0.0

    def __call__(self, done: int, total: int, stage: str) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if stage != self._stage:
            self._started = now
        if stage != self._stage or now - self._last > 1.0 or done >= total:
            print(f"  {progress_text(done, total, stage, now - self._started)}", file=sys.stderr, flush=True)
            self._last, self._stage = now, stage


def progress_text(done: int, total: int, stage: str, elapsed: float) -> str:
    """Rows read of rows total, the share, and the time left at the pace so far.

    >>> progress_text(250, 1000, "importing items", 10.0)
    'importing items  25.0% (250/1,000 rows, about 30 s left)'
    >>> progress_text(1000, 1000, "importing items", 40.0)
    'importing items 100.0% (1,000/1,000 rows)'
    """
    if total <= 1:
        return stage
    share = f"{100 * done / total:5.1f}"
    if 0 < done < total and elapsed > 0:
        left = elapsed * (total - done) / done
        eta = _("about {s:.0f} s left", s=left) if left < 120 else _("about {m:.0f} min left", m=left / 60)
        return _(
            "{stage} {share}% ({done:,}/{total:,} rows, {eta})",
            stage=stage,
            share=share,
            done=done,
            total=total,
            eta=eta,
        )
    return _("{stage} {share}% ({done:,}/{total:,} rows)", stage=stage, share=share, done=done, total=total)


def import_gates() -> list:
    """The quality gates every import from the command line runs (see data_quality.default_gates)."""
    from data_quality import default_gates

    return default_gates()
