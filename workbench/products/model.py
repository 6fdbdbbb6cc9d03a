"""What a product is: template, level, bottom line up front, key judgements, graded sources and marking.

The vocabularies are declared once here, as data:

- **levels** (:data:`LEVELS`): tactical, operational, strategic (the WCO intelligence strategy's three),
  each with its default audience;
- **estimative language** (:data:`ICD203_BANDS`): the seven bands of ICD 203 with their probability
  ranges, and three **confidence** levels (:data:`CONFIDENCE`);
- **source grading** (:data:`GRADING`): the 6x6 Admiralty/NATO scheme (source reliability A-F,
  information credibility 1-6; the default) and the UK 3x5x2 scheme (source evaluation 1-3, intelligence
  assessment A-E, handling code P or C);
- **marking** (:class:`Handling`): classification (:data:`CLASSIFICATIONS`), TLP 2.0 (:data:`TLP`),
  Europol-style handling codes (:data:`HANDLING_CODES`) and the releasable-to list.

Templates (``templates.yaml``) say which blocks each kind of product starts with; :func:`load_templates`
refuses a template that names a block :data:`workbench.products.blocks.BLOCKS` does not know.

Examples
--------
>>> Source("Seizure reports of FR customs", "B2").check()
>>> Source("Informant", "G7").check()
Traceback (most recent call last):
...
workbench.products.model.ProductError: source 'Informant': grade 'G7' is not a 6x6 grade (source A-F, information 1-6, e.g. B2)
>>> Source("Informant", "1-A-P", scheme="3x5x2").check()
>>> Handling("RESTRICTED", "AMBER+STRICT", ("H2",), ("FR", "NL")).marking()
'RESTRICTED · TLP:AMBER+STRICT · H2 · REL TO FR, NL'
>>> Judgement("Routes through West Africa will grow", "likely", "moderate").sentence()
'Routes through West Africa will grow (likely, 55-80%; moderate confidence).'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workbench.i18n import N_, _

__all__ = [
    "ProductError",
    "LEVELS",
    "ICD203_BANDS",
    "CONFIDENCE",
    "GRADING",
    "CLASSIFICATIONS",
    "TLP",
    "HANDLING_CODES",
    "Template",
    "Judgement",
    "Source",
    "Handling",
    "BlockSpec",
    "ProductSpec",
    "load_templates",
    "templates",
]


class ProductError(ValueError):
    """A product that cannot be built, marked, issued or moved on in its lifecycle; the message says why."""


#: Level -> default audience (the level decides who a product is written for).
LEVELS: dict[str, str] = {
    "tactical": N_("front-line officers and control units (a specific shipment, route or modus operandi)"),
    "operational": N_("enforcement and investigation units, RILOs (patterns, networks, targeting)"),
    "strategic": N_("senior management and policy makers (trends, threats, priorities)"),
}

#: ICD 203 estimative language: band -> probability range in percent.
ICD203_BANDS: dict[str, tuple[int, int]] = {
    N_("almost no chance"): (1, 5),
    N_("very unlikely"): (5, 20),
    N_("unlikely"): (20, 45),
    N_("roughly even chance"): (45, 55),
    N_("likely"): (55, 80),
    N_("very likely"): (80, 95),
    N_("almost certain"): (95, 99),
}
CONFIDENCE: tuple[str, ...] = (N_("low"), N_("moderate"), N_("high"))

#: Grading schemes: name -> (pattern of a grade, what a grade is made of).
GRADING: dict[str, tuple[str, str]] = {
    "6x6": (r"[A-F][1-6]", N_("source A-F, information 1-6, e.g. B2")),
    "3x5x2": (r"[1-3]-?[A-E]-?[PC]", N_("source 1-3, intelligence A-E, handling P or C, e.g. 1-A-P")),
}

CLASSIFICATIONS: tuple[str, ...] = ("PUBLIC", "UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET")
#: Traffic Light Protocol 2.0.
TLP: tuple[str, ...] = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
#: Europol-style handling codes.
HANDLING_CODES: dict[str, str] = {
    "H0": N_("for law-enforcement purposes only"),
    "H1": N_("not to be used as evidence in judicial proceedings without the originator's permission"),
    "H2": N_("not to be disseminated without the originator's permission"),
    "H3": N_("other restrictions: see the handling note"),
}


@dataclass(frozen=True)
class Template:
    """A kind of product: its title, the type code of its references, its level and starting blocks."""

    key: str
    title: str
    code: str
    level: str
    blocks: tuple[str, ...]


def _templates_path() -> Path:
    return Path(__file__).with_name("templates.yaml")


def load_templates(path: str | Path | None = None) -> dict[str, Template]:
    """The templates of ``path`` (default: the shipped ``templates.yaml``). Raises :class:`ProductError`
    naming the file, the template and the block for a block that no builder knows, an unknown level or
    a template without blocks."""
    from workbench.products.blocks import BLOCKS

    p = Path(path) if path is not None else _templates_path()
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ProductError(_("{file}: cannot read the templates ({error})", file=p.name, error=e)) from e
    out: dict[str, Template] = {}
    for key, t in (raw.get("templates") or {}).items():
        blocks = tuple(str(b) for b in (t.get("blocks") or ()))
        unknown = [b for b in blocks if b not in BLOCKS]
        if unknown:
            raise ProductError(
                _(
                    "{file}: template '{template}' names an unknown block {blocks}; blocks are: {known}",
                    file=p.name,
                    template=key,
                    blocks=", ".join(repr(b) for b in unknown),
                    known=", ".join(BLOCKS),
                )
            )
        if not blocks:
            raise ProductError(_("{file}: template '{template}' has no blocks", file=p.name, template=key))
        level = str(t.get("level", ""))
        if level not in LEVELS:
            raise ProductError(
                _(
                    "{file}: template '{template}': level '{level}' is not one of {levels}",
                    file=p.name,
                    template=key,
                    level=level,
                    levels=", ".join(LEVELS),
                )
            )
        code = str(t.get("code", key[:3])).upper()
        out[str(key)] = Template(str(key), str(t.get("title", key)), code, level, blocks)
    return out


@cache
def templates() -> dict[str, Template]:
    """The shipped templates (read once)."""
    return load_templates()


@dataclass(frozen=True)
class Judgement:
    """A key judgement in estimative language: the statement, its ICD 203 band and the confidence."""

    text: str
    band: str = "likely"
    confidence: str = "moderate"

    def check(self) -> None:
        if not self.text.strip():
            raise ProductError(_("a key judgement needs a statement"))
        if self.band not in ICD203_BANDS:
            raise ProductError(
                _(
                    "key judgement '{text}': '{band}' is not an estimative band; use one of: {bands}",
                    text=self.text[:60],
                    band=self.band,
                    bands=", ".join(ICD203_BANDS),
                )
            )
        if self.confidence not in CONFIDENCE:
            raise ProductError(
                _(
                    "key judgement '{text}': confidence '{c}' is not one of {levels}",
                    text=self.text[:60],
                    c=self.confidence,
                    levels=", ".join(CONFIDENCE),
                )
            )

    def sentence(self) -> str:
        lo, hi = ICD203_BANDS[self.band]
        return _(
            "{text} ({band}, {lo}-{hi}%; {confidence} confidence).",
            text=self.text.rstrip(". "),
            band=_(self.band),
            lo=lo,
            hi=hi,
            confidence=_(self.confidence),
        )


@dataclass(frozen=True)
class Source:
    """A source of the product with its grade under ``scheme`` (6x6 or 3x5x2)."""

    description: str
    grade: str
    scheme: str = "6x6"

    def check(self) -> None:
        if self.scheme not in GRADING:
            raise ProductError(
                _("grading scheme '{s}' is not one of {schemes}", s=self.scheme, schemes=", ".join(GRADING))
            )
        pattern, what = GRADING[self.scheme]
        if not re.fullmatch(pattern, self.grade.strip().upper()):
            raise ProductError(
                _(
                    "source '{source}': grade '{grade}' is not a {scheme} grade ({what})",
                    source=self.description[:60],
                    grade=self.grade,
                    scheme=self.scheme,
                    what=_(what),
                )
            )


@dataclass(frozen=True)
class Handling:
    """The marking: classification, TLP 2.0 colour, handling codes and the releasable-to list."""

    classification: str = ""
    tlp: str = ""
    codes: tuple[str, ...] = ()
    releasable_to: tuple[str, ...] = ()

    def missing(self) -> list[str]:
        """What the marking lacks or gets wrong, in words (empty: complete)."""
        out = []
        if self.classification not in CLASSIFICATIONS:
            out.append(
                _("classification (one of {values})", values=", ".join(CLASSIFICATIONS))
                if not self.classification
                else _(
                    "classification '{c}' is not one of {values}",
                    c=self.classification,
                    values=", ".join(CLASSIFICATIONS),
                )
            )
        if self.tlp not in TLP:
            out.append(
                _("TLP (one of {values})", values=", ".join(TLP))
                if not self.tlp
                else _("TLP '{t}' is not one of {values}", t=self.tlp, values=", ".join(TLP))
            )
        bad = [c for c in self.codes if c not in HANDLING_CODES]
        if bad:
            out.append(
                _(
                    "handling codes {codes} unknown (use {known})",
                    codes=", ".join(bad),
                    known=", ".join(HANDLING_CODES),
                )
            )
        return out

    def check(self) -> None:
        gaps = self.missing()
        if gaps:
            raise ProductError(_("the marking is incomplete: {gaps}", gaps="; ".join(gaps)))

    def marking(self) -> str:
        """The one-line marking every page and sheet carries."""
        parts = [self.classification, f"TLP:{self.tlp}", *self.codes]
        if self.releasable_to:
            parts.append("REL TO " + ", ".join(self.releasable_to))
        return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class BlockSpec:
    """One block of a product: a builder of :data:`~workbench.products.blocks.BLOCKS` or free ``text``."""

    key: str
    text: str = ""
    title: str = ""


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass
class ProductSpec:
    """Everything that defines a product: template, filter parameters, blocks, assessment and marking.

    ``params`` holds the filter (``region``, ``date_from``, ``date_to``, ``category``, ``commodity``)
    as plain text, so a product can be rebuilt later from what is stored."""

    template: str
    title: str
    params: dict[str, Any] = field(default_factory=dict)
    blocks: list[BlockSpec] = field(default_factory=list)
    level: str = ""
    bluf: str = ""
    judgements: list[Judgement] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    handling: Handling = field(default_factory=Handling)
    valid_until: str = ""
    review_by: str = ""
    indicators: list[str] = field(default_factory=list)

    @classmethod
    def from_template(
        cls, template: str, title: str = "", params: dict[str, Any] | None = None
    ) -> ProductSpec:
        tpl = templates().get(template)
        if tpl is None:
            raise ProductError(
                _("no template '{t}'; templates are: {known}", t=template, known=", ".join(templates()))
            )
        today = _today()
        return cls(
            template=template,
            title=title or _(tpl.title),
            params=dict(params or {}),
            blocks=[BlockSpec(b) for b in tpl.blocks],
            level=tpl.level,
            valid_until=(today + dt.timedelta(days=365)).isoformat(),
            review_by=(today + dt.timedelta(days=180)).isoformat(),
        )

    def check(self) -> None:
        """Refuse (:class:`ProductError`) a spec whose template, level, blocks, judgements or sources are
        wrong. The marking is checked where a product leaves the workbench (outputs and issue)."""
        from workbench.products.blocks import BLOCKS

        if self.template not in templates():
            raise ProductError(
                _("no template '{t}'; templates are: {known}", t=self.template, known=", ".join(templates()))
            )
        if self.level not in LEVELS:
            raise ProductError(
                _("level '{level}' is not one of {levels}", level=self.level, levels=", ".join(LEVELS))
            )
        unknown = [b.key for b in self.blocks if b.key not in BLOCKS]
        if unknown:
            raise ProductError(
                _(
                    "unknown block {blocks}; blocks are: {known}",
                    blocks=", ".join(repr(b) for b in unknown),
                    known=", ".join(BLOCKS),
                )
            )
        for j in self.judgements:
            j.check()
        for s in self.sources:
            s.check()

    def audience(self) -> str:
        return _(LEVELS.get(self.level, ""))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProductSpec:
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        h = d.get("handling") or {}
        return cls(
            **{
                **d,
                "blocks": [BlockSpec(**b) for b in d.get("blocks") or []],
                "judgements": [Judgement(**j) for j in d.get("judgements") or []],
                "sources": [Source(**s) for s in d.get("sources") or []],
                "handling": Handling(
                    str(h.get("classification", "")),
                    str(h.get("tlp", "")),
                    tuple(h.get("codes") or ()),
                    tuple(h.get("releasable_to") or ()),
                ),
            }
        )
