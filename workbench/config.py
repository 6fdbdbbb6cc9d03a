"""Settings, each declared once with its name, default and help text.

Values come from prefixed environment variables (``WORKBENCH_*``); secrets only from the environment.
A test checks that every setting here is documented in the README.

Examples
--------
>>> s = Settings.from_env({"WORKBENCH_ROLE": "viewer"})
>>> s.role
'viewer'
>>> s.db_url.startswith("sqlite:///")
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PERSONAL_DATA_ROLES",
    "PURPOSE_SCOPES",
    "ROLES",
    "SECRET_SETTINGS",
    "SETTINGS",
    "Setting",
    "Settings",
    "settings_table",
]


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalogues (as :func:`workbench.i18n.N_` does: this module is below
    :mod:`workbench.i18n`, so it cannot import it); it is translated where it is shown."""
    return message


#: Roles of the local single-user mode (a store with no account yet: WORKBENCH_ROLE). Once a store has
#: accounts these grant nothing; the matrix of :mod:`workbench.identity.policy` decides.
ROLES: dict[str, str] = {
    "analyst": N_("national analyst; may see personal data (persons, companies)"),
    "steward": N_("data steward; validates submissions; may see personal data"),
    "rilo": N_("RILO staff; regional briefings on non-personal data"),
    "trainer": N_("trainer running courses on scenario data; may see the scenario's personal data"),
    "viewer": N_("read-only; non-personal data only"),
    "auditor": N_("reads the audit log and its reports; no case data"),
    "admin": N_("administrator; everything"),
}
PERSONAL_DATA_ROLES = frozenset({"analyst", "steward", "trainer", "admin"})


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return "WORKBENCH_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "data", N_("Folder for the embedded SQLite database and other local files.")),
    Setting(
        "db_url",
        "",
        N_(
            "SQLAlchemy URL of the store, e.g. postgresql+psycopg://user:pw@host/db. "
            "Empty: a SQLite file `workbench.db` in the data folder."
        ),
    ),
    Setting(
        "user",
        "",
        N_(
            "Name of the current user in the local single-user mode (a store with no account yet). Empty: the "
            "login name. Grants nothing once the store has an account."
        ),
    ),
    Setting(
        "role",
        "analyst",
        "Role of the current user in the local single-user mode: "
        + ", ".join(ROLES)
        + ". Grants nothing once the store has an account.",
    ),
    Setting(
        "token",
        "",
        N_(
            "An access token from `workbench user token NAME`: signs the command line and notebooks in as "
            "that account on a store with accounts. A secret; read from the environment only."
        ),
    ),
    Setting(
        "admin_password",
        "",
        N_(
            "Password of the demo administrator that `workbench seed` creates on a new store. Empty: a "
            "one-time password is generated and printed. A secret; read from the environment only."
        ),
    ),
    Setting("lockout_failures", "5", N_("Failed sign-ins in a row after which an account is locked.")),
    Setting("lockout_minutes", "15", N_("How long a locked account stays locked, in minutes.")),
    Setting(
        "password_min_length",
        "12",
        N_("Shortest password accepted (a password may not be the account's name either)."),
    ),
    Setting("password_expiry_days", "180", N_("Days after which a password must be changed (0: never).")),
    Setting("password_notice_days", "14", N_("Days before a password expires from which its user is told.")),
    Setting("session_idle_minutes", "30", N_("Minutes without activity after which an app session ends.")),
    Setting("token_days", "30", N_("Days an access token lives unless `--days` says otherwise.")),
    Setting(
        "purpose_scope",
        "session",
        N_(
            "How often a user states the purpose before consulting personal data: `session` (once per "
            "session) or `case` (for each case)."
        ),
    ),
    Setting(
        "audit_retention_years", "3", N_("Years the audit log keeps its entries before they are erased.")
    ),
    Setting(
        "audit_signing_key",
        "",
        N_(
            "Ed25519 key that signs the audit log's checkpoints: the path of its PEM file (from `workbench audit "
            "keygen`) or the PEM text. Kept outside the database; a secret, read from the environment only."
        ),
    ),
    Setting(
        "oidc_create_accounts",
        "false",
        N_(
            "Whether a user of the identity provider (OIDC) who has no account gets one at first sign-in "
            "(roles and organisation from the groups claim). Off: such a user is refused."
        ),
    ),
    Setting(
        "oidc_groups_claim", "groups", N_("The OIDC claim that lists a user's groups (roles, organisation).")
    ),
    Setting(
        "seed_sample",
        "true",
        N_("Whether `workbench seed` (run by `make run`) loads the shipped sample into an empty store."),
    ),
    Setting(
        "language",
        "en",
        N_(
            "Language of the app and of the command line's messages (English is the source language; a "
            "language without a catalogue reads in English)."
        ),
    ),
    Setting(
        "max_rejected_rows",
        "10000",
        N_(
            "Most rows one import may refuse (and quarantine); beyond it the whole submission is refused, "
            "listing the first refusals, and nothing is stored."
        ),
    ),
    Setting(
        "pseudonym_key",
        "",
        N_(
            "Secret key for pseudonymised exports (keyed hash). Never stored; read from the environment only."
        ),
    ),
    Setting(
        "operations_key",
        "",
        N_(
            "Key (Fernet, from `workbench operation keygen`) that encrypts operations' messages and attachments "
            "at rest. Never stored; read from the environment only. Without it messages are refused."
        ),
    ),
    Setting(
        "organisation",
        "",
        N_(
            "This workbench's organisation code (e.g. FR-DGDDI) in the local single-user mode: the sender of "
            "the packages it packs and the recipient it accepts. With accounts, the account's organisation."
        ),
    ),
    Setting(
        "exchange_key",
        "",
        N_(
            "Ed25519 key that signs exchange packages (`workbench exchange pack`): the path of its PEM file "
            "(from `workbench exchange keygen`), the PEM text or the raw key in base64. A secret, read from "
            "the environment only."
        ),
    ),
    Setting(
        "exchange_trust",
        "",
        N_(
            "File (or folder of files) listing the senders whose packages `workbench exchange receive` "
            "accepts: one 'ORGANISATION PUBLIC-KEY' line each."
        ),
    ),
)


#: How often the purpose of a consultation of personal data is asked (WORKBENCH_PURPOSE_SCOPE)
PURPOSE_SCOPES = ("session", "case")
#: Settings that are secrets: never shown, only said to be set
SECRET_SETTINGS = frozenset(
    {"pseudonym_key", "token", "admin_password", "audit_signing_key", "operations_key", "exchange_key"}
)


def _yes(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _whole(raw: Mapping[str, str], name: str) -> int:
    """A setting that is a whole number of zero or more; a clear message naming the variable otherwise."""
    text = raw[name].strip()
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"WORKBENCH_{name.upper()}={text!r} is not a whole number of zero or more")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str
    user: str
    role: str
    seed_sample: bool
    pseudonym_key: str
    language: str = "en"
    max_rejected_rows: int = 10_000
    token: str = ""
    admin_password: str = ""
    lockout_failures: int = 5
    lockout_minutes: int = 15
    password_min_length: int = 12
    password_expiry_days: int = 180
    password_notice_days: int = 14
    session_idle_minutes: int = 30
    token_days: int = 30
    purpose_scope: str = "session"
    audit_retention_years: int = 3
    audit_signing_key: str = ""
    oidc_create_accounts: bool = False
    oidc_groups_claim: str = "groups"
    operations_key: str = ""
    organisation: str = ""
    exchange_key: str = ""
    exchange_trust: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        raw = {s.name: env.get(s.env, s.default) for s in SETTINGS}
        data_dir = Path(raw["data_dir"]).expanduser()
        db_url = raw["db_url"] or f"sqlite:///{(data_dir / 'workbench.db').as_posix()}"
        role = raw["role"].strip().lower() or "analyst"
        if role not in ROLES:
            raise ValueError(f"WORKBENCH_ROLE={role!r} is not a role; choose one of {', '.join(ROLES)}")
        user = raw["user"] or env.get("USER") or env.get("USERNAME") or "analyst"
        scope = raw["purpose_scope"].strip().lower() or "session"
        if scope not in PURPOSE_SCOPES:
            raise ValueError(
                f"WORKBENCH_PURPOSE_SCOPE={scope!r} is not a scope; choose one of {', '.join(PURPOSE_SCOPES)}"
            )
        return cls(
            data_dir=data_dir,
            db_url=db_url,
            user=user,
            role=role,
            seed_sample=_yes(raw["seed_sample"]),
            pseudonym_key=raw["pseudonym_key"],
            language=raw["language"].strip().lower() or "en",
            max_rejected_rows=_positive_int("max_rejected_rows", raw["max_rejected_rows"]),
            token=raw["token"].strip(),
            admin_password=raw["admin_password"],
            lockout_failures=_whole(raw, "lockout_failures"),
            lockout_minutes=_whole(raw, "lockout_minutes"),
            password_min_length=_whole(raw, "password_min_length"),
            password_expiry_days=_whole(raw, "password_expiry_days"),
            password_notice_days=_whole(raw, "password_notice_days"),
            session_idle_minutes=_whole(raw, "session_idle_minutes"),
            token_days=_whole(raw, "token_days"),
            purpose_scope=scope,
            audit_retention_years=_whole(raw, "audit_retention_years"),
            audit_signing_key=raw["audit_signing_key"],
            oidc_create_accounts=_yes(raw["oidc_create_accounts"]),
            oidc_groups_claim=raw["oidc_groups_claim"].strip() or "groups",
            operations_key=raw["operations_key"].strip(),
            organisation=raw["organisation"].strip(),
            exchange_key=raw["exchange_key"],
            exchange_trust=raw["exchange_trust"].strip(),
        )

    @property
    def can_see_personal(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES


def _positive_int(name: str, text: str) -> int:
    try:
        value = int(str(text).strip().replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"WORKBENCH_{name.upper()}={text!r} is not a whole number of at least 1")
    return value


def _shown(name: str, value: object) -> str:
    """A setting's value as it may be shown: secrets as "(set)", a database URL without its password."""
    text = str(value)
    if name in SECRET_SETTINGS:
        return "(set)" if text else ""
    if name == "db_url" and "@" in text:
        from sqlalchemy.engine import make_url

        try:
            return make_url(text).render_as_string(hide_password=True)
        except Exception:  # a URL SQLAlchemy cannot read: show none of it
            return "(set)"
    return text


def settings_table(settings: Settings) -> list[dict[str, str]]:
    """Every setting with its environment variable, the value in force (secrets never shown: the
    pseudonym key as "(set)", the database password as ``***``) and its help, for the Admin page.

    >>> s = Settings.from_env({"WORKBENCH_DB_URL": "postgresql+psycopg://wb:s3cret@db/cen", "WORKBENCH_PSEUDONYM_KEY": "k"})
    >>> {r["variable"]: r["value"] for r in settings_table(s)}["WORKBENCH_DB_URL"]
    'postgresql+psycopg://wb:***@db/cen'
    >>> "k" in [r["value"] for r in settings_table(s)], "(set)" in [r["value"] for r in settings_table(s)]
    (False, True)
    """
    return [
        {"variable": x.env, "value": _shown(x.name, getattr(settings, x.name)), "help": x.help}
        for x in SETTINGS
    ]
