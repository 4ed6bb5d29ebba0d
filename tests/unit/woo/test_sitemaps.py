"""Specification of edepot.woo.sitemaps: robots.txt, index files, sitemaps and incremental regeneration.

The sitemaps.org XSDs are not vendored, so the sitemap protocol is checked structurally here
(root elements and namespace, required children, https locs, W3C dates, the 50,000 limit); the
DiWoo part of every url is validated against the vendored DiWoo 0.9.8 XSD.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from edepot import xmlsafe
from edepot.errors import InvalidInput
from edepot.woo.diwoo import document_fragment
from edepot.woo.schema import DIWOO_NAMESPACE, validate
from edepot.woo.sitemaps import MAX_URLS, SITEMAP_NAMESPACE, Url, Verwijdering, genereer, regenereer, robots_txt

from .conftest import T, categorie, maak_document, maak_publicatie

BASIS = "https://woo.limburg.nl"
VWS = Path(__file__).resolve().parents[4] / "shared" / "reference" / "diwoo" / "examples"
SM = {"s": SITEMAP_NAMESPACE, "d": DIWOO_NAMESPACE}
_W3C_DATUM = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?")
_FRAGMENT = document_fragment(maak_publicatie(), maak_document())
# The DiWoo minimum (publisher, officieleTitel, informatiecategorie, documenthandeling), as short as
# it gets: 50,000 urls of the richer fragment above exceed the 50 MiB a sitemap may have.
_MINIMAAL = (
    '<diwoo:Document xmlns:diwoo="https://standaarden.overheid.nl/diwoo/metadata/"><diwoo:DiWoo>'
    '<diwoo:publisher resource="https://identifier.overheid.nl/tooi/id/provincie/pv31">provincie Limburg'
    "</diwoo:publisher><diwoo:titelcollectie><diwoo:officieleTitel>Besluit</diwoo:officieleTitel>"
    "</diwoo:titelcollectie><diwoo:classificatiecollectie><diwoo:informatiecategorieen>"
    f'<diwoo:informatiecategorie resource="{categorie()}">beschikkingen</diwoo:informatiecategorie>'
    "</diwoo:informatiecategorieen></diwoo:classificatiecollectie><diwoo:documenthandelingen>"
    '<diwoo:documenthandeling><diwoo:soortHandeling resource="https://identifier.overheid.nl/tooi/def/thes/kern/'
    'c_641ecd76">vaststelling</diwoo:soortHandeling><diwoo:atTime>2025-03-04T10:00:00+00:00</diwoo:atTime>'
    "</diwoo:documenthandeling></diwoo:documenthandelingen></diwoo:DiWoo></diwoo:Document>"
).encode()


def maak_url(i: int, *, categorie_label: str = "beschikkingen", dagen: int = 0, lastmod: date = date(2025, 3, 4),
             xml: bytes | None = None) -> Url:
    if xml is None:
        document = maak_document(i)
        xml = document_fragment(maak_publicatie(document), document)
    return Url(loc=f"https://woo.limburg.nl/bestanden/doc-{i}.pdf", lastmod=lastmod,
               categorie=categorie(categorie_label), gepubliceerd_op=T + timedelta(days=dagen), document_xml=xml)


def controleer_urlset(data: bytes, naam: str) -> list[str]:
    """Structural sitemaps.org check of one sitemap; returns its locs."""
    root = xmlsafe.parse(data, source=naam)
    assert root.tag == f"{{{SITEMAP_NAMESPACE}}}urlset"
    urls = root.findall("s:url", SM)
    assert 1 <= len(urls) <= MAX_URLS
    assert len(data) <= 50 * 1024 * 1024
    locs = []
    for url in urls:
        assert [child.tag for child in url][:2] == [f"{{{SITEMAP_NAMESPACE}}}loc", f"{{{SITEMAP_NAMESPACE}}}lastmod"]
        loc = url.findtext("s:loc", namespaces=SM)
        assert loc.startswith("https://") and len(loc) < 2048
        assert _W3C_DATUM.fullmatch(url.findtext("s:lastmod", namespaces=SM))
        assert len(url.findall("d:Document", SM)) == 1
        locs.append(loc)
    return locs


def controleer_index(data: bytes, naam: str) -> list[str]:
    root = xmlsafe.parse(data, source=naam)
    assert root.tag == f"{{{SITEMAP_NAMESPACE}}}sitemapindex"
    locs = [s.findtext("s:loc", namespaces=SM) for s in root.findall("s:sitemap", SM)]
    assert 1 <= len(locs) <= 50_000 and all(loc.startswith(BASIS + "/sitemap-diwoo-") for loc in locs)
    return locs


# --- bad input first ---


@pytest.mark.parametrize("loc", ["http://woo.limburg.nl/a.pdf", "https://woo.limburg.nl/a b.pdf", "/a.pdf"])
def test_a_loc_that_is_not_an_https_url_is_refused(loc: str) -> None:
    with pytest.raises(InvalidInput, match="https"):
        Url(loc=loc, lastmod=date(2025, 1, 1), categorie=categorie(), gepubliceerd_op=T, document_xml=_FRAGMENT)


def test_an_entry_without_diwoo_document_is_refused() -> None:
    with pytest.raises(InvalidInput, match="diwoo:Document"):
        Url(loc="https://w/a.pdf", lastmod=date(2025, 1, 1), categorie=categorie(), gepubliceerd_op=T,
            document_xml=b"<x/>")


def test_a_non_https_base_url_and_an_oversized_chunk_are_refused() -> None:
    with pytest.raises(InvalidInput):
        genereer("http://woo.limburg.nl", [maak_url(1)], tijdstip=T)
    with pytest.raises(InvalidInput):
        genereer(BASIS, [maak_url(1)], tijdstip=T, max_urls=MAX_URLS + 1)


def test_robots_txt_only_names_sitemap_index_files() -> None:
    with pytest.raises(InvalidInput):
        robots_txt(BASIS, ["sitemap.xml"])
    tekst = robots_txt(BASIS, ["sitemapindex-diwoo-0002.xml", "sitemapindex-diwoo-0001.xml"], disallow=["/api/"])
    assert tekst.splitlines() == [
        "User-agent: *", "Disallow: /api/", "",
        "Sitemap: https://woo.limburg.nl/sitemapindex-diwoo-0001.xml",
        "Sitemap: https://woo.limburg.nl/sitemapindex-diwoo-0002.xml",
    ]


# --- structure ---


def test_the_vws_example_passes_the_same_structural_checks() -> None:
    if not VWS.exists():
        pytest.skip("shared/reference not present")
    root = xmlsafe.parse((VWS / "minvws-woo-index-sitemap-snapshot.xml").read_bytes(), source="vws")
    assert root.tag == f"{{{SITEMAP_NAMESPACE}}}urlset" and len(root.findall("s:url/d:Document", SM)) == 2
    index = xmlsafe.parse((VWS / "minvws-woo-index-sitemapindex-snapshot.xml").read_bytes(), source="vws-index")
    assert index.tag == f"{{{SITEMAP_NAMESPACE}}}sitemapindex"


def test_sitemaps_are_split_by_informatiecategorie_and_month_and_every_diwoo_part_is_valid() -> None:
    urls = [maak_url(1), maak_url(2, dagen=40), maak_url(3, categorie_label="convenanten"), maak_url(4, dagen=1)]
    uitkomst = genereer(BASIS, urls, tijdstip=datetime(2025, 5, 1, tzinfo=UTC))
    namen = sorted(n for n in uitkomst.bestanden if n.startswith("sitemap-"))
    code_b = categorie().rsplit("/", 1)[1]
    code_c = categorie("convenanten").rsplit("/", 1)[1]
    assert namen == sorted([f"sitemap-diwoo-{code_b}-2025-03-001.xml", f"sitemap-diwoo-{code_b}-2025-04-001.xml",
                            f"sitemap-diwoo-{code_c}-2025-03-001.xml"])
    alle_locs = []
    for naam in namen:
        data = uitkomst.bestanden[naam]
        alle_locs += controleer_urlset(data, naam)
        assert validate(data, source=naam) == []
    assert sorted(alle_locs) == sorted(u.loc for u in urls)
    assert uitkomst.indexnamen == ["sitemapindex-diwoo-0001.xml"]
    index = controleer_index(uitkomst.bestanden["sitemapindex-diwoo-0001.xml"], "index")
    assert index == [f"{BASIS}/{n}" for n in namen]
    # the loc of every url is the file itself
    root = xmlsafe.parse(uitkomst.bestanden[f"sitemap-diwoo-{code_b}-2025-03-001.xml"], source="s")
    assert root.xpath("//s:url/s:loc/text()", namespaces=SM) == [
        "https://woo.limburg.nl/bestanden/doc-1.pdf", "https://woo.limburg.nl/bestanden/doc-4.pdf"]


def test_no_publications_give_no_files_and_a_robots_txt_without_sitemaps() -> None:
    uitkomst = genereer(BASIS, [], tijdstip=T)
    assert dict(uitkomst.bestanden) == {} and uitkomst.indexnamen == []
    assert "Sitemap:" not in robots_txt(BASIS, uitkomst.indexnamen)


def test_the_minimal_fragment_is_valid_diwoo() -> None:
    assert validate(_MINIMAAL, source="minimaal") == []


@pytest.mark.slow
def test_50001_urls_of_one_category_and_month_give_two_sitemaps_of_50000_and_1() -> None:
    urls = [maak_url(i, xml=_MINIMAAL) for i in range(50_001)]
    uitkomst = genereer(BASIS, urls, tijdstip=T)
    sitemap_namen = sorted(n for n in uitkomst.bestanden if n.startswith("sitemap-"))
    assert len(sitemap_namen) == 2
    eerste, tweede = (uitkomst.bestanden[n] for n in sitemap_namen)
    assert len(controleer_urlset(eerste, sitemap_namen[0])) == 50_000
    assert len(controleer_urlset(tweede, sitemap_namen[1])) == 1
    assert len(controleer_index(uitkomst.bestanden["sitemapindex-diwoo-0001.xml"], "i")) == 2


def test_a_sitemap_is_also_cut_at_the_byte_limit() -> None:
    urls = [maak_url(i, xml=_FRAGMENT) for i in range(10)]
    blok = len(urls[0].blok())
    uitkomst = genereer(BASIS, urls, tijdstip=T, max_bytes=3 * blok + 300)
    namen = sorted(n for n in uitkomst.bestanden if n.startswith("sitemap-"))
    assert [len(controleer_urlset(uitkomst.bestanden[n], n)) for n in namen] == [3, 3, 3, 1]
    assert all(len(uitkomst.bestanden[n]) <= 3 * blok + 300 for n in namen)
    with pytest.raises(InvalidInput, match="larger than"):
        genereer(BASIS, urls, tijdstip=T, max_bytes=100)


def test_chunks_follow_first_publication_order() -> None:
    urls = [maak_url(i, xml=_FRAGMENT, dagen=0) for i in range(5)]
    uitkomst = genereer(BASIS, urls, tijdstip=T, max_urls=2)
    per_bestand = [controleer_urlset(uitkomst.bestanden[n], n) for n in sorted(uitkomst.bestanden)
                   if n.startswith("sitemap-")]
    assert [len(locs) for locs in per_bestand] == [2, 2, 1]


# --- incremental ---


def test_an_unchanged_run_writes_nothing() -> None:
    urls = [maak_url(i, xml=_FRAGMENT) for i in range(10)]
    eerste = genereer(BASIS, urls, tijdstip=T)
    opnieuw = regenereer(BASIS, eerste.state, urls, {u.loc: u for u in urls}.__getitem__, tijdstip=T + timedelta(1))
    assert dict(opnieuw.bestanden) == {}
    assert opnieuw.state == eerste.state


def test_a_new_publication_rewrites_only_its_sitemap_and_the_index() -> None:
    urls = [maak_url(1), maak_url(2, categorie_label="convenanten")]
    eerste = genereer(BASIS, urls, tijdstip=T)
    nieuw = maak_url(3)
    tweede = regenereer(BASIS, eerste.state, [nieuw], {u.loc: u for u in urls}.__getitem__, tijdstip=T + timedelta(1))
    code_b = categorie().rsplit("/", 1)[1]
    assert sorted(tweede.bestanden) == [f"sitemap-diwoo-{code_b}-2025-03-001.xml", "sitemapindex-diwoo-0001.xml"]
    assert tweede.state.urls() == 3


def test_a_retracted_document_leaves_its_sitemap_and_the_index_shows_the_change() -> None:
    urls = [maak_url(1), maak_url(2), maak_url(3, categorie_label="convenanten")]
    eerste = genereer(BASIS, urls, tijdstip=date(2025, 3, 5))
    opzoeken = {u.loc: u for u in urls}.__getitem__
    tweede = regenereer(BASIS, eerste.state, [Verwijdering(urls[0].loc)], opzoeken, tijdstip=date(2025, 3, 9))
    code_b = categorie().rsplit("/", 1)[1]
    naam = f"sitemap-diwoo-{code_b}-2025-03-001.xml"
    assert controleer_urlset(tweede.bestanden[naam], naam) == [urls[1].loc]
    index = tweede.bestanden["sitemapindex-diwoo-0001.xml"]
    assert f"<loc>{BASIS}/{naam}</loc><lastmod>2025-03-09</lastmod>".encode() in index
    # the last url of a sitemap gone: the file is deleted and leaves the index
    derde = regenereer(BASIS, tweede.state, [Verwijdering(urls[1].loc)], opzoeken, tijdstip=date(2025, 3, 10))
    assert derde.bestanden[naam] is None
    assert naam.encode() not in derde.bestanden["sitemapindex-diwoo-0001.xml"]
    assert derde.state.urls() == 1


def test_a_changed_document_is_rerendered_in_place_and_a_replacement_moves_between_groups() -> None:
    urls = [maak_url(1), maak_url(2)]
    eerste = genereer(BASIS, urls, tijdstip=T)
    opzoeken = {u.loc: u for u in urls}.__getitem__
    gewijzigd = maak_url(1, lastmod=date(2025, 4, 1))
    tweede = regenereer(BASIS, eerste.state, [gewijzigd], opzoeken, tijdstip=T + timedelta(1))
    assert len([n for n in tweede.bestanden if n.startswith("sitemap-")]) == 1
    assert b"<lastmod>2025-04-01</lastmod>" in next(v for n, v in tweede.bestanden.items() if n.startswith("sitemap-"))
    verplaatst = maak_url(2, categorie_label="convenanten")
    derde = regenereer(BASIS, tweede.state, [verplaatst], {u.loc: u for u in [gewijzigd, urls[1]]}.__getitem__,
                       tijdstip=T + timedelta(2))
    assert sorted(n for n in derde.bestanden if n.startswith("sitemap-")) == sorted(
        f"sitemap-diwoo-{categorie(label).rsplit('/', 1)[1]}-2025-03-001.xml"
        for label in ("beschikkingen", "convenanten"))
    assert derde.state.bestand_van()[verplaatst.loc].startswith(
        f"sitemap-diwoo-{categorie('convenanten').rsplit('/', 1)[1]}")


def test_incremental_runs_give_the_same_files_as_a_full_run() -> None:
    urls = [maak_url(i, xml=_FRAGMENT, dagen=i % 3 * 20) for i in range(30)]
    state = genereer(BASIS, urls[:10], tijdstip=T).state
    bestanden: dict[str, bytes | None] = {}
    alle = {u.loc: u for u in urls}
    uitkomst = regenereer(BASIS, state, urls[10:], alle.__getitem__, tijdstip=T)
    uitkomst = regenereer(BASIS, uitkomst.state, [Verwijdering(urls[3].loc)], alle.__getitem__, tijdstip=T)
    volledig = genereer(BASIS, [u for u in urls if u.loc != urls[3].loc], tijdstip=T)
    for naam, inhoud in volledig.bestanden.items():
        bestanden[naam] = inhoud
    assert {n: b.digest for n, b in uitkomst.state.sitemaps.items()} == {
        n: b.digest for n, b in volledig.state.sitemaps.items()}
