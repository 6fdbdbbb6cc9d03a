"""The whole role x action matrix (workbench/identity/matrix.yaml), walked through the library and the
command line: for every role and every action, the entry point acts when the matrix allows it and
refuses (PermissionDenied; exit 3 on the command line) when it does not. Each role is a real account
(personal-data permission on), signed in by a token as a script would be."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from workbench.cli import main
from workbench.identity import ACTIONS, ROLES, PermissionDenied, Principal, roles_with
from workbench.identity import accounts as acc
from workbench.risk.model import Indicator, parse_condition
from workbench.store import Store, open_store

PASSWORD = "matrix walk password"
BOOT = acc.installation_principal()


def _indicator(ident: str) -> Indicator:
    return Indicator(
        ident,
        "Road from AF",
        "general_high_risk",
        parse_condition({"field": "departure_country", "op": "eq", "value": "AF"}),
        20,
    )


@pytest.fixture(scope="module")
def walk(small_sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A store with the small sample and one account per role (plus "author", who drafts what others
    approve), each with a token; and small files to import, load and resolve."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.risk.traffic import sample_traffic_path

    tmp = tmp_path_factory.mktemp("matrix")
    url = f"sqlite:///{tmp / 'matrix.db'}"
    store = open_store(url)
    assert import_path(small_sample_dir, store, actor=BOOT).status == "accepted"
    acc.create_organisation(store, "FR-DGDDI", "French customs", "administration", by=BOOT)
    principals, tokens = {}, {}
    for role in [*ROLES, "author"]:
        roles = ["analyst"] if role == "author" else [role]
        acc.create_account(
            store, role, organisation="FR-DGDDI", roles=roles, password=PASSWORD, personal=True, by=BOOT
        )
        tokens[role] = acc.issue_token(store, role, by=BOOT)
        principals[role] = acc.principal_from_token(store, tokens[role])
    # a submission of its own to import (one case), a few rows of traffic, a persons file to resolve
    from workbench.exchange.files import read_dataset

    sample = read_dataset(small_sample_dir)
    one = sample.tables["cases"].frame.head(1).assign(case_id="MATRIX-1")
    write_dataset({"cases": one}, tmp / "one")
    lines = sample_traffic_path().read_text(encoding="utf-8").splitlines()[:6]
    (tmp / "traffic.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sample.tables["persons"].frame.head(20).to_csv(tmp / "persons.csv", index=False)
    return {"url": url, "store": store, "p": principals, "tokens": tokens, "tmp": tmp}


def _library_calls(walk: dict[str, Any], role: str) -> dict[str, Callable[[], object]]:
    """One library entry point per action, acting as ``role``."""
    from workbench.exchange.exports import export_data
    from workbench.exchange.ingest import import_path
    from workbench.network.judgements import record_judgement
    from workbench.operations.groups import create_operation
    from workbench.risk import registry as reg
    from workbench.risk.traffic import read_traffic, store_traffic
    from workbench.training import courses

    store: Store = walk["store"]
    p: Principal = walk["p"][role]
    tmp: Path = walk["tmp"]

    def approve() -> object:
        ident = f"RI-A-{role}"
        reg.save_version(store, _indicator(ident), walk["p"]["author"])
        reg.submit(store, ident, walk["p"]["author"])
        return reg.approve(store, ident, p)

    def view_personal() -> object:
        from workbench.network.graph import graph_from_store

        acc.authorise(store, p, "view_personal")  # what the graph's caller asks before persons are drawn
        return graph_from_store(store, personal_allowed=True, resolve_entities=False)

    def product(status: str) -> int:
        from workbench.products import register as prod
        from workbench.products.model import Handling, ProductSpec

        spec = ProductSpec.from_template("newsletter")
        spec.handling = Handling("PUBLIC", "CLEAR")
        author = walk["p"]["author"]
        pid = prod.save_draft(store, prod.Built(spec, [], {}, []), author)
        if status != "draft":
            prod.send_for_review(store, pid, author)
        if status == "approved":
            prod.approve(store, pid, walk["p"]["admin"])
        return pid

    def products(action: str) -> object:
        from workbench.products import register as prod
        from workbench.products.model import ProductSpec

        if action == "draft_products":
            return prod.save_draft(store, prod.Built(ProductSpec.from_template("alert"), [], {}, []), p)
        if action == "review_products":
            return prod.approve(store, product("review"), p)
        return prod.issue(store, product("approved"), ["FR-DGDDI"], p)

    return {
        "view_data": lambda: acc.authorise(store, p, "view_data"),
        "view_personal": view_personal,
        "import_data": lambda: import_path(tmp / "one", store, actor=p),
        "export_non_personal": lambda: export_data(store, tmp / f"np-{role}", "non_personal", actor=p),
        "export_personal": lambda: export_data(
            store, tmp / f"ex-{role}", "exchange", legal_basis="t", actor=p
        ),
        "judge_duplicates": lambda: record_judgement(
            store, "person", f"FR:{role}:1", "FR:X:2", "same", actor=p
        ),
        "write_indicators": lambda: (
            store_traffic(store, read_traffic(tmp / "traffic.csv"), f"t-{role}", actor=p)
            and reg.save_version(store, _indicator(f"RI-W-{role}"), p)
        ),
        "approve_indicators": approve,
        "check_quality": lambda: acc.authorise(store, p, "check_quality"),
        "read_audit": lambda: acc.authorise(store, p, "read_audit"),
        "administer": lambda: acc.create_account(
            store, f"new-{role}", organisation="FR-DGDDI", roles=["viewer"], password=PASSWORD, by=p
        ),
        "draft_products": lambda: products("draft_products"),
        "review_products": lambda: products("review_products"),
        "issue_products": lambda: products("issue_products"),
        "create_operations": lambda: create_operation(
            store, code=f"OP-{role}", name="t", legal_basis="t", start="2026-01-01", end="2026-02-01", by=p
        ),
        "run_courses": lambda: courses.create_course(store, f"course-{role}", ["courier-network"], by=p),
        "take_courses": lambda: courses.trainee_courses(store, by=p),
        "attach_photos": lambda: attach_photo(store, p),
    }


def attach_photo(store: Store, p: Principal) -> object:
    """Attach one synthetic photo to the store's first case (the photos' library entry point)."""
    import sqlalchemy as sa

    from workbench.photos.attach import NewPhoto, attach_photos
    from workbench.sample.photos import draw_photo, jpeg_bytes
    from workbench.store import DATA_TABLES

    t = DATA_TABLES["cases"]
    with store.engine.connect() as conn:
        rc, cid = conn.execute(sa.select(t.c.reporting_country, t.c.case_id).limit(1)).one()
    return attach_photos(store, [NewPhoto(jpeg_bytes(draw_photo(3)), "m.jpg", rc, cid)], p)


def test_every_action_has_a_library_entry_point(walk: dict[str, Any]) -> None:
    assert set(_library_calls(walk, "viewer")) == set(ACTIONS)


@pytest.mark.parametrize(("role", "action"), list(itertools.product(ROLES, ACTIONS)))
def test_the_library_obeys_the_matrix(walk: dict[str, Any], role: str, action: str) -> None:
    call = _library_calls(walk, role)[action]
    if role in roles_with(action):
        call()
    else:
        with pytest.raises(PermissionDenied, match=f"{role} \\({role}\\) may not"):
            call()


def _cli_args(walk: dict[str, Any], role: str) -> dict[str, list[str]]:
    """One command per action that has one, acting as ``role``."""
    tmp, db = walk["tmp"], walk["url"]
    return {
        "view_data": ["info", "--db", db],
        "view_personal": [
            "resolve",
            str(tmp / "persons.csv"),
            "--out",
            str(tmp / f"r-{role}.csv"),
            "--judgements",
            "--db",
            db,
        ],
        "import_data": ["import", str(tmp / "one"), "--db", db, "--quiet"],
        "export_non_personal": [
            "export",
            "--out",
            str(tmp / f"cnp-{role}.xlsx"),
            "--non-personal",
            "--db",
            db,
        ],
        "export_personal": ["export", "--out", str(tmp / f"cex-{role}"), "--legal-basis", "t", "--db", db],
        "write_indicators": [
            "risk",
            "load-traffic",
            str(tmp / "traffic.csv"),
            "--source",
            f"c-{role}",
            "--db",
            db,
        ],
        "check_quality": ["validate", "--db", db, "--quiet"],
        "administer": ["user", "list", "--db", db],
    }


CLI_ACTIONS = ["view_data", "view_personal", "import_data", "export_non_personal", "export_personal",
               "write_indicators", "check_quality", "administer"]  # fmt: skip


@pytest.mark.parametrize(("role", "action"), list(itertools.product(ROLES, CLI_ACTIONS)))
def test_the_command_line_obeys_the_matrix(
    walk: dict[str, Any],
    role: str,
    action: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WORKBENCH_TOKEN", walk["tokens"][role])
    monkeypatch.setenv("WORKBENCH_ROLE", "admin")  # forged beside the token: grants nothing
    code = main(_cli_args(walk, role)[action])
    err = capsys.readouterr().err
    if role in roles_with(action):
        assert code in (0, 1), err  # 1: validate's verdict on the data, not a refusal
        assert "refused" not in err
    else:
        assert code == 3, err
        assert f"refused: {role} ({role}) may not" in err


def test_without_a_token_the_command_line_signs_nobody_in(
    walk: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The probe: WORKBENCH_ROLE=admin WORKBENCH_USER=chief.inspector on a store with accounts exports
    nothing, and the audit log records no forged name."""
    import sqlalchemy as sa

    from workbench.store import AuditEntry

    monkeypatch.delenv("WORKBENCH_TOKEN", raising=False)
    monkeypatch.setenv("WORKBENCH_ROLE", "admin")
    monkeypatch.setenv("WORKBENCH_USER", "chief.inspector")
    out = walk["tmp"] / "forged.xlsx"
    assert main(["export", "--out", str(out), "--legal-basis", "t", "--db", walk["url"]]) == 3
    assert "WORKBENCH_USER and WORKBENCH_ROLE grant nothing" in capsys.readouterr().err
    assert not out.exists()
    with walk["store"].engine.connect() as c:
        assert "chief.inspector" not in c.execute(sa.select(AuditEntry.user)).scalars().all()
