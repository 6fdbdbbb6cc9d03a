"""Navigation: every page in ``pages/`` declares where it goes in a ``# nav:`` line; the entry script
builds ``st.navigation`` from them.

A page adds itself to the app with one line near its top, e.g.::

    # nav: section=Analysis; title=Routes; icon=:material/route:; order=20

``section`` is one of :data:`SECTIONS` (grouped by user role), ``order`` sorts pages within a section,
``default=true`` marks the landing page. ``roles`` (optional) names who the page is for: roles of
:data:`workbench.config.ROLES` separated by ``,``, or ``personal`` for the roles that may see personal
data (:data:`workbench.config.PERSONAL_DATA_ROLES`); other roles do not get it in their menu. Hiding is
only what the menu offers: the page and the library still check the role themselves. Features
therefore never edit the entry script, and a test checks that every file in ``pages/`` has a valid line.

Examples
--------
>>> spec = parse_nav("# nav: section=Analysis; title=Overview; icon=:material/dashboard:; order=10; default=true",
...                  "pages/overview.py")
>>> spec.section, spec.title, spec.default
('Analysis', 'Overview', True)
>>> dup = parse_nav("# nav: section=Analysis; title=Duplicates; roles=personal", "pages/entities.py")
>>> dup.for_role("analyst"), dup.for_role("viewer"), spec.for_role("viewer")
(True, False, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from workbench.config import PERSONAL_DATA_ROLES, ROLES

__all__ = ["SECTIONS", "PageSpec", "parse_nav", "discover_pages", "NavError"]

#: Sections of the sidebar, in display order (grouped by the roles that use them).
SECTIONS: tuple[str, ...] = ("Analysis", "Briefings", "Risk", "Data quality", "Training", "Admin")


class NavError(ValueError):
    """A page's ``# nav:`` line is missing or wrong; the message names the file."""


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the entry script, e.g. "pages/overview.py"
    section: str
    title: str
    icon: str | None = None
    order: int = 100
    default: bool = False
    roles: frozenset[str] | None = None  # None: every role

    def for_role(self, role: str) -> bool:
        """Whether the menu of ``role`` offers this page."""
        return self.roles is None or role in self.roles


def parse_nav(line: str, path: str) -> PageSpec:
    """Parse one ``# nav:`` line of the page at ``path``."""
    body = line.strip().removeprefix("#").strip()
    if not body.startswith("nav:"):
        raise NavError(f"{path}: not a '# nav:' line: {line!r}")
    fields: dict[str, str] = {}
    for part in body.removeprefix("nav:").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise NavError(f"{path}: '# nav:' entry {part.strip()!r} is not key=value")
        fields[key.strip()] = value.strip()
    unknown = set(fields) - {"section", "title", "icon", "order", "default", "roles"}
    if unknown:
        raise NavError(f"{path}: unknown '# nav:' keys {sorted(unknown)}")
    section = fields.get("section", "")
    if section not in SECTIONS:
        raise NavError(f"{path}: section {section!r} is not one of {', '.join(SECTIONS)}")
    if not fields.get("title"):
        raise NavError(f"{path}: '# nav:' line has no title")
    try:
        order = int(fields.get("order", "100"))
    except ValueError:
        raise NavError(f"{path}: order {fields['order']!r} is not a whole number") from None
    roles: frozenset[str] | None = None
    if "roles" in fields:
        names = {r.strip() for r in fields["roles"].split(",") if r.strip()}
        bad = sorted(names - set(ROLES) - {"personal"})
        if bad or not names:
            raise NavError(
                f"{path}: roles {bad or fields['roles']!r}: use personal or some of {', '.join(ROLES)}"
            )
        roles = frozenset((names - {"personal"}) | (PERSONAL_DATA_ROLES if "personal" in names else set()))
    return PageSpec(
        path=path,
        section=section,
        title=fields["title"],
        icon=fields.get("icon") or None,
        order=order,
        default=fields.get("default", "").lower() in ("1", "true", "yes"),
        roles=roles,
    )


def _nav_line(text: Iterable[str]) -> str | None:
    for i, line in enumerate(text):
        if line.lstrip().startswith("# nav:"):
            return line
        if i > 40:
            break
    return None


def discover_pages(root: Path, role: str | None = None) -> dict[str, list[PageSpec]]:
    """Pages under ``root/pages`` grouped by section (in :data:`SECTIONS` order), sorted by order/title;
    with ``role``, only those its menu offers.

    Raises :class:`NavError` when a page has no valid ``# nav:`` line or two pages claim the default.
    """
    specs: list[PageSpec] = []
    for f in sorted((root / "pages").glob("*.py")):
        rel = f.relative_to(root).as_posix()
        with f.open(encoding="utf-8") as fh:
            line = _nav_line(fh)
        if line is None:
            raise NavError(f"{rel}: no '# nav: section=...; title=...' line near the top")
        specs.append(parse_nav(line, rel))
    defaults = [s.path for s in specs if s.default]
    if len(defaults) > 1:
        raise NavError(f"more than one default page: {defaults}")
    grouped: dict[str, list[PageSpec]] = {}
    for section in SECTIONS:
        pages = sorted(
            (s for s in specs if s.section == section and (role is None or s.for_role(role))),
            key=lambda s: (s.order, s.title),
        )
        if pages:
            grouped[section] = pages
    return grouped
