"""Validation of MDTO 1.0.1: the XSD, plus the code-list rules the XSD does not express.

`validate_xml` checks a document against the vendored XSD (loaded once, through
`edepot.xmlsafe`). `check` enforces on a model value what DESIGN.md §5 asks beyond the XSD:
waardering B/V/N, bewaartermijn only with V, aggregatieniveau, SHA-256 checksums, PRONOM PUIDs,
the archiefvormer, and beperkingGebruik types from the MDTO and NHA begrippenlijsten.
`check_no_cycles` finds isOnderdeelVan/bevatOnderdeel cycles across a set of objects.
Problems come back as `Finding`s with stable rule ids; nothing here raises for bad content,
except `UnsafeInput` for hostile XML.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree

from edepot import xmlsafe
from edepot.errors import Finding, InvalidInput, Severity, UnsafeInput
from edepot.mdto import codelists
from edepot.mdto.model import NAMESPACE, Begrip, Bestand, Informatieobject
from edepot.mdto.reader import element_pad

XSD_BESTAND = "MDTO-XML1.0.1.xsd"
TOOI_PROVINCIE_LIMBURG = "https://identifier.overheid.nl/tooi/id/provincie/pv31"

WAARDERINGEN: Mapping[str, str] = {
    "B": "Blijvend te bewaren",
    "V": "Tijdelijk te bewaren",
    "N": "Nader te bepalen",
}
AGGREGATIENIVEAUS = frozenset({"Archief", "Serie", "Dossier", "Zaak", "Archiefstuk"})
BEPERKING_MDTO_LABELS = frozenset({"Geen beperking", "Nader te bepalen", "Overig"})
PRONOM_BEGRIPPENLIJST = "PRONOM-register"
PRONOM_PUID = re.compile(r"(x-)?fmt/[0-9]+")
CHECKSUM_VEREIST = "SHA-256"
# The MDTO begrippenlijst ChecksumAlgoritme, with the hex length of each digest.
CHECKSUM_ALGORITMEN: Mapping[str, int] = {"SHA-224": 56, "SHA-256": 64, "SHA-384": 96, "SHA-512": 128}

_Bevinding = Callable[..., Finding]
_XSD_LOCK = threading.Lock()  # an lxml XMLSchema keeps its error log on the instance


# --- XSD -----------------------------------------------------------------------------------------

def mdto_xsd() -> bytes:
    """The vendored MDTO 1.0.1 XSD, read from the installed package."""
    return (files("edepot") / "data" / "schemas" / XSD_BESTAND).read_bytes()


@cache
def _schema() -> Any:
    return etree.XMLSchema(xmlsafe.parse(mdto_xsd(), source=f"edepot/data/schemas/{XSD_BESTAND}"))


def validate_xml(data: bytes, *, source: str) -> list[Finding]:
    """Findings (rule 'mdto.xsd') for every XSD error in `data`; [] when the document is valid.

    Malformed XML gives one finding with rule 'mdto.xml'; unsafe XML raises `UnsafeInput`.
    """
    try:
        root = xmlsafe.parse(data, source=source)
    except UnsafeInput:
        raise
    except InvalidInput as exc:
        return [Finding(
            rule="mdto.xml",
            message=exc.message,
            action="make the sidecar well-formed XML (UTF-8, matching tags, escaped & and <)",
            file=source,
        )]
    schema = _schema()
    with _XSD_LOCK:
        schema.validate(root)
        fouten = list(schema.error_log)
    tree = root.getroottree()
    bevindingen = []
    for fout in fouten:
        gevonden = tree.xpath(fout.path) if fout.path else []
        pad = element_pad(gevonden[0]) if gevonden and isinstance(gevonden[0].tag, str) else fout.path
        tekst = str(fout.message).replace(f"{{{NAMESPACE}}}", "")
        bevindingen.append(Finding(
            rule="mdto.xsd",
            message=f"{pad} (line {fout.line}): {tekst}",
            action="correct this element so that the sidecar is valid against the MDTO 1.0.1 XSD",
            object=_kenmerk_uit(root),
            file=source,
        ))
    return bevindingen


def _kenmerk_uit(root: etree._Element) -> str | None:
    ns = {"m": NAMESPACE}
    kenmerk = root.xpath("string(/m:MDTO/*[1]/m:identificatie[1]/m:identificatieKenmerk)", namespaces=ns)
    return str(kenmerk) or None


# --- code-list rules ---------------------------------------------------------------------------

def waarderingscode(waardering: Begrip) -> str | None:
    """'B', 'V' or 'N' when code and label name one waardering consistently, else None.

    Either may be given; the label may be the official label or the code letter.
    """
    uit_label = _waardering_uit_label(waardering.label)
    if waardering.code is None:
        return uit_label
    code = waardering.code.strip()
    return code if code in WAARDERINGEN and uit_label == code else None


def _waardering_uit_label(label: str) -> str | None:
    label = label.strip()
    if label in WAARDERINGEN:
        return label
    for code, officieel in WAARDERINGEN.items():
        if label.casefold() == officieel.casefold():
            return code
    return None


def check(
    obj: Informatieobject | Bestand,
    *,
    source: str,
    archiefvormer_tooi: str | None = TOOI_PROVINCIE_LIMBURG,
) -> list[Finding]:
    """Findings for the rules the XSD lacks; [] when `obj` passes.

    `archiefvormer_tooi`: the TOOI identifier one archiefvormer must carry; None skips that rule
    (for documents of other archiefvormers, such as the official MDTO examples).
    """
    kenmerk = obj.identificatie[0].kenmerk if obj.identificatie else None

    def bevinding(rule: str, message: str, action: str, severity: Severity = Severity.FOUT) -> Finding:
        return Finding(
            rule=rule, message=message, action=action, severity=severity, object=kenmerk, file=source
        )

    if isinstance(obj, Informatieobject):
        return [
            *_waardering(obj, bevinding),
            *_aggregatieniveau(obj, bevinding),
            *_archiefvormer(obj, archiefvormer_tooi, bevinding),
            *_beperkingen(obj, bevinding),
        ]
    if isinstance(obj, Bestand):
        return [*_checksums(obj, bevinding), *_bestandsformaat(obj, bevinding)]
    raise TypeError(f"check expects an Informatieobject or Bestand, got {type(obj).__name__}")


def _waardering(io: Informatieobject, bevinding: _Bevinding) -> list[Finding]:
    bevindingen = []
    code = waarderingscode(io.waardering)
    if code is None:
        code_tekst = f" (code {io.waardering.code!r})" if io.waardering.code is not None else ""
        gegeven = io.waardering.label + code_tekst
        bevindingen.append(bevinding(
            "mdto.waardering",
            f"waardering {gegeven!r} is not one of B/V/N, or its code and label disagree",
            "use begripCode B, V or N with begripLabel 'Blijvend te bewaren', 'Tijdelijk te bewaren' "
            "or 'Nader te bepalen' (begrippenlijst Waarderingen MDTO)",
        ))
    elif io.bewaartermijn is not None and code != "V":
        bevindingen.append(bevinding(
            "mdto.bewaartermijn",
            f"bewaartermijn given while waardering is {code} ({WAARDERINGEN[code]}); "
            "only V (Tijdelijk te bewaren) has a bewaartermijn",
            "remove the bewaartermijn, or correct the waardering to V if the record is to be destroyed",
        ))
    return bevindingen


def _aggregatieniveau(io: Informatieobject, bevinding: _Bevinding) -> list[Finding]:
    niveau = io.aggregatieniveau
    if niveau is None or niveau.label.strip() in AGGREGATIENIVEAUS:
        return []
    return [bevinding(
        "mdto.aggregatieniveau",
        f"aggregatieniveau {niveau.label!r} is not one of {', '.join(sorted(AGGREGATIENIVEAUS))}",
        "use a label from the Begrippenlijst Aggregatieniveaus MDTO (or Zaak)",
    )]


def _archiefvormer(io: Informatieobject, tooi: str | None, bevinding: _Bevinding) -> list[Finding]:
    if tooi is None:
        return []
    if any(a.identificatie is not None and a.identificatie.kenmerk.strip() == tooi for a in io.archiefvormer):
        return []
    gegeven = ", ".join(repr(a.naam) for a in io.archiefvormer) or "none"
    return [bevinding(
        "mdto.archiefvormer",
        f"no archiefvormer with TOOI identifier {tooi} (archiefvormer given: {gegeven})",
        f"add archiefvormer 'Provincie Limburg' with identificatieKenmerk {tooi} and identificatieBron TOOI",
    )]


def beperking_bekend(type_: Begrip) -> bool:
    """True when a beperkingGebruikType is in the MDTO or NHA begrippenlijsten.

    With a begripCode: the code must be an NHA openbaarheid or intellectual-property code
    (trailing spaces ignored; a Woo code may lack '/1.0'). Without: the label must be an MDTO
    label ('Geen beperking', 'Nader te bepalen', 'Overig'), an NHA label or a Creative Commons
    short name such as 'CC0'.
    """
    bekende_codes = codelists.openbaarheid().keys() | codelists.intellectuele_eigendom().keys()
    if type_.code is not None and type_.code.strip():
        return codelists.canonieke_code(type_.code) in bekende_codes
    label = type_.label.strip()
    bekende_labels = {*codelists.openbaarheid().values(), *codelists.intellectuele_eigendom().values()}
    return (
        label in BEPERKING_MDTO_LABELS
        or label in bekende_labels
        or label in codelists.creative_commons_korte_namen()
    )


def _beperkingen(io: Informatieobject, bevinding: _Bevinding) -> list[Finding]:
    return [
        bevinding(
            "mdto.beperking_gebruik",
            f"beperkingGebruikType {b.type.label!r}"
            + (f" with code {b.type.code!r}" if b.type.code is not None else "")
            + " is not in the MDTO or NHA begrippenlijsten",
            "use 'Geen beperking', 'Nader te bepalen' or 'Overig', or a begripCode from the NHA lists "
            "(Openbaarheid/AW1995, /AW2021, /WOO, or an intellectual-property code)",
        )
        for b in io.beperking_gebruik
        if not beperking_bekend(b.type)
    ]


def _algoritme(label: str) -> str | None:
    gewoon = re.sub(r"[\s_-]", "", label).upper()
    for naam in CHECKSUM_ALGORITMEN:
        if gewoon == naam.replace("-", ""):
            return naam
    return None


def _checksums(b: Bestand, bevinding: _Bevinding) -> list[Finding]:
    bevindingen = []
    algoritmen = []
    for checksum in b.checksum:
        label = checksum.algoritme.label
        algoritme = _algoritme(label)
        if algoritme is None:
            bevindingen.append(bevinding(
                "mdto.checksum.algoritme",
                f"checksum algorithm {label!r} is unknown",
                f"compute a {CHECKSUM_VEREIST} checksum and write checksumAlgoritme as {CHECKSUM_VEREIST!r}",
            ))
            continue
        algoritmen.append(algoritme)
        if label != algoritme:
            bevindingen.append(bevinding(
                "mdto.checksum.algoritme",
                f"checksum algorithm written {label!r}; the MDTO begrippenlijst spells it {algoritme!r}",
                f"write checksumAlgoritme as {algoritme!r}",
                Severity.WAARSCHUWING,
            ))
        lengte = CHECKSUM_ALGORITMEN[algoritme]
        if not re.fullmatch(f"[0-9a-f]{{{lengte}}}", checksum.waarde):
            bevindingen.append(bevinding(
                "mdto.checksum.waarde",
                f"{algoritme} checksum value {checksum.waarde!r} is not {lengte} lowercase hex digits",
                "write the digest as lowercase hex, without spaces or prefixes",
            ))
    if CHECKSUM_VEREIST not in algoritmen and algoritmen:
        bevindingen.append(bevinding(
            "mdto.checksum.algoritme",
            f"no {CHECKSUM_VEREIST} checksum (given: {', '.join(algoritmen)})",
            f"add a {CHECKSUM_VEREIST} checksum of the file",
        ))
    return bevindingen


def _bestandsformaat(b: Bestand, bevinding: _Bevinding) -> list[Finding]:
    formaat = b.bestandsformaat
    bevindingen = []
    if formaat.code is None or not PRONOM_PUID.fullmatch(formaat.code):
        bevindingen.append(bevinding(
            "mdto.bestandsformaat.puid",
            f"bestandsformaat {formaat.label!r} has begripCode {formaat.code!r}, not a PRONOM PUID",
            "identify the format (siegfried) and write its PUID, such as fmt/276 or x-fmt/111, as begripCode",
        ))
    if formaat.begrippenlijst.naam != PRONOM_BEGRIPPENLIJST:
        bevindingen.append(bevinding(
            "mdto.bestandsformaat.begrippenlijst",
            f"bestandsformaat begrippenlijst is {formaat.begrippenlijst.naam!r}, "
            f"not {PRONOM_BEGRIPPENLIJST!r}",
            f"set begripBegrippenlijst/verwijzingNaam to {PRONOM_BEGRIPPENLIJST!r}",
        ))
    return bevindingen


# --- relations across objects ------------------------------------------------------------------

def onderdeel_relaties(objecten: Iterable[Informatieobject]) -> dict[str, set[str]]:
    """kenmerk -> kenmerken of its direct parents, from isOnderdeelVan and bevatOnderdeel both.

    Objects are keyed by their first identificatie kenmerk; references to their other
    kenmerken are mapped to it. References without identificatie are ignored.
    """
    objecten = list(objecten)
    sleutel: dict[str, str] = {}
    for io in objecten:
        if io.identificatie:
            for identificatie in io.identificatie:
                sleutel.setdefault(identificatie.kenmerk, io.identificatie[0].kenmerk)
    relaties: dict[str, set[str]] = {}
    for io in objecten:
        if not io.identificatie:
            continue
        eigen = io.identificatie[0].kenmerk
        relaties.setdefault(eigen, set())
        for ouder in io.is_onderdeel_van:
            if ouder.identificatie is not None:
                relaties[eigen].add(sleutel.get(ouder.identificatie.kenmerk, ouder.identificatie.kenmerk))
        for kind in io.bevat_onderdeel:
            if kind.identificatie is not None:
                kind_sleutel = sleutel.get(kind.identificatie.kenmerk, kind.identificatie.kenmerk)
                relaties.setdefault(kind_sleutel, set()).add(eigen)
    return relaties


def check_no_cycles(relations: Mapping[str, Iterable[str]], *, source: str | None = None) -> list[Finding]:
    """One finding (rule 'mdto.relaties.cyclus') per cycle group in `relations` (kenmerk -> parents)."""
    graaf = {knoop: sorted(set(ouders)) for knoop, ouders in relations.items()}
    for ouders in list(graaf.values()):
        for ouder in ouders:
            graaf.setdefault(ouder, [])
    bevindingen = []
    for groep in _sterke_componenten(graaf):
        if len(groep) == 1 and groep[0] not in graaf[groep[0]]:
            continue
        pad = _cyclus_in(groep, graaf)
        bevindingen.append(Finding(
            rule="mdto.relaties.cyclus",
            message="isOnderdeelVan/bevatOnderdeel form a cycle: " + " -> ".join(pad),
            action="correct the isOnderdeelVan/bevatOnderdeel references so that the hierarchy is a tree",
            object=pad[0],
            file=source,
        ))
    return bevindingen


def _sterke_componenten(graaf: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively; each sorted, in a stable order."""
    index: dict[str, int] = {}
    laagste: dict[str, int] = {}
    stapel: list[str] = []
    op_stapel: set[str] = set()
    componenten: list[list[str]] = []
    teller = 0
    for begin in sorted(graaf):
        if begin in index:
            continue
        werk: list[tuple[str, int]] = [(begin, 0)]
        while werk:
            knoop, i = werk.pop()
            if i == 0:
                index[knoop] = laagste[knoop] = teller
                teller += 1
                stapel.append(knoop)
                op_stapel.add(knoop)
            buren = graaf[knoop]
            if i < len(buren):
                werk.append((knoop, i + 1))
                buur = buren[i]
                if buur not in index:
                    werk.append((buur, 0))
                elif buur in op_stapel:
                    laagste[knoop] = min(laagste[knoop], index[buur])
                continue
            if laagste[knoop] == index[knoop]:
                component = []
                while True:
                    lid = stapel.pop()
                    op_stapel.discard(lid)
                    component.append(lid)
                    if lid == knoop:
                        break
                componenten.append(sorted(component))
            if werk:
                ouder = werk[-1][0]
                laagste[ouder] = min(laagste[ouder], laagste[knoop])
    return sorted(componenten)


def _cyclus_in(groep: list[str], graaf: Mapping[str, list[str]]) -> list[str]:
    """A concrete cycle inside a strongly connected group, starting from its smallest member."""
    leden = set(groep)
    begin = groep[0]
    pad = [begin]
    gezien = {begin: 0}
    knoop = begin
    while True:
        volgende = next(b for b in graaf[knoop] if b in leden)
        if volgende in gezien:
            return [*pad[gezien[volgende]:], volgende]
        gezien[volgende] = len(pad)
        pad.append(volgende)
        knoop = volgende
