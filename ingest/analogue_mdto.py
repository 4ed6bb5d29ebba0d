"""Mapping one row of an analogue block's inventory to an MDTO informatieobject. No I/O except
reading the vendored NHA openbaarheid code lists once.

The Provisa 2005 category of the `selectielijst` column becomes an MDTO classificatie (Begrip,
begrippenlijst "Provisa 2005", code = the leading category number when there is one, label = the
text verbatim). The datering is kept verbatim in omschrijving ("Datering: ...") and, when it can
be read, as dekkingInTijd of type "Periode". openbaarheidsbeperking: empty, "geen" or "openbaar"
is Geen beperking; an NHA code (Archiefwet 1995/2021, Woo; trailing spaces and a missing "/1.0"
tolerated) or a short Archiefwet 1995 ground such as "Levenssfeer" becomes a coded Begrip, with
openbaar_vanaf as the termijn's einddatum. An archiefstuk inherits from its dossier the
waardering, restriction and classificatie its own row leaves empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from edepot.dating import parse_datering
from edepot.errors import Finding, Severity
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    LIJST_AGGREGATIENIVEAU,
    LIJST_BEPERKING,
    LIJST_DEKKING_IN_TIJD,
    LIJST_WAARDERING,
    Begrip,
    BeperkingGebruik,
    DekkingInTijd,
    Event,
    Identificatie,
    Informatieobject,
    Termijn,
    lijst,
)
from edepot.preingest import finding
from ingest.inventory import Inventory, InventoryRow

FOUT = Severity.FOUT
WAARSCHUWING = Severity.WAARSCHUWING
LIJST_PROVISA_2005 = lijst("Provisa 2005")
NHA_DATA = Path(__file__).resolve().parent.parent / "edepot" / "data" / "nha"
OPENBAARHEID_FILES = (
    "openbaarheid_archiefwet_1995.json",
    "openbaarheid_archiefwet_2021.json",
    "openbaarheid_wet_open_overheid.json",
)
GEEN = frozenset({"", "geen", "openbaar", "geen beperking", "n.v.t.", "nvt"})
SHORT_GROUND_SYNONYMS = {"persoonlijkelevenssfeer": "levenssfeer", "privacy": "levenssfeer"}
WAARDERINGEN = {"B": "Blijvend te bewaren", "V": "Tijdelijk te bewaren", "N": "Nader te bepalen"}
_CATEGORY_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)\b")
_OPENBAAR_VANAF = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


# --- code lists -----------------------------------------------------------------------------


@cache
def openbaarheid_codes() -> dict[str, str]:
    """NHA openbaarheid code (trimmed, always ending in '/1.0') -> label, from the vendored lists."""
    codes: dict[str, str] = {}
    for name in OPENBAARHEID_FILES:
        for entry in json.loads((NHA_DATA / name).read_text(encoding="utf-8")):
            code = str(entry["begripCode"]).strip()
            canonical = code if code.endswith("/1.0") else f"{code}/1.0"
            codes[canonical] = str(entry["begripLabel"]).strip()
    return codes


def _ground_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


@cache
def short_grounds() -> dict[str, str]:
    """Short ground ('levenssfeer') -> its code Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0."""
    grounds: dict[str, str] = {}
    for code in openbaarheid_codes():
        match = re.match(r"^Openbaarheid/AW1995/BeperktOpenbaar-(\w+)/1\.0$", code)
        if match:
            grounds[_ground_key(match.group(1))] = code
    for synonym, ground in SHORT_GROUND_SYNONYMS.items():
        grounds[synonym] = grounds[ground]
    return grounds


def _code_for(text: str) -> str | None:
    stripped = text.strip()
    canonical = stripped if stripped.endswith("/1.0") else f"{stripped}/1.0"
    if canonical in openbaarheid_codes():
        return canonical
    return short_grounds().get(_ground_key(stripped))


# --- row -> MDTO values ------------------------------------------------------------------------


@dataclass
class Report:
    """Collects findings; one per problem."""

    items: list[Finding] = field(default_factory=list)

    def add(
        self,
        rule: str,
        message: str,
        action: str,
        severity: Severity = FOUT,
        object: str | None = None,
        file: str | None = None,
    ) -> None:
        self.items.append(finding(rule, message, action, severity=severity, object=object, file=file))

    def extend(self, more: Iterable[Finding]) -> None:
        self.items.extend(more)


def where_in(row: InventoryRow, inventory: Inventory) -> str:
    return f"{inventory.path.name} row {row.row}"


def waardering(row: InventoryRow, where: str, report: Report) -> Begrip:
    value = row.waardering.strip()
    code = next((c for c, label in WAARDERINGEN.items() if value.upper() == c or value.lower() == label.lower()), None)
    if not value:
        report.add(
            "analogue.waardering.missing",
            f"{where}: waardering is empty; recorded as N (Nader te bepalen)",
            "fill in B (blijvend) or V (vernietigen)",
            WAARSCHUWING,
            object=row.inventarisnummer,
        )
        code = "N"
    elif code is None:
        report.add(
            "analogue.waardering.invalid",
            f"{where}: waardering {value!r} is not B, V or N",
            "write B, V or N",
            object=row.inventarisnummer,
        )
        code = "N"
    return Begrip(label=WAARDERINGEN[code], code=code, begrippenlijst=LIJST_WAARDERING)


def _termijn(row: InventoryRow, where: str, report: Report) -> Termijn | None:
    value = row.openbaar_vanaf.strip()
    if not value:
        return None
    if not _OPENBAAR_VANAF.match(value):
        report.add(
            "analogue.openbaar_vanaf.invalid",
            f"{where}: openbaar_vanaf {value!r} is not a year",
            "write the year the restriction ends, e.g. 2063",
            object=row.inventarisnummer,
        )
        return None
    return Termijn(einddatum=value)


def beperking_gebruik(row: InventoryRow, where: str, report: Report) -> BeperkingGebruik:
    value = row.openbaarheidsbeperking.strip()
    termijn = _termijn(row, where, report)
    if value.lower() in GEEN:
        if termijn is not None:
            report.add(
                "analogue.openbaar_vanaf.ignored",
                f"{where}: openbaar_vanaf {row.openbaar_vanaf!r} without a restriction is ignored",
                "name the restriction or empty openbaar_vanaf",
                WAARSCHUWING,
                object=row.inventarisnummer,
            )
        return GEEN_BEPERKING
    code = _code_for(value)
    if code is None:
        report.add(
            "analogue.openbaarheid.unknown",
            f"{where}: openbaarheidsbeperking {value!r} is not a known code or ground",
            "use an NHA code such as Openbaarheid/AW1995/BeperktOpenbaar-Levenssfeer/1.0, a "
            "short ground such as Levenssfeer, or leave it empty for no restriction",
            object=row.inventarisnummer,
        )
        return GEEN_BEPERKING
    label = openbaarheid_codes()[code]
    return BeperkingGebruik(type=Begrip(label=label, code=code, begrippenlijst=LIJST_BEPERKING), termijn=termijn)


def classificatie(row: InventoryRow) -> tuple[Begrip, ...]:
    text = row.selectielijst.strip()
    if not text:
        return ()
    match = _CATEGORY_NUMBER.match(text)
    return (Begrip(label=text, code=match.group(1) if match else None, begrippenlijst=LIJST_PROVISA_2005),)


def _datering(row: InventoryRow, where: str, report: Report) -> tuple[tuple[DekkingInTijd, ...], tuple[str, ...]]:
    text = row.datering.strip()
    if not text:
        return (), ()
    parsed = parse_datering(text)
    omschrijving = (f"Datering: {text}",)
    if parsed.begin is None:
        if parsed.reden:
            report.add(
                "analogue.datering.unreadable",
                f"{where}: datering not read as dates: {parsed.reden}",
                "check the datering; it is kept verbatim",
                WAARSCHUWING,
                object=row.inventarisnummer,
            )
        return (), omschrijving
    dekking = DekkingInTijd(
        type=Begrip(label="Periode", begrippenlijst=LIJST_DEKKING_IN_TIJD),
        begindatum=parsed.begin,
        einddatum=parsed.eind,
    )
    return (dekking,), omschrijving


def informatieobject(
    row: InventoryRow,
    *,
    kenmerk: str,
    niveau: str,
    block: str,
    where: str,
    events: tuple[Event, ...],
    report: Report,
    parent: Informatieobject | None = None,
) -> Informatieobject:
    """The informatieobject of a row; an archiefstuk (with `parent`) inherits what its row leaves empty."""
    dekking, omschrijving = _datering(row, where, report)
    return Informatieobject(
        identificatie=(Identificatie(kenmerk=kenmerk, bron=f"Provincie Limburg, archiefblok {block}"),),
        naam=row.titel,
        waardering=parent.waardering if parent and not row.waardering.strip() else waardering(row, where, report),
        archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
        beperking_gebruik=_inherited_beperking(row, parent, where, report)
        if parent
        else (beperking_gebruik(row, where, report),),
        aggregatieniveau=Begrip(label=niveau, begrippenlijst=LIJST_AGGREGATIENIVEAU),
        classificatie=parent.classificatie if parent and not row.selectielijst.strip() else classificatie(row),
        omschrijving=omschrijving,
        dekking_in_tijd=dekking,
        event=events,
    )


def _inherited_beperking(
    row: InventoryRow, parent: Informatieobject, where: str, report: Report
) -> tuple[BeperkingGebruik, ...]:
    """The archiefstuk's own restriction, else its dossier's (with the archiefstuk's end year if given)."""
    if row.openbaarheidsbeperking.strip():
        return (beperking_gebruik(row, where, report),)
    if not row.openbaar_vanaf.strip():
        return parent.beperking_gebruik
    if parent.beperking_gebruik == (GEEN_BEPERKING,):
        return (beperking_gebruik(row, where, report),)  # reports the ignored openbaar_vanaf
    termijn = _termijn(row, where, report)
    return tuple(replace(beperking, termijn=termijn or beperking.termijn) for beperking in parent.beperking_gebruik)
