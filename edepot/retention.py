"""The retention engine: from a record's facts and the selectielijsten to a RetentionDecision.

Pure: no I/O, no clock (`today` is a parameter). Every call returns a decision with a reason;
when the waardering cannot be determined it is N, and when the category is known but the input
of its afleidingswijze is missing the decision is `uitgesteld` (postponed, no action date).

Brondatum per afleidingswijze, as Open Zaak derives it (src/openzaak/components/zaken/brondatum.py):

- afgehandeld: the zaak's einddatum.
- termijn: einddatum + procestermijn (none while the zaak is open).
- hoofdzaak: the einddatum of the hoofdzaak.
- eigenschap: the date value of the eigenschap named by datumkenmerk.
- zaakobject: the latest date found at path `datumkenmerk` (dotted, as Open Zaak allows since
  PR #1683) on every zaakobject of `objecttype`; every such object must have it.
- ingangsdatum_besluit / vervaldatum_besluit: the LATEST ingangsdatum / vervaldatum over the
  zaak's besluiten (besluiten without a vervaldatum are skipped, as SQL MAX does).
- gerelateerde_zaak: the latest einddatum of the related zaken.
- ander_datumkenmerk: set by hand (Open Zaak leaves it to a person); here `ander_datumkenmerk`.

Then: term start = brondatum, or 1 January of the year after it when the list says
"1 januari na afsluiting" (Provisa 2005 H.I par. 6). V: archiefactiedatum = term start +
bewaartermijn (and the latest over `aanvullende_termijnen`). B: overbrengingsdatum = brondatum +
N years, N = the category's or list's own transfer term if it has one, else 10 when
`nieuwe_archiefwet_vanaf` is set and the brondatum is on or after it, else
`overbrenging_termijn_jaren` (20); the archiefactiedatum of a B record is its overbrengingsdatum.
Calendar arithmetic: years and months first, the day clamped to the month's end
(2024-02-29 + P10Y = 2034-02-28), then weeks and days.

`datumgebruik(record, lists, today)` says how `decide` uses the record's two plain dates
(einddatum, ander_datumkenmerk): not at all, through the year only, or as the exact date. It lets
the nightly job decide once for many records (see `edepot.retention_service`); it is read off the
same rules `decide` follows, and a test holds the two together.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from edepot.selectielijst import (
    DUUR_RE,
    Categorie,
    Selectielijst,
    Termijnaanvang,
    Trigger,
    Waardering,
    lijsten_in_werking,
)

NIEUWE_ARCHIEFWET_TERMIJN_JAREN = 10


# --------------------------------------------------------------------------- inputs and outputs


@dataclass(frozen=True)
class Besluit:
    ingangsdatum: date
    vervaldatum: date | None = None


@dataclass(frozen=True)
class ZaakObject:
    """A zaakobject: its objectType and its data (read by a dotted path, e.g. `record.data.einddatum`)."""

    objecttype: str
    gegevens: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordFacts:
    """Everything the engine needs to know about one record (a zaak, a block, a chat)."""

    bron: str  # source: zaaksysteem | analogue | teams
    aanmaakdatum: date | None  # creation date: chooses the list version
    categorie: str | None = None  # "<lijst>/<nummer>", e.g. "Provisa 2005/12"
    selectielijstklasse: str | None = None  # alternative: an identifier listed in a category
    einddatum: date | None = None  # afgehandeld, termijn
    procestermijn: str | None = None  # termijn (overrides the list's procestermijn)
    hoofdzaak_einddatum: date | None = None
    besluiten: tuple[Besluit, ...] = ()
    eigenschappen: Mapping[str, str] = field(default_factory=dict)
    zaakobjecten: tuple[ZaakObject, ...] = ()
    gerelateerde_zaken_einddata: tuple[date | None, ...] = ()
    ander_datumkenmerk: date | None = None  # brondatum set by hand
    legal_hold: bool = False
    blokkades: tuple[str, ...] = ()  # other reasons not to act: Woo-verzoek, bezwaar, hotspot ...


@dataclass(frozen=True)
class RetentionDecision:
    waardering: Waardering
    reden: str
    code: str  # stable dotted id of the outcome, e.g. retention.bepaald, retention.categorie.onbekend
    selectielijst: str | None = None
    versie: str | None = None
    categorie: str | None = None  # the category nummer
    bewaartermijn: str | None = None
    afleidingswijze: str | None = None
    brondatum: date | None = None
    termijnstart: date | None = None
    archiefactiedatum: date | None = None
    overbrengingsdatum: date | None = None
    uitgesteld: bool = False  # postponed: the afleidingswijze's input is missing
    termijn_verstreken: bool = False  # the action date is on or before `today`
    blokkades: tuple[str, ...] = ()

    @property
    def categorie_sleutel(self) -> str | None:
        if self.selectielijst is None or self.categorie is None:
            return None
        return f"{self.selectielijst}/{self.categorie}"


# --------------------------------------------------------------------------- calendar arithmetic


def parse_duur(duur: str) -> tuple[int, int, int]:
    """(years, months, days) of an ISO 8601 duration PnYnMnD / PnW; ValueError otherwise."""
    match = DUUR_RE.match(duur)
    if not match:
        raise ValueError(f"{duur!r} is not an ISO 8601 duration in years, months, weeks and days")
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    return years, months, weeks * 7 + days


def plus_duur(start: date, duur: str) -> date:
    """`start` + `duur`: years and months first with the day clamped to the month's end, then days."""
    years, months, days = parse_duur(duur)
    total = start.month - 1 + months
    year = start.year + years + total // 12
    month = total % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=days)


def termijnstart(brondatum: date, aanvang: Termijnaanvang) -> date:
    if aanvang is Termijnaanvang.EERSTE_JANUARI_NA_AFSLUITING:
        return date(brondatum.year + 1, 1, 1)
    return brondatum


# --------------------------------------------------------------------------- brondatum


@dataclass(frozen=True)
class Brondatum:
    """The outcome of deriving a brondatum: the date, or why it is missing or unusable."""

    datum: date | None
    ontbreekt: str | None = None  # input missing -> postponed
    ongeldig: str | None = None  # input present but unusable -> N
    afleidingswijze: str = ""  # the afleidingswijze that gave the date (the fallback's if used)


def _as_date(value: Any) -> date | None:
    """A date from a date, a datetime or an ISO 8601 date/date-time string; None if impossible."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            return None
    return None


_MISSING = object()


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    current: Any = data
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, Sequence) and not isinstance(current, str) and part.isdigit():
            index = int(part)
            if index >= len(current):
                return _MISSING
            current = current[index]
        else:
            return _MISSING
    return current


def brondatum(trigger: Trigger, record: RecordFacts) -> Brondatum:
    """The brondatum for one trigger, following Open Zaak; the fallback trigger when input is missing."""
    result = replace(_brondatum(trigger, record), afleidingswijze=trigger.afleidingswijze)
    if result.datum is None and result.ongeldig is None and trigger.terugval is not None:
        terugval = trigger.terugval
        fallback = replace(_brondatum(terugval, record), afleidingswijze=terugval.afleidingswijze)
        if fallback.datum is not None or fallback.ongeldig is not None:
            return fallback
        return replace(
            result, ontbreekt=f"{result.ontbreekt}; fallback {terugval.afleidingswijze}: {fallback.ontbreekt}"
        )
    return result


def _brondatum(trigger: Trigger, record: RecordFacts) -> Brondatum:
    wijze = trigger.afleidingswijze
    if wijze == "afgehandeld":
        if record.einddatum is None:
            return Brondatum(None, ontbreekt="the zaak has no einddatum yet (not afgehandeld)")
        return Brondatum(record.einddatum)
    if wijze == "termijn":
        if record.einddatum is None:
            return Brondatum(None, ontbreekt="the zaak has no einddatum yet, so einddatum + procestermijn is unknown")
        termijn = record.procestermijn or trigger.procestermijn
        if not termijn:
            return Brondatum(None, ontbreekt="no procestermijn is known for afleidingswijze termijn")
        try:
            return Brondatum(plus_duur(record.einddatum, termijn))
        except (ValueError, OverflowError):
            return Brondatum(None, ongeldig=f"procestermijn {termijn!r} is not a usable ISO 8601 duration")
    if wijze == "hoofdzaak":
        if record.hoofdzaak_einddatum is None:
            return Brondatum(None, ontbreekt="there is no hoofdzaak or it has no einddatum yet")
        return Brondatum(record.hoofdzaak_einddatum)
    if wijze == "eigenschap":
        naam = trigger.datumkenmerk or ""
        if naam not in record.eigenschappen:
            return Brondatum(None, ontbreekt=f"the zaak has no eigenschap {naam!r}")
        waarde = record.eigenschappen[naam]
        if not waarde:
            return Brondatum(None, ontbreekt=f"eigenschap {naam!r} has no value yet")
        parsed = _as_date(waarde)
        if parsed is None:
            return Brondatum(None, ongeldig=f"eigenschap {naam!r} holds {waarde!r}, which is not a date")
        return Brondatum(parsed)
    if wijze == "zaakobject":
        return _zaakobject(trigger, record)
    if wijze in ("ingangsdatum_besluit", "vervaldatum_besluit"):
        if not record.besluiten:
            return Brondatum(None, ontbreekt="the zaak has no besluiten")
        if wijze == "ingangsdatum_besluit":
            return Brondatum(max(b.ingangsdatum for b in record.besluiten))
        vervaldata = [b.vervaldatum for b in record.besluiten if b.vervaldatum is not None]
        if not vervaldata:
            return Brondatum(None, ontbreekt="none of the zaak's besluiten has a vervaldatum")
        return Brondatum(max(vervaldata))
    if wijze == "gerelateerde_zaak":
        if not record.gerelateerde_zaken_einddata:
            return Brondatum(None, ontbreekt="the zaak has no gerelateerde zaken")
        einddata = [d for d in record.gerelateerde_zaken_einddata if d is not None]
        if not einddata:
            return Brondatum(None, ontbreekt="none of the gerelateerde zaken has an einddatum yet")
        return Brondatum(max(einddata))
    if wijze == "ander_datumkenmerk":
        if record.ander_datumkenmerk is None:
            return Brondatum(
                None, ontbreekt="the brondatum (ander_datumkenmerk) must be set by hand and is not set yet"
            )
        return Brondatum(record.ander_datumkenmerk)
    return Brondatum(None, ongeldig=f"afleidingswijze {wijze!r} is unknown")


def _zaakobject(trigger: Trigger, record: RecordFacts) -> Brondatum:
    objecttype, pad = trigger.objecttype or "", trigger.datumkenmerk or ""
    objecten = [z for z in record.zaakobjecten if z.objecttype == objecttype]
    if not objecten:
        return Brondatum(None, ontbreekt=f"the zaak has no zaakobject of type {objecttype!r}")
    dates = []
    for obj in objecten:
        value = _lookup(obj.gegevens, pad)
        if value is _MISSING or value is None or value == "":
            return Brondatum(None, ontbreekt=f"a zaakobject of type {objecttype!r} has no value at {pad!r}")
        parsed = _as_date(value)
        if parsed is None:
            return Brondatum(
                None, ongeldig=f"zaakobject {objecttype!r} holds {value!r} at {pad!r}, which is not a date"
            )
        dates.append(parsed)
    return Brondatum(max(dates))


# --------------------------------------------------------------------------- the decision


def _n(reden: str, code: str, record: RecordFacts, **known: Any) -> RetentionDecision:
    return RetentionDecision(waardering=Waardering.N, reden=reden, code=code, blokkades=_blokkades(record), **known)


def _blokkades(record: RecordFacts) -> tuple[str, ...]:
    return (("legal hold",) if record.legal_hold else ()) + tuple(record.blokkades)


def _namen(lists: Sequence[Selectielijst]) -> str:
    return ", ".join(sorted({s.naam for s in lists})) or "none"


def _find_category(
    record: RecordFacts, lists: Sequence[Selectielijst]
) -> tuple[Selectielijst, Categorie] | RetentionDecision:
    """The list version (by creation date) and the category, or an N decision saying why not."""
    aanmaakdatum = record.aanmaakdatum
    assert aanmaakdatum is not None
    if record.categorie:
        naam, sep, nummer = record.categorie.rpartition("/")
        if not sep or not naam or not nummer:
            return _n(
                f"category key {record.categorie!r} is not of the form '<selectielijst>/<nummer>'",
                "retention.categorie.ongeldig",
                record,
            )
        if not any(s.naam == naam for s in lists):
            return _n(
                f"selectielijst {naam!r} is unknown (known: {_namen(lists)})",
                "retention.lijst.onbekend",
                record,
                selectielijst=naam,
                categorie=nummer,
            )
        found = lijsten_in_werking(lists, naam, aanmaakdatum)
        if not found:
            periods = ", ".join(f"{s.versie} ({s.periode()})" for s in lists if s.naam == naam)
            return _n(
                f"no version of {naam} applies to records created on {aanmaakdatum} (versions: {periods})",
                "retention.lijst.niet_in_werking",
                record,
                selectielijst=naam,
                categorie=nummer,
            )
        if len(found) > 1:
            return _n(
                f"{len(found)} versions of {naam} apply to records created on {aanmaakdatum}; cannot choose",
                "retention.lijst.dubbelzinnig",
                record,
                selectielijst=naam,
                categorie=nummer,
            )
        lijst = found[0]
        categorie = lijst.categorie(nummer)
        if categorie is None:
            return _n(
                f"category {nummer} does not exist in {naam} versie {lijst.versie}",
                "retention.categorie.onbekend",
                record,
                selectielijst=naam,
                versie=lijst.versie,
                categorie=nummer,
            )
        return lijst, categorie
    if record.selectielijstklasse:
        matches = [
            (s, c)
            for s in lists
            if s.geldt_voor(aanmaakdatum)
            for c in s.categorieen
            if record.selectielijstklasse in c.selectielijstklassen
        ]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            return _n(
                f"selectielijstklasse {record.selectielijstklasse!r} is not linked to any category of a list "
                f"in force for records created on {aanmaakdatum}",
                "retention.categorie.onbekend",
                record,
            )
        return _n(
            f"selectielijstklasse {record.selectielijstklasse!r} matches {len(matches)} categories: "
            + ", ".join(f"{s.naam}/{c.nummer}" for s, c in matches),
            "retention.categorie.dubbelzinnig",
            record,
        )
    return _n(
        f"the record from {record.bron} has no selectielijst category",
        "retention.categorie.ontbreekt",
        record,
    )


def decide(
    record: RecordFacts,
    lists: Sequence[Selectielijst],
    today: date,
    *,
    overbrenging_termijn_jaren: int = 20,
    nieuwe_archiefwet_vanaf: date | None = None,
) -> RetentionDecision:
    """Appraise one record: list version and category, waardering, dates and the reason."""
    if record.aanmaakdatum is None:
        return _n(
            "the record's creation date is unknown, so the selectielijst version cannot be chosen",
            "retention.aanmaakdatum.ontbreekt",
            record,
        )
    if record.aanmaakdatum > today:
        return _n(
            f"the record's creation date {record.aanmaakdatum} lies after today ({today})",
            "retention.aanmaakdatum.toekomst",
            record,
        )
    found = _find_category(record, lists)
    if isinstance(found, RetentionDecision):
        return found
    lijst, categorie = found
    known: dict[str, Any] = {
        "selectielijst": lijst.naam,
        "versie": lijst.versie,
        "categorie": categorie.nummer,
        "bewaartermijn": categorie.bewaartermijn,
        "afleidingswijze": categorie.trigger.afleidingswijze,
        "blokkades": _blokkades(record),
    }
    label = f"{lijst.naam} (versie {lijst.versie}) categorie {categorie.nummer}"
    bron = brondatum(categorie.trigger, record)
    known["afleidingswijze"] = bron.afleidingswijze
    if bron.ongeldig:
        return RetentionDecision(
            waardering=Waardering.N,
            reden=f"{label}: brondatum cannot be derived: {bron.ongeldig}",
            code="retention.brondatum.ongeldig",
            **known,
        )
    if bron.datum is None:
        return RetentionDecision(
            waardering=categorie.waardering,
            reden=f"{label} ({categorie.waardering}): postponed, {bron.ontbreekt}",
            code="retention.brondatum.ontbreekt",
            uitgesteld=True,
            **known,
        )
    start = termijnstart(bron.datum, lijst.termijnaanvang)
    if categorie.waardering is Waardering.B:
        return _blijvend(
            record,
            lijst,
            categorie,
            bron.datum,
            start,
            today,
            label,
            known,
            overbrenging_termijn_jaren,
            nieuwe_archiefwet_vanaf,
        )
    return _vernietigen(record, lijst, categorie, bron.datum, start, today, label, known)


def _blijvend(
    record: RecordFacts,
    lijst: Selectielijst,
    categorie: Categorie,
    bron: date,
    start: date,
    today: date,
    label: str,
    known: dict[str, Any],
    standaard_jaren: int,
    nieuwe_archiefwet_vanaf: date | None,
) -> RetentionDecision:
    if categorie.overbrenging_termijn_jaren is not None:
        jaren, grond = categorie.overbrenging_termijn_jaren, "the category's own transfer term"
    elif lijst.overbrenging_termijn_jaren is not None:
        jaren, grond = lijst.overbrenging_termijn_jaren, "the list's own transfer term"
    elif nieuwe_archiefwet_vanaf is not None and bron >= nieuwe_archiefwet_vanaf:
        jaren = NIEUWE_ARCHIEFWET_TERMIJN_JAREN
        grond = f"the new Archiefwet (brondatum on or after {nieuwe_archiefwet_vanaf})"
    else:
        jaren, grond = standaard_jaren, "the statutory transfer term"
    try:
        overbrenging = plus_duur(bron, f"P{jaren}Y")
    except (ValueError, OverflowError):
        return RetentionDecision(
            waardering=Waardering.N,
            reden=f"{label}: transfer date out of range",
            code="retention.datum.bereik",
            brondatum=bron,
            **known,
        )
    verstreken = overbrenging <= today
    reden = (
        f"{label}: B (blijvend bewaren); brondatum {bron} ({known['afleidingswijze']}); "
        f"transfer {jaren} years after the brondatum per {grond}: {overbrenging}"
        + (" (due)" if verstreken else "")
        + _blokkade_tekst(record)
    )
    return RetentionDecision(
        waardering=Waardering.B,
        reden=reden,
        code="retention.bepaald",
        brondatum=bron,
        termijnstart=start,
        archiefactiedatum=overbrenging,
        overbrengingsdatum=overbrenging,
        termijn_verstreken=verstreken,
        **known,
    )


def _vernietigen(
    record: RecordFacts,
    lijst: Selectielijst,
    categorie: Categorie,
    bron: date,
    start: date,
    today: date,
    label: str,
    known: dict[str, Any],
) -> RetentionDecision:
    assert categorie.bewaartermijn is not None  # guaranteed by the schema for V
    try:
        actiedatum = plus_duur(start, categorie.bewaartermijn)
    except (ValueError, OverflowError):
        return RetentionDecision(
            waardering=Waardering.N,
            reden=f"{label}: bewaartermijn {categorie.bewaartermijn!r} cannot be applied to {start}",
            code="retention.datum.bereik",
            brondatum=bron,
            **known,
        )
    delen = [f"{categorie.bewaartermijn} from {start}"]
    for extra in categorie.aanvullende_termijnen:
        extra_bron = brondatum(extra.trigger, record)
        if extra_bron.ongeldig:
            return RetentionDecision(
                waardering=Waardering.N,
                reden=f"{label}: the further term cannot be derived: {extra_bron.ongeldig}",
                code="retention.brondatum.ongeldig",
                brondatum=bron,
                **known,
            )
        if extra_bron.datum is None:
            return RetentionDecision(
                waardering=Waardering.V,
                reden=f"{label} (V): postponed, the further term {extra.bewaartermijn} "
                f"{extra.trigger.gebeurtenis or extra.trigger.afleidingswijze} "
                f"needs input: {extra_bron.ontbreekt}",
                code="retention.brondatum.ontbreekt",
                brondatum=bron,
                termijnstart=start,
                uitgesteld=True,
                **known,
            )
        extra_start = termijnstart(extra_bron.datum, lijst.termijnaanvang)
        extra_datum = plus_duur(extra_start, extra.bewaartermijn)
        delen.append(f"{extra.bewaartermijn} from {extra_start}")
        actiedatum = max(actiedatum, extra_datum)
    verstreken = actiedatum <= today
    regel = (
        "1 January after the brondatum"
        if lijst.termijnaanvang is Termijnaanvang.EERSTE_JANUARI_NA_AFSLUITING
        else "on the brondatum"
    )
    reden = (
        f"{label}: V (vernietigen); brondatum {bron} ({known['afleidingswijze']}), "
        f"term starts {regel}; archiefactiedatum {actiedatum} ({'; '.join(delen)})"
        + (" (due)" if verstreken else "")
        + _blokkade_tekst(record)
    )
    return RetentionDecision(
        waardering=Waardering.V,
        reden=reden,
        code="retention.bepaald",
        brondatum=bron,
        termijnstart=start,
        archiefactiedatum=actiedatum,
        termijn_verstreken=verstreken,
        **known,
    )


def _blokkade_tekst(record: RecordFacts) -> str:
    blokkades = _blokkades(record)
    return f"; blocked by: {', '.join(blokkades)}" if blokkades else ""


# --------------------------------------------------------------------------- which inputs matter


class Datumgebruik(StrEnum):
    """How a decision uses one plain date of the record."""

    NIET = "niet"  # not at all: any value (or none) gives the same decision
    JAAR = "jaar"  # the date is the brondatum (verbatim in `brondatum` and once in the reason); all else
    #                depends on its year only
    DATUM = "datum"  # the exact date


@dataclass(frozen=True)
class Invoergebruik:
    einddatum: Datumgebruik
    ander_datumkenmerk: Datumgebruik


_NIETS = Invoergebruik(Datumgebruik.NIET, Datumgebruik.NIET)
_VELD = {"afgehandeld": "einddatum", "termijn": "einddatum", "ander_datumkenmerk": "ander_datumkenmerk"}


def _velden(trigger: Trigger | None) -> set[str]:
    """The plain dates a trigger (with its fallback) reads."""
    found: set[str] = set()
    while trigger is not None:
        if trigger.afleidingswijze in _VELD:
            found.add(_VELD[trigger.afleidingswijze])
        trigger = trigger.terugval
    return found


def datumgebruik(record: RecordFacts, lists: Sequence[Selectielijst], today: date) -> Invoergebruik:
    """How `decide(record, lists, today, ...)` uses `record.einddatum` and `record.ander_datumkenmerk`,
    the other inputs held fixed (with any transfer settings).

    NIET when no trigger of the record's category reads the date, or when no category applies (the
    outcome is N before any date is read). JAAR only for a V category of a list that starts terms on
    1 January after closure, whose only trigger (no fallback, no further terms) takes that date
    unchanged as the brondatum: then the term start, the archiefactiedatum and whether it has passed
    depend on the year, and the brondatum appears once in the reason. DATUM otherwise (B: the transfer
    date counts from the brondatum itself; termijn adds a procestermijn; terms starting on the day)."""
    if record.aanmaakdatum is None or record.aanmaakdatum > today:
        return _NIETS
    found = _find_category(record, lists)
    if isinstance(found, RetentionDecision):
        return _NIETS
    lijst, categorie = found
    gelezen = _velden(categorie.trigger)
    for extra in categorie.aanvullende_termijnen:
        gelezen |= _velden(extra.trigger)
    per_jaar = (
        categorie.waardering is Waardering.V
        and lijst.termijnaanvang is Termijnaanvang.EERSTE_JANUARI_NA_AFSLUITING
        and not categorie.aanvullende_termijnen
        and categorie.trigger.terugval is None
        and categorie.trigger.afleidingswijze in ("afgehandeld", "ander_datumkenmerk")
    )

    def gebruik(veld: str) -> Datumgebruik:
        if veld not in gelezen:
            return Datumgebruik.NIET
        return Datumgebruik.JAAR if per_jaar else Datumgebruik.DATUM

    return Invoergebruik(gebruik("einddatum"), gebruik("ander_datumkenmerk"))
