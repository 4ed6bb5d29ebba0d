"""The DiWoo 0.9.8 XSD, loaded from the package without any network access, and validation.

The vendored `edepot/data/schemas/diwoo/diwoo-metadata.xsd` stays byte-identical to the published
file, so its `xs:import` of MDTO 1.0.1 still names the remote location
`https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd`. At load time a custom `etree.Resolver`
answers that import with the vendored `edepot/data/schemas/MDTO-XML1.0.1.xsd` and the relative
`xs:include` with the vendored value lists; any other location is refused. The parser has
`no_network=True`, no DTD loading and no entity expansion. Every schema file is first passed
through `edepot.xmlsafe.parse` (DOCTYPE, entities, XInclude refused); the second parse exists only
because the resolver must sit on the parser that `XMLSchema` uses to load imports.
"""

from __future__ import annotations

import copy
import threading
from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree

from edepot import xmlsafe
from edepot.errors import Finding, InvalidInput, UnsafeInput

DIWOO_NAMESPACE = "https://standaarden.overheid.nl/diwoo/metadata/"
DIWOO_VERSIE = "0.9.8"
DIWOO_XSD = "diwoo-metadata.xsd"
LIJSTEN_XSD = "diwoo-metadata-lijsten.xsd"
MDTO_XSD = "MDTO-XML1.0.1.xsd"
MDTO_REMOTE = "https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
_BASIS = "edepot-schema:/"

_SCHEMAS = files("edepot") / "data" / "schemas"
_XSD_LOCK = threading.Lock()  # an lxml XMLSchema keeps its error log on the instance


def diwoo_xsd() -> bytes:
    """The vendored DiWoo metadata XSD, unchanged."""
    return (_SCHEMAS / "diwoo" / DIWOO_XSD).read_bytes()


def lijsten_xsd() -> bytes:
    """The vendored DiWoo value lists (TOOI waardelijsten), unchanged."""
    return (_SCHEMAS / "diwoo" / LIJSTEN_XSD).read_bytes()


def mdto_xsd() -> bytes:
    """The vendored MDTO 1.0.1 XSD that DiWoo imports."""
    return (_SCHEMAS / MDTO_XSD).read_bytes()


# The only locations the DiWoo schema may load, mapped to vendored bytes.
_LOKAAL = {
    MDTO_REMOTE: (mdto_xsd, f"{_BASIS}{MDTO_XSD}"),
    f"{_BASIS}diwoo/{LIJSTEN_XSD}": (lijsten_xsd, f"{_BASIS}diwoo/{LIJSTEN_XSD}"),
}


class _VendoredResolver(etree.Resolver):  # type: ignore[misc]
    """Answers the schema's import and include from the package; refuses everything else."""

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        gevonden = _LOKAAL.get(url or "")
        if gevonden is None:
            raise UnsafeInput(
                f"DiWoo XSD tried to load {url!r}, which is not vendored",
                hint="vendor the schema under edepot/data/schemas/ and map it in edepot/woo/schema.py",
                source=DIWOO_XSD,
                reason="external-reference",
            )
        lees, basis = gevonden
        return self.resolve_string(lees(), context, base_url=basis)


@cache
def diwoo_schema() -> Any:
    """The compiled DiWoo 0.9.8 `etree.XMLSchema` (with MDTO 1.0.1), built once."""
    for naam, inhoud in ((LIJSTEN_XSD, lijsten_xsd()), (MDTO_XSD, mdto_xsd())):
        xmlsafe.parse(inhoud, source=f"edepot/data/schemas/{naam}")
    document = xmlsafe.parse(
        diwoo_xsd(),
        source=f"edepot/data/schemas/{DIWOO_XSD}",
        resolver=_VendoredResolver(),
        base_url=f"{_BASIS}diwoo/{DIWOO_XSD}",
    )
    return etree.XMLSchema(document)


def validate(data: bytes, *, source: str) -> list[Finding]:
    """Findings (rule 'woo.diwoo.xsd') for every XSD error in `data`; [] when valid.

    `data` is a `diwoo:Document` or any document whose DiWoo parts should be checked: a sitemap
    `urlset` is checked url by url (its `diwoo:Document` children). Malformed XML gives one
    finding 'woo.diwoo.xml'; hostile XML raises `UnsafeInput`.
    """
    try:
        root = xmlsafe.parse(data, source=source)
    except UnsafeInput:
        raise
    except InvalidInput as exc:
        return [Finding(rule="woo.diwoo.xml", message=exc.message,
                        action="produce well-formed XML", file=source)]
    documenten = [root] if root.tag == f"{{{DIWOO_NAMESPACE}}}Document" else list(
        root.iter(f"{{{DIWOO_NAMESPACE}}}Document"))
    if not documenten:
        return [Finding(rule="woo.diwoo.document", message=f"{source}: no diwoo:Document element found",
                        action="wrap the metadata in <diwoo:Document>", file=source)]
    schema = diwoo_schema()
    bevindingen: list[Finding] = []
    for document in documenten:
        with _XSD_LOCK:
            schema.validate(etree.ElementTree(_losgemaakt(document)))
            fouten = list(schema.error_log)
        for fout in fouten:
            tekst = str(fout.message).replace(f"{{{DIWOO_NAMESPACE}}}", "diwoo:")
            bevindingen.append(Finding(
                rule="woo.diwoo.xsd",
                message=f"{source} line {document.sourceline}: {tekst}",
                action="correct the DiWoo metadata so that it is valid against DiWoo 0.9.8",
                file=source,
            ))
    return bevindingen


def _losgemaakt(element: etree._Element) -> etree._Element:
    """A copy of `element` as the root of its own document (validation needs a root)."""
    if element.getparent() is None:
        return element
    return copy.deepcopy(element)
