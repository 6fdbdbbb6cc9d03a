"""Navigation: every page in ``pages/`` declares where it goes in a ``# nav:`` line; the entry script
builds ``st.navigation`` from them.

A page adds itself to the app with one line near its top, e.g.::

    # nav: section=Analysis; title=Routes; icon=:material/route:; order=20

``section`` is one of :data:`SECTIONS` (grouped by user role), ``order`` sorts pages within a section,
``default=true`` marks the landing page, ``needs`` names the action of the role x action matrix
(:data:`workbench.identity.ACTIONS`) a user must be allowed to see the page at all (default
``view_data``), or several separated by ``|`` when any of them is a reason to open it (what a role may
*do* there: ``needs=import_data|export_non_personal``); :func:`pages_for` leaves out the others, so
they are neither listed nor reachable by their address. The library still checks every action itself. Features therefore never edit the entry script, and a test
checks that every file in ``pages/`` has a valid line.

Examples
--------
>>> spec = parse_nav("# nav: section=Analysis; title=Overview; icon=:material/dashboard:; order=10; default=true",
...                  "pages/overview.py")
>>> spec.section, spec.title, spec.default, spec.needs
('Analysis', 'Overview', True, 'view_data')
>>> parse_nav("# nav: section=Risk; title=Scoring; needs=write_indicators|approve_indicators",
...           "pages/scoring.py").actions
('write_indicators', 'approve_indicators')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from workbench.identity import ACTIONS, Principal, can

__all__ = ["SECTIONS", "PageSpec", "parse_nav", "discover_pages", "page_spec", "pages_for", "NavError"]

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
    needs: str = "view_data"  # the action(s), ``|``-separated, any of which lets a user see the page

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions of ``needs``: a principal allowed any of them sees the page."""
        return tuple(a.strip() for a in self.needs.split("|"))

    def opens_for(self, principal: Principal) -> bool:
        """Whether ``principal`` sees this page: allowed one of its :attr:`actions`."""
        return any(can(principal, a) for a in self.actions)


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
    unknown = set(fields) - {"section", "title", "icon", "order", "default", "needs"}
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
    needs = fields.get("needs", "view_data")
    for action in needs.split("|"):
        if action.strip() not in ACTIONS:
            raise NavError(
                f"{path}: needs={needs!r}: {action.strip()!r} is not an action of the matrix ({', '.join(ACTIONS)})"
            )
    return PageSpec(
        path=path,
        needs=needs,
        section=section,
        title=fields["title"],
        icon=fields.get("icon") or None,
        order=order,
        default=fields.get("default", "").lower() in ("1", "true", "yes"),
    )


def _nav_line(text: Iterable[str]) -> str | None:
    for i, line in enumerate(text):
        if line.lstrip().startswith("# nav:"):
            return line
        if i > 40:
            break
    return None


def page_spec(page: Path) -> PageSpec | None:
    """The declaration of the page script at ``page`` (a file in a ``pages/`` folder), None if it has no
    ``# nav:`` line."""
    with page.open(encoding="utf-8") as fh:
        line = _nav_line(fh)
    return None if line is None else parse_nav(line, f"pages/{page.name}")


def discover_pages(root: Path) -> dict[str, list[PageSpec]]:
    """Pages under ``root/pages`` grouped by section (in :data:`SECTIONS` order), sorted by order/title.

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
            (s for s in specs if s.section == section),
            key=lambda s: (s.order, s.title),
        )
        if pages:
            grouped[section] = pages
    return grouped


def pages_for(principal: Principal, pages: dict[str, list[PageSpec]]) -> dict[str, list[PageSpec]]:
    """The sections and pages ``principal`` may open (each page's ``needs``), empty sections left out.

    >>> overview = PageSpec("pages/overview.py", "Analysis", "Overview")
    >>> admin = PageSpec("pages/admin.py", "Admin", "Accounts", needs="administer")
    >>> auditor = Principal("aud", "EU", frozenset({"auditor"}))
    >>> pages_for(auditor, {"Analysis": [overview], "Admin": [admin]})
    {}
    >>> boss = Principal("boss", "EU", frozenset({"admin"}))
    >>> [p.title for specs in pages_for(boss, {"Analysis": [overview], "Admin": [admin]}).values() for p in specs]
    ['Overview', 'Accounts']
    """
    allowed = {section: [p for p in specs if p.opens_for(principal)] for section, specs in pages.items()}
    return {section: specs for section, specs in allowed.items() if specs}
