"""The mapping layer: which metadata property of a record selects its selectielijst category, per
source — configuration (`selectielijsten/mapping.json`, checked against `mapping.schema.json`),
not code.

Two steps, both pure:

1. `eigenschappen(bag_info, root)`: the raw properties of an AIP, read ONCE from its bag
   (bag-info.txt and the root informatieobject's sidecar): classificatie, dekkingInTijd, events,
   waardering, aggregatieniveau and every bag-info field. The catalog keeps them with the facts.
2. `map_feiten(mapping, ref, eigenschappen)`: the engine inputs (category key or
   selectielijstklasse, creation and closure dates, hand-set brondatum) by the source's selectors.
   A changed mapping (another `Mapping.hash`) is re-applied from the kept properties, without
   reading storage again.

`record_facts(feiten)` turns facts into the engine's `RecordFacts`.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema

from edepot.errors import Finding, InvalidInput, NotFound
from edepot.mdto.model import Informatieobject
from edepot.retention import Besluit as EngineBesluit
from edepot.retention import RecordFacts, ZaakObject
from edepot.retention_workflow import AipRef, Feiten
from edepot.selectielijst import DEFAULT_DIR

MAPPING_NAME = "mapping.json"
MAPPING_SCHEMA_NAME = "mapping.schema.json"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Selector:
    uit: str
    veld: str | None = None
    begrippenlijst: str | None = None
    type: str | None = None
    splits: str | None = None
    patroon: re.Pattern[str] | None = None
    selectielijst: str | None = None
    tabel: tuple[tuple[str, str], ...] = ()
    afronden: str | None = None


@dataclass(frozen=True)
class Bronregels:
    categorie: tuple[Selector, ...] = ()
    selectielijstklasse: tuple[Selector, ...] = ()
    aanmaakdatum: tuple[Selector, ...] = ()
    einddatum: tuple[Selector, ...] = ()
    ander_datumkenmerk: tuple[Selector, ...] = ()
    vaste_waardering: str | None = None
    vaste_reden: str | None = None


@dataclass(frozen=True)
class RetentionMapping:
    versie: str
    bronnen: Mapping[str, Bronregels]
    hash: str  # of the document: facts mapped with another hash are mapped again
    bestand: str | None = None


def _selector(raw: Mapping[str, Any]) -> Selector:
    patroon = raw.get("patroon")
    return Selector(
        uit=raw["uit"],
        veld=raw.get("veld"),
        begrippenlijst=raw.get("begrippenlijst"),
        type=raw.get("type"),
        splits=raw.get("splits"),
        patroon=re.compile(patroon) if patroon else None,
        selectielijst=raw.get("selectielijst"),
        tabel=tuple((str(k), str(v)) for k, v in (raw.get("tabel") or {}).items()),
        afronden=raw.get("afronden"),
    )


def parse_mapping(data: Any, *, schema: Mapping[str, Any], file: str | None = None) -> RetentionMapping:
    """Validate a mapping document and build it; InvalidInput lists every problem."""
    validator = jsonschema.Draft202012Validator(schema)
    findings = [
        Finding(
            rule=f"retention.mapping.schema.{e.validator}",
            message=e.message,
            action="fix the mapping (see selectielijsten/mapping.schema.json)",
            object="/" + "/".join(str(p) for p in e.absolute_path),
            file=file,
        )
        for e in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    ]
    if not findings:
        findings = _pattern_findings(data, file)
    if findings:
        raise InvalidInput(
            f"retention mapping {file or '(document)'} is invalid: {len(findings)} problem(s); "
            f"first at {findings[0].object}: {findings[0].message}",
            hint=findings[0].action,
            findings=findings,
            file=file,
        )
    bronnen = {}
    for bron, raw in data["bronnen"].items():
        vast = raw.get("vaste_waardering")
        bronnen[bron] = Bronregels(
            categorie=tuple(_selector(s) for s in raw.get("categorie", ())),
            selectielijstklasse=tuple(_selector(s) for s in raw.get("selectielijstklasse", ())),
            aanmaakdatum=tuple(_selector(s) for s in raw.get("aanmaakdatum", ())),
            einddatum=tuple(_selector(s) for s in raw.get("einddatum", ())),
            ander_datumkenmerk=tuple(_selector(s) for s in raw.get("ander_datumkenmerk", ())),
            vaste_waardering=vast["waardering"] if vast else None,
            vaste_reden=vast["reden"] if vast else None,
        )
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return RetentionMapping(
        versie=data["versie"], bronnen=bronnen, hash=hashlib.sha256(canonical.encode()).hexdigest(), bestand=file
    )


def _pattern_findings(data: Mapping[str, Any], file: str | None) -> list[Finding]:
    findings = []
    for bron, raw in data["bronnen"].items():
        for field, selectors in raw.items():
            if not isinstance(selectors, list):
                continue
            for i, selector in enumerate(selectors):
                try:
                    re.compile(selector.get("patroon") or "")
                except re.error as exc:
                    findings.append(
                        Finding(
                            rule="retention.mapping.patroon",
                            message=f"patroon {selector['patroon']!r} is not a regular expression: {exc}",
                            action="write a Python regular expression with one group",
                            object=f"/bronnen/{bron}/{field}/{i}/patroon",
                            file=file,
                        )
                    )
    return findings


def load_mapping(path: Path | None = None) -> RetentionMapping:
    """The mapping file (default `selectielijsten/mapping.json`), validated by the schema beside it."""
    path = path or DEFAULT_DIR / MAPPING_NAME
    schema_path = path.parent / MAPPING_SCHEMA_NAME
    if not schema_path.exists():
        schema_path = DEFAULT_DIR / MAPPING_SCHEMA_NAME
    try:
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFound(
            f"retention mapping {exc.filename} not found",
            hint=f"keep {MAPPING_NAME} and {MAPPING_SCHEMA_NAME} in the selectielijsten folder",
            path=str(exc.filename),
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"retention mapping {path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            hint="fix the JSON syntax",
            file=str(path),
        ) from None
    return parse_mapping(data, schema=schema, file=str(path))


# --------------------------------------------------------------------------- step 1: raw properties


def eigenschappen(bag_info: Mapping[str, Sequence[str]], root: Informatieobject | None) -> dict[str, Any]:
    """The raw properties of an AIP that the selectors read (JSON-ready)."""
    props: dict[str, Any] = {"bag-info": {label: values[0] for label, values in bag_info.items() if values}}
    if root is None:
        return props
    props["classificatie"] = [
        {"label": b.label, "code": b.code, "begrippenlijst": b.begrippenlijst.naam} for b in root.classificatie
    ]
    props["dekking_in_tijd"] = [{"begindatum": d.begindatum, "einddatum": d.einddatum} for d in root.dekking_in_tijd]
    props["events"] = [{"type": e.type.label, "tijd": e.tijd} for e in root.event]
    props["waardering"] = root.waardering.code or root.waardering.label
    props["aggregatieniveau"] = root.aggregatieniveau.label if root.aggregatieniveau else None
    return props


# --------------------------------------------------------------------------- step 2: the selectors


def _values(selector: Selector, props: Mapping[str, Any]) -> list[str]:
    """Every candidate value a selector finds, in order."""
    found: list[str] = []
    if selector.uit == "classificatie":
        for begrip in props.get("classificatie") or ():
            if begrip.get("begrippenlijst") == selector.begrippenlijst and begrip.get(selector.veld or ""):
                found.append(str(begrip[selector.veld or ""]))
    elif selector.uit == "bag-info":
        value = (props.get("bag-info") or {}).get(selector.veld or "")
        if value:
            found.append(str(value))
    elif selector.uit == "dekking_in_tijd":
        for dekking in props.get("dekking_in_tijd") or ():
            if dekking.get(selector.veld or ""):
                found.append(str(dekking[selector.veld or ""]))
    elif selector.uit == "event":
        for event in props.get("events") or ():
            if event.get("type") == selector.type and event.get("tijd"):
                found.append(str(event["tijd"]))
    if selector.splits:
        found = [part.strip() for value in found for part in value.split(selector.splits) if part.strip()]
    if selector.patroon is not None:
        matched = []
        for value in found:
            match = selector.patroon.search(value)
            if match:
                matched.append(match.group(1) if match.groups() else match.group(0))
        found = matched
    return found


def _category(selectors: Sequence[Selector], props: Mapping[str, Any]) -> str | None:
    for selector in selectors:
        values = _values(selector, props)
        if selector.tabel:
            present = set(values)
            for key, categorie in selector.tabel:
                if key in present:
                    return categorie
            continue
        for value in values:
            if selector.selectielijst:
                return f"{selector.selectielijst}/{value}"
            return value
    return None


def _text(selectors: Sequence[Selector], props: Mapping[str, Any]) -> str | None:
    for selector in selectors:
        values = _values(selector, props)
        if values:
            return values[0]
    return None


def parse_datum(value: str, afronden: str | None = None) -> date | None:
    """A date from an xsd date, dateTime, gYearMonth or gYear; a partial date rounded to the first
    ("begin", default) or last ("eind") day of its period. None if it is no date."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day:
            return date(int(year), int(month), int(day))
        if month:
            last = calendar.monthrange(int(year), int(month))[1]
            return date(int(year), int(month), last if afronden == "eind" else 1)
        return date(int(year), 12, 31) if afronden == "eind" else date(int(year), 1, 1)
    except ValueError:
        return None


def _date(selectors: Sequence[Selector], props: Mapping[str, Any]) -> date | None:
    for selector in selectors:
        for value in _values(selector, props):
            parsed = parse_datum(value, selector.afronden)
            if parsed is not None:
                return parsed
    return None


def map_feiten(mapping: RetentionMapping, ref: AipRef, props: Mapping[str, Any], *, revisie: int = 1) -> Feiten:
    """The facts of an AIP under `mapping` (a source without rules gets no category: N)."""
    regels = mapping.bronnen.get(ref.bron, Bronregels())
    return Feiten(
        aip_id=ref.aip_id,
        record_id=ref.record_id,
        bron=ref.bron,
        source_key=ref.source_key,
        titel=ref.titel,
        eigenschappen=dict(props),
        mapping_hash=mapping.hash,
        revisie=revisie,
        categorie=_category(regels.categorie, props),
        selectielijstklasse=_text(regels.selectielijstklasse, props),
        aanmaakdatum=_date(regels.aanmaakdatum, props),
        einddatum=_date(regels.einddatum, props),
        ander_datumkenmerk=_date(regels.ander_datumkenmerk, props),
        vaste_waardering=regels.vaste_waardering,
        invoer={"vaste_reden": regels.vaste_reden} if regels.vaste_reden else {},
    )


def remap(mapping: RetentionMapping, feiten: Feiten) -> Feiten:
    """The facts mapped again from their kept properties; the revisie grows only if a value changed."""
    ref = AipRef(feiten.aip_id, feiten.bron, feiten.source_key, feiten.titel, feiten.record_id, None)
    fresh = map_feiten(mapping, ref, feiten.eigenschappen, revisie=feiten.revisie)
    fresh = replace(fresh, invoer={**feiten.invoer, **fresh.invoer})
    same = _mapped(fresh) == _mapped(feiten)
    return fresh if same else replace(fresh, revisie=feiten.revisie + 1)


def _mapped(f: Feiten) -> tuple[Any, ...]:
    return (
        f.categorie,
        f.selectielijstklasse,
        f.aanmaakdatum,
        f.einddatum,
        f.ander_datumkenmerk,
        f.vaste_waardering,
        json.dumps(f.invoer, sort_keys=True, default=str),
    )


def record_facts(feiten: Feiten) -> RecordFacts:
    """The engine's input. `invoer` may carry besluiten, eigenschappen, zaakobjecten, procestermijn,
    hoofdzaak_einddatum and gerelateerde_zaken_einddata for the other afleidingswijzen."""
    invoer = feiten.invoer
    return RecordFacts(
        bron=feiten.bron,
        aanmaakdatum=feiten.aanmaakdatum,
        categorie=feiten.categorie,
        selectielijstklasse=feiten.selectielijstklasse,
        einddatum=feiten.einddatum,
        procestermijn=invoer.get("procestermijn"),
        hoofdzaak_einddatum=_iso(invoer.get("hoofdzaak_einddatum")),
        besluiten=tuple(
            EngineBesluit(ingangsdatum=_iso_required(b["ingangsdatum"]), vervaldatum=_iso(b.get("vervaldatum")))
            for b in invoer.get("besluiten", ())
        ),
        eigenschappen=dict(invoer.get("eigenschappen", {})),
        zaakobjecten=tuple(
            ZaakObject(objecttype=z["objecttype"], gegevens=z.get("gegevens", {}))
            for z in invoer.get("zaakobjecten", ())
        ),
        gerelateerde_zaken_einddata=tuple(_iso(d) for d in invoer.get("gerelateerde_zaken_einddata", ())),
        ander_datumkenmerk=feiten.ander_datumkenmerk,
    )


def _iso(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_datum(str(value))


def _iso_required(value: Any) -> date:
    parsed = _iso(value)
    if parsed is None:
        raise InvalidInput(f"besluit ingangsdatum {value!r} is not a date", hint="write dates as YYYY-MM-DD")
    return parsed
