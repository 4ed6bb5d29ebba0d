"""Write one MDTO 1.0.1 object (informatieobject or bestand) as a sidecar XML document.

Pure: values in, bytes out. Elements follow the XSD sequences (objectType's identificatie and
naam first, then the extension's elements), which is not always the field order of the
dataclasses in `edepot.mdto.model`. The output is UTF-8 with an XML declaration, indented and
deterministic: the same value always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from edepot.errors import InvalidInput
from edepot.mdto.model import (
    NAMESPACE,
    XSD_LOCATION,
    Begrip,
    BeperkingGebruik,
    Bestand,
    Betrokkene,
    Checksum,
    DekkingInTijd,
    Event,
    GerelateerdInformatieobject,
    Identificatie,
    Informatieobject,
    Raadpleeglocatie,
    Termijn,
    Verwijzing,
)

XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def to_xml(obj: Informatieobject | Bestand) -> bytes:
    """The MDTO document for `obj`: root `<MDTO>` with exactly one informatieobject or bestand."""
    root = etree.Element(
        _q("MDTO"),
        nsmap={None: NAMESPACE, "xsi": XSI_NAMESPACE},
    )
    root.set(f"{{{XSI_NAMESPACE}}}schemaLocation", f"{NAMESPACE} {XSD_LOCATION}")
    if isinstance(obj, Informatieobject):
        _informatieobject(_sub(root, "informatieobject"), obj)
    elif isinstance(obj, Bestand):
        _bestand(_sub(root, "bestand"), obj)
    else:
        raise TypeError(f"to_xml expects an Informatieobject or Bestand, got {type(obj).__name__}")
    etree.indent(root, space="  ")
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return XML_DECLARATION + body


# --- helpers -----------------------------------------------------------------------------------

def _q(naam: str) -> str:
    return f"{{{NAMESPACE}}}{naam}"


def _sub(parent: etree._Element, naam: str) -> etree._Element:
    return etree.SubElement(parent, _q(naam))


def _text(parent: etree._Element, naam: str, waarde: str | None) -> None:
    if waarde is None:
        return
    element = _sub(parent, naam)
    try:
        element.text = waarde
    except (TypeError, ValueError) as exc:
        pad = "/".join(etree.QName(e).localname for e in reversed([element, *element.iterancestors()]))
        raise InvalidInput(
            f"MDTO value for /{pad} cannot be written as XML: {exc}",
            hint="remove control characters from the value (XML 1.0 allows tab, newline and carriage return)",
            element=f"/{pad}",
        ) from None


def _texts(parent: etree._Element, naam: str, waarden: Iterable[str]) -> None:
    for waarde in waarden:
        _text(parent, naam, waarde)


# --- gegevensgroepen ---------------------------------------------------------------------------

def _identificatie(el: etree._Element, v: Identificatie) -> None:
    _text(el, "identificatieKenmerk", v.kenmerk)
    _text(el, "identificatieBron", v.bron)


def _verwijzing(el: etree._Element, v: Verwijzing) -> None:
    _text(el, "verwijzingNaam", v.naam)
    if v.identificatie is not None:
        _identificatie(_sub(el, "verwijzingIdentificatie"), v.identificatie)


def _verwijzingen(parent: etree._Element, naam: str, waarden: Iterable[Verwijzing]) -> None:
    for v in waarden:
        _verwijzing(_sub(parent, naam), v)


def _begrip(el: etree._Element, v: Begrip) -> None:
    _text(el, "begripLabel", v.label)
    _text(el, "begripCode", v.code)
    _verwijzing(_sub(el, "begripBegrippenlijst"), v.begrippenlijst)


def _begrippen(parent: etree._Element, naam: str, waarden: Iterable[Begrip]) -> None:
    for v in waarden:
        _begrip(_sub(parent, naam), v)


def _termijn(el: etree._Element, v: Termijn) -> None:
    if v.trigger_start_looptijd is not None:
        _begrip(_sub(el, "termijnTriggerStartLooptijd"), v.trigger_start_looptijd)
    _text(el, "termijnStartdatumLooptijd", v.startdatum_looptijd)
    _text(el, "termijnLooptijd", v.looptijd)
    _text(el, "termijnEinddatum", v.einddatum)


def _raadpleeglocatie(el: etree._Element, v: Raadpleeglocatie) -> None:
    _verwijzingen(el, "raadpleeglocatieFysiek", v.fysiek)
    _texts(el, "raadpleeglocatieOnline", v.online)


def _dekking_in_tijd(el: etree._Element, v: DekkingInTijd) -> None:
    _begrip(_sub(el, "dekkingInTijdType"), v.type)
    _text(el, "dekkingInTijdBegindatum", v.begindatum)
    _text(el, "dekkingInTijdEinddatum", v.einddatum)


def _event(el: etree._Element, v: Event) -> None:
    _begrip(_sub(el, "eventType"), v.type)
    _text(el, "eventTijd", v.tijd)
    if v.verantwoordelijke_actor is not None:
        _verwijzing(_sub(el, "eventVerantwoordelijkeActor"), v.verantwoordelijke_actor)
    _text(el, "eventResultaat", v.resultaat)


def _gerelateerd(el: etree._Element, v: GerelateerdInformatieobject) -> None:
    _verwijzing(_sub(el, "gerelateerdInformatieobjectVerwijzing"), v.verwijzing)
    _begrip(_sub(el, "gerelateerdInformatieobjectTypeRelatie"), v.type_relatie)


def _betrokkene(el: etree._Element, v: Betrokkene) -> None:
    _begrip(_sub(el, "betrokkeneTypeRelatie"), v.type_relatie)
    _verwijzing(_sub(el, "betrokkeneActor"), v.actor)


def _beperking_gebruik(el: etree._Element, v: BeperkingGebruik) -> None:
    _begrip(_sub(el, "beperkingGebruikType"), v.type)
    _text(el, "beperkingGebruikNadereBeschrijving", v.nadere_beschrijving)
    _verwijzingen(el, "beperkingGebruikDocumentatie", v.documentatie)
    if v.termijn is not None:
        _termijn(_sub(el, "beperkingGebruikTermijn"), v.termijn)


def _checksum(el: etree._Element, v: Checksum) -> None:
    _begrip(_sub(el, "checksumAlgoritme"), v.algoritme)
    _text(el, "checksumWaarde", v.waarde)
    _text(el, "checksumDatum", v.datum)


# --- klassen -----------------------------------------------------------------------------------

def _object(el: etree._Element, identificatie: Iterable[Identificatie], naam: str) -> None:
    for v in identificatie:
        _identificatie(_sub(el, "identificatie"), v)
    _text(el, "naam", naam)


def _informatieobject(el: etree._Element, io: Informatieobject) -> None:
    _object(el, io.identificatie, io.naam)
    if io.aggregatieniveau is not None:
        _begrip(_sub(el, "aggregatieniveau"), io.aggregatieniveau)
    _begrippen(el, "classificatie", io.classificatie)
    _texts(el, "trefwoord", io.trefwoord)
    _texts(el, "omschrijving", io.omschrijving)
    for locatie in io.raadpleeglocatie:
        _raadpleeglocatie(_sub(el, "raadpleeglocatie"), locatie)
    for dekking in io.dekking_in_tijd:
        _dekking_in_tijd(_sub(el, "dekkingInTijd"), dekking)
    _verwijzingen(el, "dekkingInRuimte", io.dekking_in_ruimte)
    _texts(el, "taal", io.taal)
    for event in io.event:
        _event(_sub(el, "event"), event)
    _begrip(_sub(el, "waardering"), io.waardering)
    if io.bewaartermijn is not None:
        _termijn(_sub(el, "bewaartermijn"), io.bewaartermijn)
    if io.informatiecategorie is not None:
        _begrip(_sub(el, "informatiecategorie"), io.informatiecategorie)
    _verwijzingen(el, "isOnderdeelVan", io.is_onderdeel_van)
    _verwijzingen(el, "bevatOnderdeel", io.bevat_onderdeel)
    _verwijzingen(el, "heeftRepresentatie", io.heeft_representatie)
    _verwijzingen(el, "aanvullendeMetagegevens", io.aanvullende_metagegevens)
    for relatie in io.gerelateerd_informatieobject:
        _gerelateerd(_sub(el, "gerelateerdInformatieobject"), relatie)
    _verwijzingen(el, "archiefvormer", io.archiefvormer)
    for betrokkene in io.betrokkene:
        _betrokkene(_sub(el, "betrokkene"), betrokkene)
    if io.activiteit is not None:
        _verwijzing(_sub(el, "activiteit"), io.activiteit)
    for beperking in io.beperking_gebruik:
        _beperking_gebruik(_sub(el, "beperkingGebruik"), beperking)


def _bestand(el: etree._Element, b: Bestand) -> None:
    _object(el, b.identificatie, b.naam)
    _text(el, "omvang", str(b.omvang))
    _begrip(_sub(el, "bestandsformaat"), b.bestandsformaat)
    for checksum in b.checksum:
        _checksum(_sub(el, "checksum"), checksum)
    _text(el, "URLBestand", b.url_bestand)
    _verwijzing(_sub(el, "isRepresentatieVan"), b.is_representatie_van)
