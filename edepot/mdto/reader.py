"""Read one MDTO 1.0.1 document into the values of `edepot.mdto.model`.

Parsing goes through `edepot.xmlsafe.parse`. The reader walks every element in XSD sequence
order and refuses, with `InvalidInput` naming the element path (for example
`/MDTO/informatieobject/waardering/begripLabel`) and line, any element that is unknown,
misplaced, repeated beyond its maximum or missing while required, and any stray text between
elements. It does not check simple-type lexical forms (dates, durations): that is
`edepot.mdto.rules.validate_xml`'s job. Text is kept exactly as written (no stripping), so that
reading, writing and reading again gives the same value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lxml import etree

from edepot import xmlsafe
from edepot.errors import InvalidInput
from edepot.mdto.model import (
    NAMESPACE,
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

T = TypeVar("T")
_UNBOUNDED = None

_OBJECT = ("identificatie", "naam")
# Element names of each XSD complex type, in sequence order (objectType's come first).
VOLGORDE: dict[str, tuple[str, ...]] = {
    "mdtoType": ("informatieobject", "bestand"),
    "informatieobjectType": (
        *_OBJECT, "aggregatieniveau", "classificatie", "trefwoord", "omschrijving", "raadpleeglocatie",
        "dekkingInTijd", "dekkingInRuimte", "taal", "event", "waardering", "bewaartermijn",
        "informatiecategorie", "isOnderdeelVan", "bevatOnderdeel", "heeftRepresentatie",
        "aanvullendeMetagegevens", "gerelateerdInformatieobject", "archiefvormer", "betrokkene",
        "activiteit", "beperkingGebruik",
    ),
    "bestandType": (*_OBJECT, "omvang", "bestandsformaat", "checksum", "URLBestand", "isRepresentatieVan"),
    "identificatieGegevens": ("identificatieKenmerk", "identificatieBron"),
    "verwijzingGegevens": ("verwijzingNaam", "verwijzingIdentificatie"),
    "begripGegevens": ("begripLabel", "begripCode", "begripBegrippenlijst"),
    "dekkingInTijdGegevens": ("dekkingInTijdType", "dekkingInTijdBegindatum", "dekkingInTijdEinddatum"),
    "eventGegevens": ("eventType", "eventTijd", "eventVerantwoordelijkeActor", "eventResultaat"),
    "gerelateerdInformatieobjectGegevens": (
        "gerelateerdInformatieobjectVerwijzing", "gerelateerdInformatieobjectTypeRelatie",
    ),
    "betrokkeneGegevens": ("betrokkeneTypeRelatie", "betrokkeneActor"),
    "beperkingGebruikGegevens": (
        "beperkingGebruikType", "beperkingGebruikNadereBeschrijving", "beperkingGebruikDocumentatie",
        "beperkingGebruikTermijn",
    ),
    "termijnGegevens": (
        "termijnTriggerStartLooptijd", "termijnStartdatumLooptijd", "termijnLooptijd", "termijnEinddatum",
    ),
    "checksumGegevens": ("checksumAlgoritme", "checksumWaarde", "checksumDatum"),
    "raadpleeglocatieGegevens": ("raadpleeglocatieFysiek", "raadpleeglocatieOnline"),
}


def from_xml(data: bytes, *, source: str) -> Informatieobject | Bestand:
    """The informatieobject or bestand in the MDTO document `data` (from `source`, for messages)."""
    root = xmlsafe.parse(data, source=source)
    return _Lezer(source).mdto(root)


def element_pad(el: etree._Element) -> str:
    """`/MDTO/informatieobject/naam` style path of `el` (local names, no positions)."""
    namen = [_lokale_naam(e) for e in reversed([el, *el.iterancestors()])]
    return "/" + "/".join(namen)


def _lokale_naam(el: etree._Element) -> str:
    qname = etree.QName(el)
    if qname.namespace in (NAMESPACE, None):
        return str(qname.localname)
    return f"{{{qname.namespace}}}{qname.localname}"


class _Kinderen:
    """A cursor over the child elements of one element, consumed in XSD sequence order."""

    def __init__(self, lezer: _Lezer, ouder: etree._Element, typenaam: str) -> None:
        self.lezer = lezer
        self.ouder = ouder
        self.volgorde = VOLGORDE[typenaam]
        self.items = [c for c in ouder if isinstance(c.tag, str)]
        self.positie = 0
        self.verwacht: list[str] = []
        lezer.geen_losse_tekst(ouder)

    def _volgende_is(self, naam: str) -> bool:
        if self.positie >= len(self.items):
            return False
        return bool(self.items[self.positie].tag == f"{{{NAMESPACE}}}{naam}")

    def reeks(self, naam: str, lees: Callable[[etree._Element], T], minimum: int = 0,
              maximum: int | None = _UNBOUNDED) -> list[T]:
        self.verwacht.append(naam)
        gelezen: list[T] = []
        while self._volgende_is(naam) and (maximum is None or len(gelezen) < maximum):
            gelezen.append(lees(self.items[self.positie]))
            self.positie += 1
            self.verwacht = []
        if len(gelezen) < minimum:
            self._fout_ontbreekt(naam)
        return gelezen

    def een(self, naam: str, lees: Callable[[etree._Element], T]) -> T:
        return self.reeks(naam, lees, minimum=1, maximum=1)[0]

    def hooguit_een(self, naam: str, lees: Callable[[etree._Element], T]) -> T | None:
        gelezen = self.reeks(naam, lees, minimum=0, maximum=1)
        return gelezen[0] if gelezen else None

    def tekst(self, naam: str) -> str:
        return self.een(naam, self.lezer.tekst)

    def tekst_optioneel(self, naam: str) -> str | None:
        return self.hooguit_een(naam, self.lezer.tekst)

    def teksten(self, naam: str) -> tuple[str, ...]:
        return tuple(self.reeks(naam, self.lezer.tekst))

    def einde(self) -> None:
        if self.positie < len(self.items):
            self._fout_onverwacht(self.items[self.positie])

    def _fout_ontbreekt(self, naam: str) -> None:
        gevonden = self.items[self.positie] if self.positie < len(self.items) else None
        if gevonden is not None and not self._komt_later(gevonden, naam):
            self._fout_onverwacht(gevonden)
        voor = f" before {element_pad(gevonden)}" if gevonden is not None else ""
        raise self.lezer.fout(
            f"required element {element_pad(self.ouder)}/{naam} is missing{voor}",
            self.ouder if gevonden is None else gevonden,
            f"add <{naam}> to <{_lokale_naam(self.ouder)}> in the order of the MDTO 1.0.1 XSD",
            element=f"{element_pad(self.ouder)}/{naam}",
        )

    def _komt_later(self, el: etree._Element, naam: str) -> bool:
        """True when `el` is an element of this type that the XSD allows after `naam`."""
        if etree.QName(el).namespace != NAMESPACE:
            return False
        lokaal = etree.QName(el).localname
        return lokaal in self.volgorde and self.volgorde.index(lokaal) > self.volgorde.index(naam)

    def _fout_onverwacht(self, el: etree._Element) -> None:
        verwacht = ", ".join(dict.fromkeys(self.verwacht)) or "no further element"
        bekend = etree.QName(el).namespace == NAMESPACE and etree.QName(el).localname in self.volgorde
        soort = "misplaced or repeated" if bekend else "unknown"
        raise self.lezer.fout(
            f"{soort} element {element_pad(el)} (expected here: {verwacht})",
            el,
            "use only MDTO 1.0.1 elements, in the order and number the XSD allows",
        )


class _Lezer:
    """Turns elements into model values; knows the source for its messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fout(self, wat: str, el: etree._Element, actie: str, element: str | None = None) -> InvalidInput:
        return InvalidInput(
            f"{self.source}: {wat} (line {el.sourceline})",
            hint=actie,
            source=self.source,
            element=element or element_pad(el),
            line=el.sourceline,
        )

    def geen_losse_tekst(self, el: etree._Element) -> None:
        stukken = [(el.text, el)] + [(kind.tail, kind) for kind in el]
        for tekst, waar in stukken:
            if tekst is not None and tekst.strip():
                raise self.fout(
                    f"text {tekst.strip()[:40]!r} is not allowed inside {element_pad(el)}",
                    waar,
                    "put text only in the leaf elements of MDTO",
                )

    def tekst(self, el: etree._Element) -> str:
        for kind in el:
            if isinstance(kind.tag, str):
                raise self.fout(
                    f"unknown element {element_pad(kind)} ({element_pad(el)} holds text only)",
                    kind,
                    "use only MDTO 1.0.1 elements, in the order and number the XSD allows",
                )
        # Comments inside a leaf split its text; join the pieces.
        return "".join(el.itertext())

    # --- gegevensgroepen ---------------------------------------------------------------------

    def identificatie(self, el: etree._Element) -> Identificatie:
        k = _Kinderen(self, el, "identificatieGegevens")
        waarde = Identificatie(kenmerk=k.tekst("identificatieKenmerk"), bron=k.tekst("identificatieBron"))
        k.einde()
        return waarde

    def verwijzing(self, el: etree._Element) -> Verwijzing:
        k = _Kinderen(self, el, "verwijzingGegevens")
        waarde = Verwijzing(
            naam=k.tekst("verwijzingNaam"),
            identificatie=k.hooguit_een("verwijzingIdentificatie", self.identificatie),
        )
        k.einde()
        return waarde

    def begrip(self, el: etree._Element) -> Begrip:
        k = _Kinderen(self, el, "begripGegevens")
        label = k.tekst("begripLabel")
        code = k.tekst_optioneel("begripCode")
        waarde = Begrip(label=label, code=code, begrippenlijst=k.een("begripBegrippenlijst", self.verwijzing))
        k.einde()
        return waarde

    def termijn(self, el: etree._Element) -> Termijn:
        k = _Kinderen(self, el, "termijnGegevens")
        waarde = Termijn(
            trigger_start_looptijd=k.hooguit_een("termijnTriggerStartLooptijd", self.begrip),
            startdatum_looptijd=k.tekst_optioneel("termijnStartdatumLooptijd"),
            looptijd=k.tekst_optioneel("termijnLooptijd"),
            einddatum=k.tekst_optioneel("termijnEinddatum"),
        )
        k.einde()
        return waarde

    def raadpleeglocatie(self, el: etree._Element) -> Raadpleeglocatie:
        k = _Kinderen(self, el, "raadpleeglocatieGegevens")
        waarde = Raadpleeglocatie(
            fysiek=tuple(k.reeks("raadpleeglocatieFysiek", self.verwijzing)),
            online=k.teksten("raadpleeglocatieOnline"),
        )
        k.einde()
        return waarde

    def dekking_in_tijd(self, el: etree._Element) -> DekkingInTijd:
        k = _Kinderen(self, el, "dekkingInTijdGegevens")
        waarde = DekkingInTijd(
            type=k.een("dekkingInTijdType", self.begrip),
            begindatum=k.tekst("dekkingInTijdBegindatum"),
            einddatum=k.tekst_optioneel("dekkingInTijdEinddatum"),
        )
        k.einde()
        return waarde

    def event(self, el: etree._Element) -> Event:
        k = _Kinderen(self, el, "eventGegevens")
        waarde = Event(
            type=k.een("eventType", self.begrip),
            tijd=k.tekst_optioneel("eventTijd"),
            verantwoordelijke_actor=k.hooguit_een("eventVerantwoordelijkeActor", self.verwijzing),
            resultaat=k.tekst_optioneel("eventResultaat"),
        )
        k.einde()
        return waarde

    def gerelateerd(self, el: etree._Element) -> GerelateerdInformatieobject:
        k = _Kinderen(self, el, "gerelateerdInformatieobjectGegevens")
        waarde = GerelateerdInformatieobject(
            verwijzing=k.een("gerelateerdInformatieobjectVerwijzing", self.verwijzing),
            type_relatie=k.een("gerelateerdInformatieobjectTypeRelatie", self.begrip),
        )
        k.einde()
        return waarde

    def betrokkene(self, el: etree._Element) -> Betrokkene:
        k = _Kinderen(self, el, "betrokkeneGegevens")
        waarde = Betrokkene(
            type_relatie=k.een("betrokkeneTypeRelatie", self.begrip),
            actor=k.een("betrokkeneActor", self.verwijzing),
        )
        k.einde()
        return waarde

    def beperking_gebruik(self, el: etree._Element) -> BeperkingGebruik:
        k = _Kinderen(self, el, "beperkingGebruikGegevens")
        waarde = BeperkingGebruik(
            type=k.een("beperkingGebruikType", self.begrip),
            nadere_beschrijving=k.tekst_optioneel("beperkingGebruikNadereBeschrijving"),
            documentatie=tuple(k.reeks("beperkingGebruikDocumentatie", self.verwijzing)),
            termijn=k.hooguit_een("beperkingGebruikTermijn", self.termijn),
        )
        k.einde()
        return waarde

    def checksum(self, el: etree._Element) -> Checksum:
        k = _Kinderen(self, el, "checksumGegevens")
        waarde = Checksum(
            algoritme=k.een("checksumAlgoritme", self.begrip),
            waarde=k.tekst("checksumWaarde"),
            datum=k.tekst("checksumDatum"),
        )
        k.einde()
        return waarde

    def omvang(self, el: etree._Element) -> int:
        tekst = self.tekst(el)
        try:
            return int(tekst.strip())
        except ValueError:
            raise self.fout(
                f"{element_pad(el)} is {tekst!r}, not a whole number of bytes", el,
                "write the file size in bytes as digits",
            ) from None

    # --- klassen -----------------------------------------------------------------------------

    def informatieobject(self, el: etree._Element) -> Informatieobject:
        k = _Kinderen(self, el, "informatieobjectType")
        identificatie = tuple(k.reeks("identificatie", self.identificatie, minimum=1))
        naam = k.tekst("naam")
        aggregatieniveau = k.hooguit_een("aggregatieniveau", self.begrip)
        classificatie = tuple(k.reeks("classificatie", self.begrip))
        trefwoord = k.teksten("trefwoord")
        omschrijving = k.teksten("omschrijving")
        raadpleeglocatie = tuple(k.reeks("raadpleeglocatie", self.raadpleeglocatie))
        dekking_in_tijd = tuple(k.reeks("dekkingInTijd", self.dekking_in_tijd))
        dekking_in_ruimte = tuple(k.reeks("dekkingInRuimte", self.verwijzing))
        taal = k.teksten("taal")
        event = tuple(k.reeks("event", self.event))
        waardering = k.een("waardering", self.begrip)
        bewaartermijn = k.hooguit_een("bewaartermijn", self.termijn)
        informatiecategorie = k.hooguit_een("informatiecategorie", self.begrip)
        is_onderdeel_van = tuple(k.reeks("isOnderdeelVan", self.verwijzing))
        bevat_onderdeel = tuple(k.reeks("bevatOnderdeel", self.verwijzing))
        heeft_representatie = tuple(k.reeks("heeftRepresentatie", self.verwijzing))
        aanvullende_metagegevens = tuple(k.reeks("aanvullendeMetagegevens", self.verwijzing))
        gerelateerd = tuple(k.reeks("gerelateerdInformatieobject", self.gerelateerd))
        archiefvormer = tuple(k.reeks("archiefvormer", self.verwijzing, minimum=1))
        betrokkene = tuple(k.reeks("betrokkene", self.betrokkene))
        activiteit = k.hooguit_een("activiteit", self.verwijzing)
        beperking_gebruik = tuple(k.reeks("beperkingGebruik", self.beperking_gebruik, minimum=1))
        k.einde()
        return Informatieobject(
            identificatie=identificatie,
            naam=naam,
            waardering=waardering,
            archiefvormer=archiefvormer,
            beperking_gebruik=beperking_gebruik,
            aggregatieniveau=aggregatieniveau,
            classificatie=classificatie,
            trefwoord=trefwoord,
            omschrijving=omschrijving,
            raadpleeglocatie=raadpleeglocatie,
            dekking_in_tijd=dekking_in_tijd,
            dekking_in_ruimte=dekking_in_ruimte,
            taal=taal,
            event=event,
            bewaartermijn=bewaartermijn,
            informatiecategorie=informatiecategorie,
            is_onderdeel_van=is_onderdeel_van,
            bevat_onderdeel=bevat_onderdeel,
            heeft_representatie=heeft_representatie,
            aanvullende_metagegevens=aanvullende_metagegevens,
            gerelateerd_informatieobject=gerelateerd,
            betrokkene=betrokkene,
            activiteit=activiteit,
        )

    def bestand(self, el: etree._Element) -> Bestand:
        k = _Kinderen(self, el, "bestandType")
        identificatie = tuple(k.reeks("identificatie", self.identificatie, minimum=1))
        naam = k.tekst("naam")
        omvang = k.een("omvang", self.omvang)
        bestandsformaat = k.een("bestandsformaat", self.begrip)
        checksum = tuple(k.reeks("checksum", self.checksum, minimum=1))
        url_bestand = k.tekst_optioneel("URLBestand")
        is_representatie_van = k.een("isRepresentatieVan", self.verwijzing)
        k.einde()
        return Bestand(
            identificatie=identificatie,
            naam=naam,
            omvang=omvang,
            bestandsformaat=bestandsformaat,
            checksum=checksum,
            is_representatie_van=is_representatie_van,
            url_bestand=url_bestand,
        )

    def mdto(self, root: etree._Element) -> Informatieobject | Bestand:
        if root.tag != f"{{{NAMESPACE}}}MDTO":
            raise self.fout(
                f"root element is {element_pad(root)}, expected MDTO in namespace {NAMESPACE}",
                root,
                "send an MDTO 1.0.1 document (root <MDTO xmlns=\"https://www.nationaalarchief.nl/mdto\">)",
            )
        k = _Kinderen(self, root, "mdtoType")
        gelezen: Informatieobject | Bestand | None = k.hooguit_een("informatieobject", self.informatieobject)
        if gelezen is None:
            gelezen = k.hooguit_een("bestand", self.bestand)
        if gelezen is None:
            k.einde()  # names a foreign first child, if there is one
            raise self.fout(
                "MDTO document holds neither an informatieobject nor a bestand", root,
                "put exactly one <informatieobject> or <bestand> in <MDTO>",
            )
        k.einde()
        return gelezen
