"""What a Woo-redacteur gives for a new publicatie, and the DiWoo metadata a document keeps as JSON.

Pure: `NieuwePublicatie.uit_json` reads the request of the API, the CLI and the service (TOOI
values given as resource URI or as the label of the DiWoo list; unknown ones are refused with the
list named), `metadata_json` / `woo_document` convert a document's DiWoo fields to and from the
JSON the catalog keeps (`StukRij.metadata`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from edepot.errors import InvalidInput
from edepot.woo import lijsten
from edepot.woo.model import Documenthandeling, Documentrelatie, Geldigheid, Verantwoordelijke, WooDocument

MAX_DOCUMENTEN = 1000


def tooi(lijst: lijsten.Lijst, waarde: object, wat: str) -> str:
    """The resource of `waarde` in `lijst`: a resource URI, or a label of the list."""
    if not isinstance(waarde, str) or not waarde.strip():
        raise InvalidInput(f"{wat}: {waarde!r} is not a TOOI value", hint=f"give a resource of {lijst.tooi_id}")
    if waarde in lijst:
        return waarde
    try:
        return lijst.op_label(waarde).resource
    except InvalidInput:
        raise InvalidInput(
            f"{wat}: {waarde!r} is not in the TOOI list {lijst.tooi_id}",
            hint=f"use a resource or label of {lijst.tooi_set or lijst.tooi_id}, e.g. {lijst.waarden[0].label!r}",
            lijst=lijst.naam,
            waarde=waarde,
        ) from None


def _tijdstip(waarde: object, wat: str) -> datetime:
    try:
        tijdstip = datetime.fromisoformat(str(waarde))
    except ValueError:
        raise InvalidInput(
            f"{wat}: {waarde!r} is not a date-time", hint="write e.g. 2025-03-04T10:00:00+01:00"
        ) from None
    if tijdstip.tzinfo is None:
        raise InvalidInput(f"{wat}: {waarde!r} has no time zone", hint="add the offset, e.g. +01:00 or Z")
    return tijdstip


def _datum(waarde: object, wat: str) -> date:
    try:
        return date.fromisoformat(str(waarde))
    except ValueError:
        raise InvalidInput(f"{wat}: {waarde!r} is not a date", hint="write YYYY-MM-DD") from None


def _uuid(waarde: object, wat: str) -> UUID:
    try:
        return UUID(str(waarde))
    except ValueError:
        raise InvalidInput(f"{wat}: {waarde!r} is not a UUID", hint="copy the id from the e-depot") from None


def _teksten(waarde: object, wat: str) -> tuple[str, ...]:
    if waarde is None:
        return ()
    if isinstance(waarde, str) or not isinstance(waarde, Sequence):
        raise InvalidInput(f"{wat} must be a list", hint="give a JSON array of strings")
    uit = tuple(str(v).strip() for v in waarde if str(v).strip())
    return uit


def _mapping(waarde: object, wat: str) -> Mapping[str, Any]:
    if not isinstance(waarde, Mapping):
        raise InvalidInput(f"{wat} must be an object", hint="give a JSON object")
    return waarde


def handelingen(waarde: object, wat: str) -> tuple[Documenthandeling, ...]:
    soorten = lijsten.soorten_handeling()
    uit = []
    for n, h in enumerate(waarde if isinstance(waarde, Sequence) and not isinstance(waarde, str) else ()):
        h = _mapping(h, f"{wat}[{n}]")
        uit.append(
            Documenthandeling(
                tooi(soorten, h.get("soort"), f"{wat}[{n}].soort"), _tijdstip(h.get("tijdstip"), f"{wat}[{n}].tijdstip")
            )
        )
    return tuple(uit)


@dataclass(frozen=True)
class NieuwDocument:
    """One e-depot record to publish, with its own DiWoo metadata (defaults: the publicatie's)."""

    record_id: UUID
    documenthandelingen: tuple[Documenthandeling, ...] = ()
    bestand_id: UUID | None = None  # default: the record's only (or first PDF) file
    officiele_titel: str | None = None  # default: the record's naam
    omschrijving: str | None = None
    informatiecategorieen: tuple[str, ...] = ()
    kenmerken: tuple[str, ...] = ()
    creatiedatum: date | None = None
    geldigheid: Geldigheid | None = None
    documentrelaties: tuple[Documentrelatie, ...] = ()
    documentsoorten: tuple[str, ...] = ()
    taal: str | None = None

    @classmethod
    def uit_json(cls, data: object, wat: str = "document") -> NieuwDocument:
        d = _mapping(data, wat)
        geldigheid = None
        if d.get("geldigheid"):
            g = _mapping(d["geldigheid"], f"{wat}.geldigheid")
            geldigheid = Geldigheid(
                begin=_tijdstip(g["begin"], f"{wat}.geldigheid.begin") if g.get("begin") else None,
                eind=_tijdstip(g["eind"], f"{wat}.geldigheid.eind") if g.get("eind") else None,
            )
        relaties = []
        for n, r in enumerate(d.get("documentrelaties") or ()):
            r = _mapping(r, f"{wat}.documentrelaties[{n}]")
            relaties.append(
                Documentrelatie(
                    rol=tooi(lijsten.documentrelaties(), r.get("rol"), f"{wat}.documentrelaties[{n}].rol"),
                    document=str(r.get("document") or ""),
                    label=str(r.get("label") or r.get("document") or ""),
                )
            )
        return cls(
            record_id=_uuid(d.get("record_id"), f"{wat}.record_id"),
            documenthandelingen=handelingen(d.get("documenthandelingen") or (), f"{wat}.documenthandelingen"),
            bestand_id=_uuid(d["bestand_id"], f"{wat}.bestand_id") if d.get("bestand_id") else None,
            officiele_titel=str(d["officiele_titel"]).strip() if d.get("officiele_titel") else None,
            omschrijving=str(d["omschrijving"]) if d.get("omschrijving") else None,
            informatiecategorieen=tuple(
                tooi(lijsten.informatiecategorieen(), c, f"{wat}.informatiecategorieen")
                for c in _teksten(d.get("informatiecategorieen"), f"{wat}.informatiecategorieen")
            ),
            kenmerken=_teksten(d.get("kenmerken"), f"{wat}.kenmerken"),
            creatiedatum=_datum(d["creatiedatum"], f"{wat}.creatiedatum") if d.get("creatiedatum") else None,
            geldigheid=geldigheid,
            documentrelaties=tuple(relaties),
            documentsoorten=tuple(
                tooi(lijsten.documentsoorten(), s, f"{wat}.documentsoorten")
                for s in _teksten(d.get("documentsoorten"), f"{wat}.documentsoorten")
            ),
            taal=tooi(lijsten.talen(), d["taal"], f"{wat}.taal") if d.get("taal") else None,
        )


@dataclass(frozen=True)
class NieuwePublicatie:
    officiele_titel: str
    informatiecategorieen: tuple[str, ...]
    documenten: tuple[NieuwDocument, ...]
    verantwoordelijke: Verantwoordelijke = Verantwoordelijke.GEDEPUTEERDE_STATEN
    omschrijving: str | None = None
    kenmerken: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.officiele_titel.strip():
            raise InvalidInput("a publicatie needs its officiële titel", hint="give officiele_titel")
        if not self.informatiecategorieen:
            raise InvalidInput(
                "a publicatie needs at least one informatiecategorie",
                hint="choose from the 17 Woo informatiecategorieën (GET /api/v1/woo/lijsten)",
            )
        for categorie in self.informatiecategorieen:
            tooi(lijsten.informatiecategorieen(), categorie, "informatiecategorie")
        if not self.documenten:
            raise InvalidInput("a publicatie needs at least one document", hint="name the e-depot record(s)")
        if len(self.documenten) > MAX_DOCUMENTEN:
            raise InvalidInput(f"a publicatie holds at most {MAX_DOCUMENTEN} documents", hint="split it")

    @classmethod
    def uit_json(cls, data: object) -> NieuwePublicatie:
        d = _mapping(data, "publicatie")
        documenten = d.get("documenten")
        if not isinstance(documenten, Sequence) or isinstance(documenten, str):
            raise InvalidInput("publicatie.documenten must be a list", hint="give at least one document")
        verantwoordelijke = d.get("verantwoordelijke") or Verantwoordelijke.GEDEPUTEERDE_STATEN.value
        try:
            orgaan = Verantwoordelijke(verantwoordelijke)
        except ValueError:
            gevonden = next((v for v in Verantwoordelijke if v.name.lower() == str(verantwoordelijke).lower()), None)
            if gevonden is None:
                raise InvalidInput(
                    f"verantwoordelijke {verantwoordelijke!r} is not a bestuursorgaan of the province",
                    hint="one of: " + ", ".join(v.value for v in Verantwoordelijke),
                ) from None
            orgaan = gevonden
        return cls(
            officiele_titel=str(d.get("officiele_titel") or ""),
            informatiecategorieen=tuple(
                tooi(lijsten.informatiecategorieen(), c, "informatiecategorieen")
                for c in _teksten(d.get("informatiecategorieen"), "informatiecategorieen")
            ),
            documenten=tuple(NieuwDocument.uit_json(x, f"documenten[{n}]") for n, x in enumerate(documenten)),
            verantwoordelijke=orgaan,
            omschrijving=str(d["omschrijving"]) if d.get("omschrijving") else None,
            kenmerken=_teksten(d.get("kenmerken"), "kenmerken"),
        )


# --- a document's DiWoo fields as JSON ---------------------------------------------------------------


def metadata_json(document: NieuwDocument, *, officiele_titel: str, bestandsnaam: str | None) -> dict[str, Any]:
    g = document.geldigheid
    return {
        "officiele_titel": officiele_titel,
        "omschrijving": document.omschrijving,
        "informatiecategorieen": list(document.informatiecategorieen),
        "documenthandelingen": [
            {"soort": h.soort, "tijdstip": h.tijdstip.isoformat()} for h in document.documenthandelingen
        ],
        "kenmerken": list(document.kenmerken),
        "creatiedatum": document.creatiedatum.isoformat() if document.creatiedatum else None,
        "geldigheid": {
            "begin": g.begin.isoformat() if g and g.begin else None,
            "eind": g.eind.isoformat() if g and g.eind else None,
        }
        if g
        else None,
        "documentrelaties": [
            {"rol": r.rol, "document": r.document, "label": r.label} for r in document.documentrelaties
        ],
        "documentsoorten": list(document.documentsoorten),
        "taal": document.taal,
        "bestandsnaam": bestandsnaam,
        "reden_verwijdering_vervanging": None,
    }


def woo_document(
    document_id: str,
    metadata: Mapping[str, Any],
    *,
    url: str,
    gewijzigd: datetime,
    record_id: UUID,
    geredigeerd: bool,
    format: str | None = None,
) -> WooDocument:
    """The pure model's document from the kept JSON."""
    g = metadata.get("geldigheid") or None
    return WooDocument(
        id=document_id,
        url=url,
        officiele_titel=str(metadata.get("officiele_titel") or ""),
        documenthandelingen=handelingen(metadata.get("documenthandelingen") or (), "documenthandelingen"),
        bestandsnaam=metadata.get("bestandsnaam"),
        omschrijving=metadata.get("omschrijving"),
        informatiecategorieen=tuple(metadata.get("informatiecategorieen") or ()),
        kenmerken=tuple(metadata.get("kenmerken") or ()),
        creatiedatum=date.fromisoformat(metadata["creatiedatum"]) if metadata.get("creatiedatum") else None,
        geldigheid=Geldigheid(
            begin=datetime.fromisoformat(g["begin"]) if g.get("begin") else None,
            eind=datetime.fromisoformat(g["eind"]) if g.get("eind") else None,
        )
        if g
        else None,
        documentrelaties=tuple(
            Documentrelatie(r["rol"], r["document"], r["label"]) for r in metadata.get("documentrelaties") or ()
        ),
        documentsoorten=tuple(metadata.get("documentsoorten") or ()),
        taal=metadata.get("taal"),
        format=format,
        reden_verwijdering_vervanging=metadata.get("reden_verwijdering_vervanging"),
        gewijzigd=gewijzigd,
        record_id=str(record_id),
        geredigeerd=geredigeerd,
    )
