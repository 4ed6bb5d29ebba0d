"""What the public may see: the access decision for one record, under the Woo and the Archiefwet. Pure.

A record is public when nothing restricts it AND it is either published under the Woo (the Woo
publication is the `Publications` port's business) or open under the Archiefwet: waardering B and
old enough to have been transferred (`openbaar_na_jaren` after the end of its dekkingInTijd, 20 by
default, the province's policy for the digitised blocks; 0 switches the age test off).

A record is restricted while any of its beperkingGebruik restricts: a code that is not an
'Openbaar' code of the NHA openbaarheid lists, or a label other than 'Geen beperking', whose
termijn einddatum has not been reached. An einddatum of `2063` means open from 2063-01-01 (the
day the term has lapsed). A restriction without einddatum never lapses by itself. A record
without any beperkingGebruik (MDTO requires one) counts as restricted: not assessed is not open.

`beoordeel` also says when the decision next changes by itself (`wijzigt_op`), so the daily job
only looks at records whose day has come. "Today" is always a parameter.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from edepot.errors import InvalidInput
from edepot.mdto.model import BeperkingGebruik, Informatieobject
from edepot.search.model import Openbaarheid, iso_date
from edepot.woo.model import publiceerbaar

OPENBAAR_NA_JAREN = 20


class Grond(StrEnum):
    """Why a record is public."""

    WOO = "woo"  # published under the Wet open overheid
    ARCHIEFWET = "archiefwet"  # an archive record open under the Archiefwet


@dataclass(frozen=True)
class Beperking:
    """One beperkingGebruik as far as openness goes: its code, label and the end of its term."""

    code: str | None
    label: str
    einddatum: date | None = None  # open from this day on; None: no term recorded

    def beperkt(self, vandaag: date) -> bool:
        """True while this beperking keeps the record from the public on `vandaag`."""
        if self.einddatum is not None and self.einddatum <= vandaag:
            return False
        return not publiceerbaar(self.code, False, beperking_label=self.label)


@dataclass(frozen=True)
class Toegangsfeiten:
    """Everything the decision depends on, read from the record's sidecar and the Woo."""

    waardering: str
    beperkingen: tuple[Beperking, ...]
    dekking_eind: date | None = None  # last day the record covers (for the transfer age)
    gepubliceerd: bool = False  # published under the Woo


@dataclass(frozen=True)
class Toegang:
    """The decision: the access level, whether the public may see it, on which ground, why (Dutch),
    and the next day the decision changes by itself (None: only a change of metadata or the Woo)."""

    openbaarheid: Openbaarheid
    public: bool
    grond: Grond | None
    reden: str
    wijzigt_op: date | None = None


def plus_jaren(dag: date, jaren: int) -> date:
    """`dag` + `jaren` calendar years (29 February becomes 28 February in a common year)."""
    jaar = dag.year + jaren
    return date(jaar, dag.month, min(dag.day, calendar.monthrange(jaar, dag.month)[1]))


def beoordeel(feiten: Toegangsfeiten, *, vandaag: date, openbaar_na_jaren: int = OPENBAAR_NA_JAREN) -> Toegang:
    """The access decision for `feiten` on `vandaag`."""
    if openbaar_na_jaren < 0:
        raise ValueError("openbaar_na_jaren must be 0 or more")
    beperkend = [b for b in feiten.beperkingen if b.beperkt(vandaag)]
    if not feiten.beperkingen:
        return Toegang(Openbaarheid.BEPERKT, False, None, "geen beperkingGebruik vastgelegd: niet beoordeeld")
    oud_genoeg_op = _oud_genoeg_op(feiten, openbaar_na_jaren)
    if beperkend:
        termijnen = [b.einddatum for b in beperkend]
        vervalt = None if any(t is None for t in termijnen) else max(t for t in termijnen if t is not None)
        labels = "; ".join(dict.fromkeys(b.label or b.code or "onbekend" for b in beperkend))
        reden = f"beperkt openbaar: {labels}" + (f" (tot {vervalt.isoformat()})" if vervalt else " (zonder einddatum)")
        return Toegang(Openbaarheid.BEPERKT, False, None, reden, vervalt)
    if feiten.gepubliceerd:
        return Toegang(Openbaarheid.OPENBAAR, True, Grond.WOO, "gepubliceerd onder de Wet open overheid")
    if feiten.waardering != "B":
        return Toegang(
            Openbaarheid.INTERN, False, None, f"waardering {feiten.waardering or 'onbekend'}: geen archiefstuk"
        )
    if openbaar_na_jaren == 0:
        return Toegang(Openbaarheid.OPENBAAR, True, Grond.ARCHIEFWET, "blijvend te bewaren en zonder beperking")
    if oud_genoeg_op is None:
        return Toegang(
            Openbaarheid.INTERN, False, None, "geen datering: de termijn voor openbaarmaking is niet te bepalen"
        )
    if oud_genoeg_op > vandaag:
        return Toegang(
            Openbaarheid.INTERN,
            False,
            None,
            f"wordt openbaar op {oud_genoeg_op.isoformat()} ({openbaar_na_jaren} jaar na de laatste datering)",
            oud_genoeg_op,
        )
    return Toegang(
        Openbaarheid.OPENBAAR,
        True,
        Grond.ARCHIEFWET,
        f"blijvend te bewaren, zonder beperking en ouder dan {openbaar_na_jaren} jaar",
    )


def _oud_genoeg_op(feiten: Toegangsfeiten, jaren: int) -> date | None:
    if feiten.dekking_eind is None:
        return None
    return plus_jaren(feiten.dekking_eind, jaren)


def einddatum(waarde: str | None) -> date | None:
    """A termijn einddatum (date, gYearMonth or gYear) as the first day it is open; None if absent
    or unreadable (an unreadable term never lapses: the safe reading)."""
    if not waarde or not waarde.strip():
        return None
    try:
        return iso_date(waarde.strip()[:10])
    except InvalidInput:
        return None


def laatste_dag(begin: str | None, eind: str | None) -> date | None:
    """The last day a dekkingInTijd covers: its einddatum (end of that year/month), else its begindatum."""
    for waarde in (eind, begin):
        if waarde and waarde.strip():
            try:
                return iso_date(waarde.strip()[:10], end=True)
            except InvalidInput:
                continue
    return None


def beperkingen_van(items: Iterable[BeperkingGebruik]) -> tuple[Beperking, ...]:
    return tuple(
        Beperking(
            code=b.type.code,
            label=b.type.label,
            einddatum=einddatum(b.termijn.einddatum if b.termijn else None),
        )
        for b in items
    )


def feiten_van(io: Informatieobject, *, gepubliceerd: bool) -> Toegangsfeiten:
    """The facts of an informatieobject read from its MDTO sidecar."""
    dagen = [d for d in (laatste_dag(t.begindatum, t.einddatum) for t in io.dekking_in_tijd) if d is not None]
    return Toegangsfeiten(
        waardering=io.waardering.code or io.waardering.label,
        beperkingen=beperkingen_van(io.beperking_gebruik),
        dekking_eind=max(dagen) if dagen else None,
        gepubliceerd=gepubliceerd,
    )
