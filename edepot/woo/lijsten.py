"""The TOOI value lists of DiWoo 0.9.8, read at run time from the vendored `diwoo-metadata-lijsten.xsd`.

Nothing here is typed by hand: the 17 Woo informatiecategorieën, the documenthandelingen, the
document relations, the reasons for withdrawal or replacement, file formats, languages, document
kinds, themes and the organisation lists are the `xs:enumeration`s of the `xs:simpleType`s whose
name ends in `lijst`; each value's first `dita:p` is its label, a second one its definition.
Parsed once (through `edepot.xmlsafe`) and cached; the returned objects are immutable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from lxml import etree

from edepot import xmlsafe
from edepot.errors import InvalidInput
from edepot.woo.schema import LIJSTEN_XSD, lijsten_xsd

XS = "http://www.w3.org/2001/XMLSchema"
DITA = "http://dita.oasis-open.org/architecture/2005/"

INFORMATIECATEGORIE = "informatiecategorielijst"
SOORT_HANDELING = "soorthandelinglijst"
DOCUMENTRELATIE = "documentrelatielijst"
REDEN_VERWIJDERING_VERVANGING = "redenverwijderingvervanginglijst"
DOCUMENTSOORT = "documentsoortlijst"
FORMAT = "formatlijst"
TAAL = "taallijst"
THEMA = "themalijst"
# The lists that make up DiWoo's `organisatielijst` union (publisher, verantwoordelijke, ...).
ORGANISATIELIJSTEN = (
    "collijst", "gemeentelijst", "ministerielijst", "provincielijst",
    "oorglijst", "solijst", "waterschapslijst", "zbolijst",
)


@dataclass(frozen=True)
class Waarde:
    """One value of a TOOI list: the URI written in `resource`, its label and definition."""

    resource: str
    label: str
    omschrijving: str | None = None


@dataclass(frozen=True)
class Lijst:
    """A TOOI waardelijst as the DiWoo XSD carries it."""

    naam: str  # the xs:simpleType name, e.g. 'informatiecategorielijst'
    tooi_id: str  # the @id, e.g. 'scw_woo_informatiecategorieen'
    tooi_set: str | None  # the versioned set URI, e.g. https://identifier.overheid.nl/tooi/set/.../4
    waarden: tuple[Waarde, ...]
    _per_resource: Mapping[str, Waarde] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_per_resource", MappingProxyType({w.resource: w for w in self.waarden}))

    def __iter__(self) -> Iterator[Waarde]:
        return iter(self.waarden)

    def __len__(self) -> int:
        return len(self.waarden)

    def __contains__(self, resource: object) -> bool:
        return resource in self._per_resource

    def get(self, resource: str) -> Waarde | None:
        return self._per_resource.get(resource)

    def waarde(self, resource: str) -> Waarde:
        """The value with this resource URI; `InvalidInput` naming the list when it is not in it."""
        gevonden = self.get(resource)
        if gevonden is None:
            raise InvalidInput(
                f"{resource!r} is not in the TOOI list {self.tooi_id} ({self.naam})",
                hint=f"use one of the {len(self.waarden)} values of {self.tooi_set or self.tooi_id}",
                lijst=self.naam,
                waarde=resource,
            )
        return gevonden

    def op_label(self, label: str) -> Waarde:
        """The value whose label equals `label` (case-insensitive); `InvalidInput` otherwise."""
        gezocht = label.strip().casefold()
        for waarde in self.waarden:
            if waarde.label.casefold() == gezocht:
                return waarde
        raise InvalidInput(
            f"{label!r} is not a label in the TOOI list {self.tooi_id} ({self.naam})",
            hint="use the label exactly as the DiWoo value list has it",
            lijst=self.naam,
            waarde=label,
        )


def _teksten(element: etree._Element) -> list[str]:
    return [" ".join("".join(p.itertext()).split())
            for p in element.iterfind(f"{{{XS}}}annotation/{{{XS}}}documentation//{{{DITA}}}p")]


@cache
def alle_lijsten() -> Mapping[str, Lijst]:
    """Every `*lijst` simpleType of the vendored XSD, by name. Parsed once."""
    root = xmlsafe.parse(lijsten_xsd(), source=f"edepot/data/schemas/diwoo/{LIJSTEN_XSD}")
    lijsten: dict[str, Lijst] = {}
    for simple in root.iterfind(f"{{{XS}}}simpleType"):
        naam = simple.get("name", "")
        if not naam.endswith("lijst"):
            continue
        kop = _teksten(simple)
        waarden = []
        for enum in simple.iterfind(f"{{{XS}}}restriction/{{{XS}}}enumeration"):
            teksten = _teksten(enum)
            resource = enum.get("value", "")
            waarden.append(Waarde(
                resource=resource,
                label=teksten[0] if teksten else resource,
                omschrijving=teksten[1] if len(teksten) > 1 else None,
            ))
        tooi_set = next((t for t in kop if t.startswith("https://identifier.overheid.nl/tooi/set/")), None)
        lijsten[naam] = Lijst(naam=naam, tooi_id=simple.get("id", naam), tooi_set=tooi_set, waarden=tuple(waarden))
    return lijsten


def lijst(naam: str) -> Lijst:
    """One list by its simpleType name; `InvalidInput` for an unknown name."""
    try:
        return alle_lijsten()[naam]
    except KeyError:
        raise InvalidInput(
            f"DiWoo 0.9.8 has no value list {naam!r}",
            hint=f"known lists: {', '.join(sorted(alle_lijsten()))}",
        ) from None


def informatiecategorieen() -> Lijst:
    """The 17 Woo informatiecategorieën (TOOI scw_woo_informatiecategorieen)."""
    return lijst(INFORMATIECATEGORIE)


def soorten_handeling() -> Lijst:
    """The documenthandelingen (ondertekening, ontvangst, vaststelling)."""
    return lijst(SOORT_HANDELING)


def documentrelaties() -> Lijst:
    return lijst(DOCUMENTRELATIE)


def redenen_verwijdering_vervanging() -> Lijst:
    return lijst(REDEN_VERWIJDERING_VERVANGING)


def documentsoorten() -> Lijst:
    return lijst(DOCUMENTSOORT)


def formats() -> Lijst:
    return lijst(FORMAT)


def talen() -> Lijst:
    return lijst(TAAL)


def themas() -> Lijst:
    return lijst(THEMA)


@cache
def organisaties() -> Lijst:
    """Every organisation DiWoo accepts as publisher or verantwoordelijke (the union of 8 lists)."""
    waarden = tuple(w for naam in ORGANISATIELIJSTEN for w in lijst(naam).waarden)
    return Lijst(naam="organisatielijst", tooi_id="organisatielijst", tooi_set=None, waarden=waarden)
