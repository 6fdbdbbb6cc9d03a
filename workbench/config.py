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

__all__ = ["SETTINGS", "Setting", "Settings", "ROLES", "PERSONAL_DATA_ROLES", "settings_table"]

#: Roles of the simple current-user context. Authentication comes later; the role decides what is shown.
ROLES: dict[str, str] = {
    "analyst": "national analyst; may see personal data (persons, companies)",
    "steward": "data steward; validates submissions; may see personal data",
    "rilo": "RILO staff; regional briefings on non-personal data",
    "trainer": "trainer running courses on scenario data; may see the scenario's personal data",
    "viewer": "read-only; non-personal data only",
    "admin": "administrator; everything",
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
    Setting("data_dir", "data", "Folder for the embedded SQLite database and other local files."),
    Setting(
        "db_url",
        "",
        "SQLAlchemy URL of the store, e.g. postgresql+psycopg://user:pw@host/db. "
        "Empty: a SQLite file `workbench.db` in the data folder.",
    ),
    Setting("user", "", "Name of the current user, written to the audit log. Empty: the login name."),
    Setting("role", "analyst", "Role of the current user: " + ", ".join(ROLES) + "."),
    Setting(
        "seed_sample",
        "true",
        "Whether `workbench seed` (run by `make run`) loads the shipped sample into an empty store.",
    ),
    Setting(
        "language",
        "en",
        "Language of the app and of the command line's messages (English is the source language; a "
        "language without a catalogue reads in English).",
    ),
    Setting(
        "max_rejected_rows",
        "10000",
        "Most rows one import may refuse (and quarantine); beyond it the whole submission is refused, "
        "listing the first refusals, and nothing is stored.",
    ),
    Setting(
        "pseudonym_key",
        "",
        "Secret key for pseudonymised exports (keyed hash). Never stored; read from the environment only.",
    ),
)


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
        return cls(
            data_dir=data_dir,
            db_url=db_url,
            user=user,
            role=role,
            seed_sample=raw["seed_sample"].strip().lower() in ("1", "true", "yes", "on"),
            pseudonym_key=raw["pseudonym_key"],
            language=raw["language"].strip().lower() or "en",
            max_rejected_rows=_positive_int("max_rejected_rows", raw["max_rejected_rows"]),
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
    if name == "pseudonym_key":
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
