"""Specification of edepot.xmlsafe: XML is parsed without DTDs, entities, XInclude or network."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import edepot
from edepot.errors import InvalidInput, UnsafeInput
from edepot.xmlsafe import parse

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE MDTO [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<MDTO>&xxe;</MDTO>"""

XXE_HTTP = b"""<?xml version="1.0"?>
<!DOCTYPE MDTO [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>
<MDTO>&xxe;</MDTO>"""

EXTERNAL_PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE MDTO [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<MDTO/>"""


def _refused(data: bytes, source: str = "sidecar.mdto.xml") -> UnsafeInput:
    with pytest.raises(UnsafeInput) as caught:
        parse(data, source=source)
    return caught.value


def test_billion_laughs_is_refused_without_expanding_anything() -> None:
    error = _refused(BILLION_LAUGHS, source="bom.xml")
    assert "bom.xml" in str(error)
    assert error.fields["reason"] == "doctype"
    assert "lollol" not in str(error)


def test_xxe_reading_a_local_file_is_refused_and_the_file_is_not_read() -> None:
    error = _refused(XXE_FILE)
    assert error.fields["reason"] == "doctype"
    assert "root:" not in str(error)
    assert "sidecar.mdto.xml" in error.message


def test_xxe_over_http_is_refused() -> None:
    assert _refused(XXE_HTTP).fields["reason"] == "doctype"


def test_an_external_parameter_entity_is_refused() -> None:
    assert _refused(EXTERNAL_PARAMETER_ENTITY).fields["reason"] == "doctype"


def test_an_external_dtd_is_refused_and_named() -> None:
    error = _refused(b'<!DOCTYPE MDTO SYSTEM "http://example.org/mdto.dtd"><MDTO/>')
    assert error.fields["reason"] == "doctype"
    assert "http://example.org/mdto.dtd" in error.message


def test_any_doctype_at_all_is_refused_even_an_empty_one() -> None:
    assert _refused(b"<!DOCTYPE MDTO><MDTO/>").fields["reason"] == "doctype"
    assert _refused(b"<!DOCTYPE MDTO []><MDTO/>").fields["reason"] == "doctype"


def test_a_doctype_in_utf16_is_refused_too() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE MDTO><MDTO/>'.encode("utf-16")
    assert _refused(data).fields["reason"] == "doctype"


def test_an_entity_reference_without_declaration_is_refused_as_unsafe() -> None:
    error = _refused(b"<MDTO>\n  <naam>&secret;</naam>\n</MDTO>")
    assert error.fields["reason"] == "entity"
    assert error.fields["line"] == 2


def test_xinclude_is_refused() -> None:
    data = (b'<MDTO xmlns:xi="http://www.w3.org/2001/XInclude">'
            b'<xi:include href="file:///etc/passwd" parse="text"/></MDTO>')
    error = _refused(data)
    assert error.fields["reason"] == "xinclude"
    assert "root:" not in str(error)


def test_an_xml_stylesheet_reference_is_refused() -> None:
    data = b'<?xml-stylesheet type="text/xsl" href="http://example.org/x.xsl"?><MDTO/>'
    assert _refused(data).fields["reason"] == "external-reference"


def test_malformed_xml_is_invalid_input_with_line_and_column_not_unsafe() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(b"<MDTO>\n  <naam>x</nam>\n</MDTO>", source="broken.xml")
    error = caught.value
    assert not isinstance(error, UnsafeInput)
    assert error.fields["line"] == 2
    assert error.fields["column"] > 0
    assert re.search(r"broken\.xml: malformed XML at line 2, column \d+", error.message)


def test_empty_input_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse(b"", source="empty.xml")


def test_text_instead_of_bytes_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse("<MDTO/>", source="str.xml")  # type: ignore[arg-type]


def test_a_plain_document_is_parsed_with_predefined_entities_and_character_references() -> None:
    root = parse(b'<?xml version="1.0" encoding="UTF-8"?><MDTO><naam>A &amp; B &#233;&lt;</naam></MDTO>',
                 source="ok.xml")
    assert root.tag == "MDTO"
    assert root[0].text == "A & B é<"


def test_a_utf16_document_without_doctype_is_parsed() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><MDTO><naam>Café</naam></MDTO>'.encode("utf-16")
    assert parse(data, source="utf16.xml")[0].text == "Café"


def test_comments_and_other_processing_instructions_are_allowed() -> None:
    root = parse(b"<?keep me?><!-- note --><MDTO><!-- inside --><naam>x</naam></MDTO>", source="c.xml")
    assert root.find("naam").text == "x"


# Every module of edepot parses XML through xmlsafe.parse; nothing calls a parser directly
# (xml.sax.saxutils' escaping helpers parse nothing and are allowed).
_DIRECT_PARSING = re.compile(
    r"etree\.(fromstring|parse|XML|iterparse|XMLParser|XMLPullParser|HTMLParser)\b"
    r"|\bxml\.(etree|dom)\b|\bxml\.sax\b(?!\.saxutils)|\bminidom\b|\bdefusedxml\b"
)


def test_no_module_of_edepot_parses_xml_other_than_through_xmlsafe() -> None:
    package = Path(edepot.__file__).parent
    offenders = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "xmlsafe.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _DIRECT_PARSING.search(line)
    ]
    assert offenders == []


def test_a_doctype_after_a_long_comment_is_still_refused() -> None:
    lang_commentaar = b"<!--" + b"x" * 100_000 + b"-->"
    data = b"<?xml version='1.0'?>" + lang_commentaar + b"<!DOCTYPE MDTO [<!ENTITY a 'b'>]><MDTO>&a;</MDTO>"
    assert _refused(data).fields["reason"] == "doctype"


def test_doctype_like_text_inside_the_document_is_not_mistaken_for_a_doctype() -> None:
    root = parse(b"<MDTO><naam><![CDATA[<!DOCTYPE html>]]></naam></MDTO>", source="cdata.xml")
    assert root[0].text == "<!DOCTYPE html>"
