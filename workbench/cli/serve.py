"""``workbench serve``: run the app (what ``make run`` does after seeding)."""

from __future__ import annotations

import argparse

from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help=_("serve the app on http://localhost:PORT (deep links work from the first visit)"),
        description=_(
            "Run the Streamlit app. Set WORKBENCH_DB_URL to serve another store. It listens on "
            "the loopback address only: to publish it, put a reverse proxy with TLS in front (see the README)."
        ),
    )
    p.add_argument("--port", type=int, default=8501, help=_("port (default 8501)"))
    p.add_argument(
        "--address",
        default="127.0.0.1",
        help=_(
            "address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 listens on every "
            "interface: only behind a firewall and a TLS reverse proxy)"
        ),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.ui.serve import serve

    serve(args.port, args.address)
    return 0
