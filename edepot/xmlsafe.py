"""The one way edepot parses XML: no DTDs, no entities, no network, no XInclude.

Every XML document edepot reads (MDTO sidecars, DiWoo, sitemaps, the vendored XSDs) goes through
`parse`. A DOCTYPE before the root element is refused before libxml2 sees it; the lxml parser is
configured so that nothing is expanded or fetched while parsing (no entity substitution, no DTD
loading, no network, libxml2's size limits kept on); the parsed tree is then refused when it
carries anything that could make a later step expand or fetch: a DOCTYPE of any kind, entity
references, XInclude elements or xml-stylesheet links.
Malformed XML raises `InvalidInput` with line and column; hostile XML raises `UnsafeInput`.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from edepot.errors import InvalidInput, UnsafeInput

XINCLUDE_NAMESPACES = frozenset({"http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"})

# libxml2 error codes that mean "an entity was referenced", not "the document is broken".
_ENTITY_ERROR_CODES = frozenset({
    26,  # XML_ERR_UNDECLARED_ENTITY
    27,  # XML_WAR_UNDECLARED_ENTITY
    89,  # XML_ERR_ENTITY_LOOP
    104,  # XML_ERR_ENTITY_BOUNDARY
})

_POSITIE_IN_MELDING = re.compile(r",? line \d+, column \d+$")
_WHAT_TO_DO = "send the document without DOCTYPE, entities, XInclude or external references"


def _parser() -> Any:
    # A fresh parser per call: lxml parser objects must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse(
    data: bytes, *, source: str, resolver: etree.Resolver | None = None, base_url: str | None = None
) -> etree._Element:
    """Parse `data` (from `source`, used in messages) and return the root `lxml.etree._Element`.

    Raises `UnsafeInput` for a DOCTYPE/DTD, entity declarations or references, XInclude or
    external references, and `InvalidInput` (with line and column) for malformed XML.
    `resolver` and `base_url` serve vendored schemas whose imports must be answered locally
    (a resolver that refuses everything it does not ship); the network stays off regardless.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"xmlsafe.parse expects bytes, got {type(data).__name__} for {source}")
    data = bytes(data)
    # Refuse a DOCTYPE before libxml2 sees it: even unexpanded, a hostile internal subset costs work.
    doctype = _doctype_in_prolog(data)
    if doctype is not None:
        raise _refuse(source, "doctype", f"DOCTYPE/DTD is not allowed ({doctype!r})")
    try:
        parser = _parser()
        if resolver is not None:
            parser.resolvers.add(resolver)
        root = etree.fromstring(data, parser, base_url=base_url)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        reden = _POSITIE_IN_MELDING.sub("", str(exc.msg))
        if exc.code in _ENTITY_ERROR_CODES:
            raise UnsafeInput(
                f"{source}: XML refused at line {line}, column {column}: entity reference ({reden})",
                hint=_WHAT_TO_DO,
                source=source,
                reason="entity",
                line=line,
                column=column,
            ) from None
        raise InvalidInput(
            f"{source}: malformed XML at line {line}, column {column}: {reden}",
            hint="fix the XML so that it is well-formed (matching tags, escaped & and <, declared encoding)",
            source=source,
            line=line,
            column=column,
        ) from None
    _refuse_unsafe(root, source)
    return root


def _prolog_tekst(data: bytes) -> str:
    """The document as text, enough to see what precedes the root element."""
    begin = data
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                       (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if begin.startswith(bom):
            return begin[len(bom):].decode(codec, errors="replace")
    for teken, codec in ((b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
                         (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be")):
        if begin.startswith(teken):
            return begin.decode(codec, errors="replace")
    # ASCII-compatible encodings (UTF-8, ISO-8859-x, windows-125x): markup is plain ASCII.
    return begin.decode("latin-1")


def _doctype_in_prolog(data: bytes) -> str | None:
    """The start of a DOCTYPE before the root element (after declaration, PIs, comments), or None."""
    tekst = _prolog_tekst(data)
    positie = 0
    while True:
        positie = tekst.find("<", positie)
        if positie < 0:
            return None
        if tekst.startswith("<?", positie):
            einde = tekst.find("?>", positie + 2)
        elif tekst.startswith("<!--", positie):
            einde = tekst.find("-->", positie + 4)
        elif tekst[positie:positie + 9].upper() == "<!DOCTYPE":
            declaratie = re.split(r"[\[>]", tekst[positie:positie + 300], maxsplit=1)[0]
            return " ".join(declaratie.split())[:200]
        else:
            return None
        if einde < 0:
            return None
        positie = einde + 2


def _refuse(source: str, reason: str, detail: str, line: int | None = None) -> UnsafeInput:
    where = f" at line {line}" if line else ""
    return UnsafeInput(
        f"{source}: XML refused{where}: {detail}",
        hint=_WHAT_TO_DO,
        source=source,
        reason=reason,
        line=line,
    )


def _refuse_unsafe(root: etree._Element, source: str) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        declared = docinfo.internalDTD is not None and any(True for _ in docinfo.internalDTD.iterentities())
        detail = "DOCTYPE with entity declarations" if declared else "DOCTYPE/DTD is not allowed"
        if docinfo.system_url:
            detail += f" (external DTD {docinfo.system_url!r})"
        raise _refuse(source, "doctype", detail)
    # Walk the whole document, including comments and processing instructions around the root.
    siblings = list(root.itersiblings(preceding=True)) + list(root.itersiblings())
    for node in [*siblings, *root.iter()]:
        line = node.sourceline
        if isinstance(node, etree._Entity):
            raise _refuse(source, "entity", f"entity reference {node.text!r}", line)
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            raise _refuse(source, "external-reference", "xml-stylesheet processing instruction", line)
        if isinstance(node.tag, str) and etree.QName(node).namespace in XINCLUDE_NAMESPACES:
            raise _refuse(source, "xinclude", f"XInclude element <{etree.QName(node).localname}>", line)
