"""Harvestable sitemaps for open.overheid.nl: robots.txt, sitemap index files and sitemaps.

The harvester reads `robots.txt`, follows the `Sitemap:` lines to sitemap index files named
`sitemapindex-diwoo-NNNN.xml` (root `<sitemapindex>`), and from there the sitemaps: `<urlset>`s of
at most 50,000 `<url>`s whose `loc` is the https URL of the published file itself, with its
`lastmod` and a `diwoo:Document` (the structure of the VWS Woo-index example in
`shared/reference/diwoo/examples/`).

Sitemaps are split by informatiecategorie (the document's first) and by month of first
publication, and within that by the limits of 50,000 urls and 50 MiB:
`sitemap-diwoo-<tooi code>-<yyyy>-<mm>-<nnn>.xml`, so a change touches one small group. All
files live next to robots.txt at the site root (a sitemap may only list URLs below its own
directory).

Regeneration is incremental and pure: `regenereer(basis, vorige, wijzigingen, opzoeken)` takes the
previous `SitemapState` (every file with its urls and their digests), the changed documents
(`Url` to add or replace, `Verwijdering` for a retraction) and a lookup for unchanged urls, and
returns only the files whose bytes change (None for a file to delete) plus the new state. The
caller writes the files. A retracted url simply leaves its sitemap.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any
from xml.sax.saxutils import escape

from edepot.errors import InvalidInput

SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS = 50_000  # sitemaps.org: at most 50,000 urls per sitemap
MAX_SITEMAPS = 50_000  # and at most 50,000 sitemaps per index file
MAX_BYTES = 50 * 1024 * 1024  # and at most 50 MiB uncompressed per file
INDEX_PREFIX = "sitemapindex-diwoo"
SITEMAP_PREFIX = "sitemap-diwoo"

_KOP = (b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="' + SITEMAP_NAMESPACE.encode()
        + b'" xmlns:diwoo="https://standaarden.overheid.nl/diwoo/metadata/">\n')
_STAART = b"</urlset>\n"
_DIWOO_DECLARATIE = b' xmlns:diwoo="https://standaarden.overheid.nl/diwoo/metadata/"'
_INDEX_KOP = b'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="' + SITEMAP_NAMESPACE.encode() + b'">\n'
_INDEX_STAART = b"</sitemapindex>\n"


# --- input -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    """One published file as it appears in a sitemap."""

    loc: str  # https URL of the file itself
    lastmod: date | datetime  # last change of file or metadata
    categorie: str  # the informatiecategorie resource that places it (the document's first)
    gepubliceerd_op: datetime | date  # first publication: the month that places it, and the order
    document_xml: bytes  # the `diwoo:Document` element (edepot.woo.diwoo.document_fragment)

    def __post_init__(self) -> None:
        if not self.loc.startswith("https://") or any(c.isspace() for c in self.loc):
            raise InvalidInput(
                f"sitemap loc {self.loc!r} is not an https URL",
                hint="publish every file at an https URL without spaces (percent-encode them)",
                loc=self.loc,
            )
        if not self.document_xml.lstrip().startswith(b"<diwoo:Document"):
            raise InvalidInput(
                f"{self.loc}: document_xml is not a diwoo:Document element",
                hint="pass edepot.woo.diwoo.document_fragment(publicatie, document)",
                loc=self.loc,
            )

    @property
    def groep(self) -> str:
        """The group (sitemap name without chunk number) this url belongs to."""
        code = self.categorie.rstrip("/").rsplit("/", 1)[-1]
        return f"{SITEMAP_PREFIX}-{code}-{self.gepubliceerd_op.year:04d}-{self.gepubliceerd_op.month:02d}"

    @property
    def volgorde(self) -> tuple[str, str]:
        return (self.gepubliceerd_op.isoformat(), self.loc)

    def blok(self) -> bytes:
        """The `<url>` element of this entry (the diwoo prefix is declared once, on `<urlset>`)."""
        document = self.document_xml.strip().replace(_DIWOO_DECLARATIE, b"", 1)
        return b"".join((
            b"<url><loc>", escape(self.loc).encode(), b"</loc><lastmod>",
            self.lastmod.isoformat().encode(), b"</lastmod>", document, b"</url>\n",
        ))


@dataclass(frozen=True)
class Verwijdering:
    """A retracted (or unpublished) file: its url leaves the sitemaps."""

    loc: str


Wijziging = Url | Verwijdering


# --- state -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlState:
    loc: str
    volgorde: tuple[str, str]
    lastmod: str
    digest: str  # sha256 of the url's <url> block
    grootte: int  # its length in bytes


@dataclass(frozen=True)
class BestandState:
    naam: str
    digest: str  # sha256 of the file's bytes
    urls: tuple[UrlState, ...] = ()  # empty for an index file
    lastmod: str | None = None  # of a sitemap: when its bytes last changed


@dataclass(frozen=True)
class SitemapState:
    """Which sitemap files exist, with which urls (and digests): what regeneration compares with."""

    sitemaps: Mapping[str, BestandState] = field(default_factory=dict)
    indexen: Mapping[str, BestandState] = field(default_factory=dict)

    def bestand_van(self) -> Mapping[str, str]:
        """loc -> name of the sitemap that lists it."""
        return {u.loc: b.naam for b in self.sitemaps.values() for u in b.urls}

    def urls(self) -> int:
        return sum(len(b.urls) for b in self.sitemaps.values())


@dataclass(frozen=True)
class Regeneratie:
    """The outcome: files to write (bytes) or delete (None), and the state after writing them."""

    bestanden: Mapping[str, bytes | None]
    state: SitemapState

    @property
    def indexnamen(self) -> list[str]:
        return sorted(self.state.indexen)


# --- rendering ---------------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sitemap_naam(groep: str, nummer: int) -> str:
    return f"{groep}-{nummer:03d}.xml"


def _groep_van_naam(naam: str) -> str:
    return naam.rsplit("-", 1)[0]


def _lastmod_tekst(waarde: date | datetime) -> str:
    return waarde.isoformat()


def _render_sitemap(blokken: Sequence[bytes]) -> bytes:
    return _KOP + b"".join(blokken) + _STAART


def _render_index(basis_url: str, sitemaps: Sequence[BestandState]) -> bytes:
    regels = []
    for sitemap in sitemaps:
        lastmod = f"<lastmod>{escape(sitemap.lastmod)}</lastmod>" if sitemap.lastmod else ""
        regels.append(f"<sitemap><loc>{escape(basis_url + sitemap.naam)}</loc>{lastmod}</sitemap>\n".encode())
    return _INDEX_KOP + b"".join(regels) + _INDEX_STAART


def _basis(basis_url: str) -> str:
    if not basis_url.startswith("https://"):
        raise InvalidInput(f"sitemap base URL {basis_url!r} is not https", hint="give the public https site root")
    return basis_url if basis_url.endswith("/") else basis_url + "/"


# --- regeneration ------------------------------------------------------------------------------


def genereer(
    basis_url: str, urls: Iterable[Url], *, tijdstip: date | datetime, max_urls: int = MAX_URLS,
    max_bytes: int = MAX_BYTES,
) -> Regeneratie:
    """All files for `urls` from scratch (an incremental run against an empty state)."""
    return regenereer(basis_url, SitemapState(), urls, _niets_bekend, tijdstip=tijdstip, max_urls=max_urls,
                      max_bytes=max_bytes)


def _niets_bekend(loc: str) -> Url:
    raise InvalidInput(f"no previous state knows {loc!r}", hint="regenerate from scratch")


def regenereer(
    basis_url: str,
    vorige: SitemapState,
    wijzigingen: Iterable[Wijziging],
    opzoeken: Callable[[str], Url],
    *,
    tijdstip: date | datetime,
    max_urls: int = MAX_URLS,
    max_bytes: int = MAX_BYTES,
) -> Regeneratie:
    """The files that change when `wijzigingen` are applied to `vorige`; pure.

    `opzoeken(loc)` returns the current `Url` of an unchanged entry that shares a sitemap with a
    changed one (its block is re-rendered; only files whose bytes differ are returned). Within a
    group urls are ordered by first publication, then loc, and cut into chunks of at most
    `max_urls` urls and `max_bytes` bytes (with DiWoo metadata 50,000 urls can exceed 50 MiB).
    `tijdstip` (the time of this run) becomes the index `lastmod` of every sitemap that changes,
    so a harvester sees that a sitemap lost a retracted url.
    """
    basis = _basis(basis_url)
    if not 1 <= max_urls <= MAX_URLS:
        raise InvalidInput(f"max_urls {max_urls} outside 1..{MAX_URLS}", hint="sitemaps hold at most 50,000 urls")
    if not 1 <= max_bytes <= MAX_BYTES:
        raise InvalidInput(f"max_bytes {max_bytes} outside 1..{MAX_BYTES}", hint="sitemaps hold at most 50 MiB")
    bestand_van = vorige.bestand_van()
    nieuw: dict[str, Url] = {}
    weg: set[str] = set()
    for wijziging in wijzigingen:
        if isinstance(wijziging, Url):
            nieuw[wijziging.loc] = wijziging
            weg.discard(wijziging.loc)
        else:
            weg.add(wijziging.loc)
            nieuw.pop(wijziging.loc, None)

    # Groups touched: where changed locs were, and where new versions go.
    nieuw_per_groep: dict[str, list[Url]] = defaultdict(list)
    for url in nieuw.values():
        nieuw_per_groep[url.groep].append(url)
    geraakt: set[str] = {_groep_van_naam(bestand_van[loc]) for loc in (*nieuw, *weg) if loc in bestand_van}
    geraakt |= set(nieuw_per_groep)

    per_groep: dict[str, list[str]] = defaultdict(list)  # group -> its existing sitemap names
    for naam in vorige.sitemaps:
        per_groep[_groep_van_naam(naam)].append(naam)

    sitemaps = dict(vorige.sitemaps)
    bestanden: dict[str, bytes | None] = {}
    nieuwe_blokken: dict[str, bytes] = {}
    for groep in sorted(geraakt):
        oude_namen = sorted(per_groep.get(groep, ()))
        # loc -> (order, old digest or None when changed, block size)
        leden: dict[str, tuple[tuple[str, str], str | None, int]] = {}
        for naam in oude_namen:
            for u in vorige.sitemaps[naam].urls:
                leden[u.loc] = (u.volgorde, u.digest, u.grootte)
        for loc in list(leden):
            if loc in weg or loc in nieuw:
                del leden[loc]
        for url in nieuw_per_groep.get(groep, ()):
            blok = nieuwe_blokken.setdefault(url.loc, url.blok())
            leden[url.loc] = (url.volgorde, None, len(blok))
        volgorde = sorted(leden, key=lambda loc: leden[loc][0])
        nieuwe_namen = []
        for nummer, stuk in enumerate(_stukken(volgorde, leden, max_urls, max_bytes), start=1):
            naam = _sitemap_naam(groep, nummer)
            nieuwe_namen.append(naam)
            oud = vorige.sitemaps.get(naam)
            if oud is not None and [u.loc for u in oud.urls] == stuk and all(leden[loc][1] for loc in stuk):
                continue  # same urls in the same order, none of them changed
            urls = [nieuw[loc] if loc in nieuw else opzoeken(loc) for loc in stuk]
            blokken = [nieuwe_blokken[u.loc] if u.loc in nieuwe_blokken else u.blok() for u in urls]
            inhoud = _render_sitemap(blokken)
            digest = _sha(inhoud)
            gewijzigd = oud is None or oud.digest != digest
            sitemaps[naam] = BestandState(
                naam=naam,
                digest=digest,
                urls=tuple(UrlState(u.loc, u.volgorde, _lastmod_tekst(u.lastmod), _sha(b), len(b))
                           for u, b in zip(urls, blokken, strict=True)),
                lastmod=_lastmod_tekst(tijdstip) if gewijzigd or oud is None else oud.lastmod,
            )
            if gewijzigd:
                bestanden[naam] = inhoud
        for naam in oude_namen:
            if naam not in nieuwe_namen:
                del sitemaps[naam]
                bestanden[naam] = None

    indexen = _indexen(basis, sitemaps, vorige.indexen, bestanden)
    return Regeneratie(
        bestanden=MappingProxyType(bestanden),
        state=SitemapState(sitemaps=MappingProxyType(sitemaps), indexen=MappingProxyType(indexen)),
    )


def _stukken(
    volgorde: list[str], leden: Mapping[str, tuple[Any, Any, int]], max_urls: int, max_bytes: int
) -> list[list[str]]:
    """Cut the ordered locs into chunks of at most `max_urls` urls and `max_bytes` bytes."""
    ruimte = max_bytes - len(_KOP) - len(_STAART)
    stukken: list[list[str]] = []
    huidig: list[str] = []
    grootte = 0
    for loc in volgorde:
        blok = leden[loc][2]
        if blok > ruimte:
            raise InvalidInput(f"the sitemap entry for {loc} alone is larger than {max_bytes} bytes",
                               hint="shorten its DiWoo metadata")
        if huidig and (len(huidig) >= max_urls or grootte + blok > ruimte):
            stukken.append(huidig)
            huidig, grootte = [], 0
        huidig.append(loc)
        grootte += blok
    if huidig:
        stukken.append(huidig)
    return stukken


def _indexen(
    basis: str,
    sitemaps: Mapping[str, BestandState],
    vorige: Mapping[str, BestandState],
    bestanden: dict[str, bytes | None],
) -> dict[str, BestandState]:
    namen = sorted(sitemaps)
    indexen: dict[str, BestandState] = {}
    for nummer, begin in enumerate(range(0, len(namen), MAX_SITEMAPS), start=1):
        naam = f"{INDEX_PREFIX}-{nummer:04d}.xml"
        inhoud = _render_index(basis, [sitemaps[n] for n in namen[begin:begin + MAX_SITEMAPS]])
        indexen[naam] = BestandState(naam=naam, digest=_sha(inhoud))
        if naam not in vorige or vorige[naam].digest != indexen[naam].digest:
            bestanden[naam] = inhoud
    for naam in vorige:
        if naam not in indexen:
            bestanden[naam] = None
    return indexen


def robots_txt(basis_url: str, indexnamen: Iterable[str], *, disallow: Sequence[str] = ()) -> str:
    """robots.txt that lets every crawler in (except `disallow` paths) and names the index files."""
    basis = _basis(basis_url)
    regels = ["User-agent: *"]
    regels += [f"Disallow: {pad}" for pad in disallow] or ["Disallow:"]
    regels.append("")
    for naam in sorted(indexnamen):
        if not (naam.startswith(INDEX_PREFIX) and naam.endswith(".xml")):
            raise InvalidInput(f"{naam!r} is not a sitemap index name", hint=f"names start with {INDEX_PREFIX}")
        regels.append(f"Sitemap: {basis}{naam}")
    return "\n".join(regels) + "\n"
