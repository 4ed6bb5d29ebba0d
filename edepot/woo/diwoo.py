"""DiWoo 0.9.8 metadata for one published document: a `diwoo:Document` element.

Pure: a `Publicatie` and one of its `WooDocument`s in, XML out. The document gets the minimum
DiWoo asks (publisher Provincie Limburg, officieleTitel, at least one informatiecategorie, at
least one documenthandeling with soortHandeling and atTime) and whatever else it carries:
identifiers, verantwoordelijke, omschrijving, documentsoorten, creatiedatum, geldigheid, language,
format, isPartOf (the publicatie), documentrelaties and redenVerwijderingVervanging. Labels are
taken from the TOOI lists, so a resource and its label always agree. The output is deterministic;
`edepot.woo.schema.validate` checks it against the vendored XSD.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from edepot.errors import InvalidInput
from edepot.woo import lijsten
from edepot.woo.model import Organisatie, Publicatie, WooDocument, publisher
from edepot.woo.schema import DIWOO_NAMESPACE

PREFIX = "diwoo"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _q(naam: str) -> str:
    return f"{{{DIWOO_NAMESPACE}}}{naam}"


def _sub(parent: etree._Element, naam: str, tekst: str | None = None, resource: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(naam))
    if resource is not None:
        element.set("resource", resource)
    if tekst is not None:
        try:
            element.text = tekst
        except ValueError as exc:
            raise InvalidInput(
                f"DiWoo value for {naam} cannot be written as XML: {exc}",
                hint="remove control characters from the value",
                element=naam,
            ) from None
    return element


def _organisatie(parent: etree._Element, naam: str, organisatie: Organisatie) -> None:
    _sub(parent, naam, organisatie.label, organisatie.resource)


def _tijd(waarde: datetime) -> str:
    return waarde.isoformat()


def _lijstwaarde(parent: etree._Element, naam: str, lijst: lijsten.Lijst, resource: str) -> None:
    _sub(parent, naam, lijst.waarde(resource).label, resource)


def document_element(publicatie: Publicatie, document: WooDocument) -> etree._Element:
    """The `diwoo:Document` element (root of its own tree) for `document` of `publicatie`."""
    categorieen = publicatie.categorieen_van(document)
    if not categorieen:
        raise InvalidInput(
            f"document {document.id} of publicatie {publicatie.id} has no informatiecategorie",
            hint="give the publicatie or the document at least one Woo informatiecategorie",
            publicatie=publicatie.id, document=document.id,
        )
    if not document.documenthandelingen:
        raise InvalidInput(
            f"document {document.id} of publicatie {publicatie.id} has no documenthandeling",
            hint="record the vaststelling, ondertekening or ontvangst with its date",
            publicatie=publicatie.id, document=document.id,
        )
    if not document.officiele_titel.strip():
        raise InvalidInput(f"document {document.id} has no officiële titel", hint="give the officiële titel",
                           publicatie=publicatie.id, document=document.id)

    root = etree.Element(_q("Document"), nsmap={PREFIX: DIWOO_NAMESPACE})
    diwoo = _sub(root, "DiWoo")
    identifiers = (document.id, *publicatie.kenmerken, *document.kenmerken)
    lijst = _sub(diwoo, "identifiers")
    for identifier in dict.fromkeys(identifiers):
        _sub(lijst, "identifier", identifier)
    _organisatie(diwoo, "publisher", publisher())
    _organisatie(diwoo, "verantwoordelijke", publicatie.verantwoordelijke.organisatie())
    titels = _sub(diwoo, "titelcollectie")
    _sub(titels, "officieleTitel", document.officiele_titel.strip())
    omschrijving = document.omschrijving or publicatie.omschrijving
    if omschrijving:
        _sub(_sub(diwoo, "omschrijvingen"), "omschrijving", omschrijving)
    classificatie = _sub(diwoo, "classificatiecollectie")
    cats = _sub(classificatie, "informatiecategorieen")
    for categorie in dict.fromkeys(categorieen):
        _lijstwaarde(cats, "informatiecategorie", lijsten.informatiecategorieen(), categorie)
    if document.documentsoorten:
        soorten = _sub(classificatie, "documentsoorten")
        for soort in dict.fromkeys(document.documentsoorten):
            _lijstwaarde(soorten, "documentsoort", lijsten.documentsoorten(), soort)
    if document.creatiedatum is not None:
        _sub(diwoo, "creatiedatum", _datum(document.creatiedatum))
    if document.geldigheid is not None and (document.geldigheid.begin or document.geldigheid.eind):
        geldigheid = _sub(diwoo, "geldigheid")
        if document.geldigheid.begin:
            _sub(geldigheid, "begindatum", _tijd(document.geldigheid.begin))
        if document.geldigheid.eind:
            _sub(geldigheid, "einddatum", _tijd(document.geldigheid.eind))
    if document.taal:
        _lijstwaarde(diwoo, "language", lijsten.talen(), document.taal)
    if document.format:
        _lijstwaarde(diwoo, "format", lijsten.formats(), document.format)
    if publicatie.url:
        _sub(diwoo, "isPartOf", publicatie.officiele_titel, publicatie.url)
    handelingen = _sub(diwoo, "documenthandelingen")
    for handeling in sorted(document.documenthandelingen, key=lambda h: h.tijdstip):
        element = _sub(handelingen, "documenthandeling")
        _lijstwaarde(element, "soortHandeling", lijsten.soorten_handeling(), handeling.soort)
        _sub(element, "atTime", _tijd(handeling.tijdstip))
        if handeling.door is not None:
            _organisatie(element, "wasAssociatedWith", handeling.door)
    if document.documentrelaties:
        relaties = _sub(diwoo, "documentrelaties")
        for relatie in document.documentrelaties:
            element = _sub(relaties, "documentrelatie")
            _lijstwaarde(element, "role", lijsten.documentrelaties(), relatie.rol)
            _sub(element, "relation", relatie.label, relatie.document)
    if document.reden_verwijdering_vervanging:
        _lijstwaarde(diwoo, "redenVerwijderingVervanging", lijsten.redenen_verwijdering_vervanging(),
                     document.reden_verwijdering_vervanging)
    return root


def _datum(waarde: date) -> str:
    return (waarde.date() if isinstance(waarde, datetime) else waarde).isoformat()


def document_fragment(publicatie: Publicatie, document: WooDocument) -> bytes:
    """The `diwoo:Document` element serialised without declaration: to embed in a sitemap `<url>`."""
    fragment: bytes = etree.tostring(document_element(publicatie, document), encoding="UTF-8")
    return fragment


def document_xml(publicatie: Publicatie, document: WooDocument) -> bytes:
    """A standalone, indented DiWoo XML document for `document` (UTF-8, with declaration)."""
    root = document_element(publicatie, document)
    etree.indent(root, space="  ")
    body: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return XML_DECLARATION + body
