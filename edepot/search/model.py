"""The vocabulary of search: what is indexed, what is asked, what comes back. Pure, no I/O.

`IndexDocument` is one record as the index sees it (kept small: the full text is truncated);
`Query` carries the user's question *and the caller's rights* (`Audience`), so that every engine
can put the access filter into the query itself; `SearchResult` holds the total, one page of
hits with highlighted snippets, and facet counts. Invalid requests raise `InvalidInput`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from edepot.errors import InvalidInput

MAX_FULL_TEXT_CHARS = 200_000  # keeps index documents small; the start of a document is what matters
MAX_QUERY_CHARS = 1_000
MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000  # page * page_size: deeper paging is refused, refine the query instead
MAX_FILTER_VALUE_CHARS = 500
SNIPPET_CHARS = 200  # target length of a snippet fragment


class Openbaarheid(StrEnum):
    """Access level of a record: open to anyone, restricted (openbaarheidsbeperking), or internal only."""

    OPENBAAR = "openbaar"
    BEPERKT = "beperkt"
    INTERN = "intern"


class Audience(StrEnum):
    """The caller's rights. PUBLIC sees published, open records only; INTERNAL sees everything."""

    PUBLIC = "public"
    INTERNAL = "internal"


class Sortering(StrEnum):
    RELEVANCE = "relevance"
    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"


class Facet(StrEnum):
    """Fields with counted values. PERIODE holds decade buckets such as `1980-1989`."""

    INFORMATIECATEGORIE = "informatiecategorie"
    ORGANISATIE = "organisatie"
    DOCUMENTSOORT = "documentsoort"
    AGGREGATIENIVEAU = "aggregatieniveau"
    WAARDERING = "waardering"
    PERIODE = "periode"


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def iso_date(value: str, *, end: bool = False) -> date:
    """An ISO date of any precision as a date: `1987` -> 1987-01-01 (or 1987-12-31 with end=True),
    `1987-02` -> 1987-02-01 (or 1987-02-28), `1987-02-03` as given. InvalidInput otherwise."""
    match = _ISO_DATE.match(value.strip())
    if match is None:
        raise InvalidInput(
            f"date {value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)",
            hint="write dates as 1987, 1987-03 or 1987-03-05",
            value=value,
        )
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            first = date(year, int(month), 1)
            if not end:
                return first
            following = date(year + 1, 1, 1) if first.month == 12 else date(year, first.month + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
        return date(year, int(month), int(day))
    except ValueError:
        raise InvalidInput(f"date {value!r} does not exist", hint="check month and day", value=value) from None


def decades(begin: date | None, end: date | None) -> tuple[str, ...]:
    """The PERIODE buckets a record covers: every decade from begin to end (`1980-1989`, ...)."""
    first = begin or end
    last = end or begin
    if first is None or last is None:
        return ()
    start, stop = first.year // 10 * 10, last.year // 10 * 10
    if stop - start > 300:  # a nonsense range should not explode into hundreds of buckets
        stop = start + 300
    return tuple(f"{d}-{d + 9}" for d in range(start, stop + 1, 10))


@dataclass(frozen=True)
class IndexDocument:
    """One record as indexed. `record_id` is the identity: adding the same id again replaces it.

    Secure defaults: a document is BEPERKT and unpublished unless the caller says otherwise.
    """

    record_id: str
    title: str
    aip_id: str | None = None
    description: str | None = None
    full_text: str = ""
    kenmerken: tuple[str, ...] = ()
    informatiecategorie: str | None = None
    organisatie: str | None = None
    date_begin: date | None = None
    date_end: date | None = None
    documentsoort: str | None = None  # a MIME type or a Dutch label (brief, besluit, kaart ...)
    aggregatieniveau: str | None = None
    waardering: str | None = None
    openbaarheid: Openbaarheid = Openbaarheid.BEPERKT
    published: bool = False
    bestandsformaat: str | None = None
    omvang: int | None = None  # bytes

    def __post_init__(self) -> None:
        if not isinstance(self.record_id, str) or not self.record_id.strip():
            raise InvalidInput("an index document needs a record_id", hint="pass the record's UUID as text")
        if len(self.full_text) > MAX_FULL_TEXT_CHARS:
            object.__setattr__(self, "full_text", self.full_text[:MAX_FULL_TEXT_CHARS])
        object.__setattr__(self, "kenmerken", tuple(self.kenmerken))
        object.__setattr__(self, "openbaarheid", Openbaarheid(self.openbaarheid))
        if self.date_begin and self.date_end and self.date_begin > self.date_end:
            raise InvalidInput(
                f"record {self.record_id}: date_begin {self.date_begin} is after date_end {self.date_end}",
                hint="swap or correct the dates",
                record_id=self.record_id,
            )

    @property
    def public(self) -> bool:
        """What Audience.PUBLIC may see: published and open."""
        return self.published and self.openbaarheid is Openbaarheid.OPENBAAR

    @property
    def periode(self) -> tuple[str, ...]:
        return decades(self.date_begin, self.date_end)

    @property
    def sort_date(self) -> date | None:
        """The date used for sorting by date: the begin date, else the end date."""
        return self.date_begin or self.date_end

    def facet_values(self, facet: Facet) -> tuple[str, ...]:
        if facet is Facet.PERIODE:
            return self.periode
        value: str | None = getattr(self, facet.value)
        return (value,) if value else ()

    def to_stored(self) -> dict[str, object]:
        """Everything but the full text, as JSON-ready data (what an engine stores per hit)."""
        return {
            "record_id": self.record_id,
            "title": self.title,
            "aip_id": self.aip_id,
            "description": self.description,
            "kenmerken": list(self.kenmerken),
            "informatiecategorie": self.informatiecategorie,
            "organisatie": self.organisatie,
            "date_begin": self.date_begin.isoformat() if self.date_begin else None,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "documentsoort": self.documentsoort,
            "aggregatieniveau": self.aggregatieniveau,
            "waardering": self.waardering,
            "openbaarheid": self.openbaarheid.value,
            "published": self.published,
            "bestandsformaat": self.bestandsformaat,
            "omvang": self.omvang,
        }

    @classmethod
    def from_stored(cls, data: Mapping[str, object]) -> IndexDocument:
        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) else None

        begin, end = text("date_begin"), text("date_end")
        kenmerken = data.get("kenmerken")
        omvang = data.get("omvang")
        return cls(
            record_id=str(data["record_id"]),
            title=str(data.get("title") or ""),
            aip_id=text("aip_id"),
            description=text("description"),
            kenmerken=tuple(str(k) for k in kenmerken) if isinstance(kenmerken, list) else (),
            informatiecategorie=text("informatiecategorie"),
            organisatie=text("organisatie"),
            date_begin=date.fromisoformat(begin) if begin else None,
            date_end=date.fromisoformat(end) if end else None,
            documentsoort=text("documentsoort"),
            aggregatieniveau=text("aggregatieniveau"),
            waardering=text("waardering"),
            openbaarheid=Openbaarheid(str(data.get("openbaarheid") or Openbaarheid.BEPERKT)),
            published=data.get("published") is True,
            bestandsformaat=text("bestandsformaat"),
            omvang=omvang if isinstance(omvang, int) else None,
        )


@dataclass(frozen=True)
class Query:
    """A search request. An empty `text` browses (everything the audience may see, filtered).

    `filters`: per facet, the accepted values (OR within a facet, AND between facets).
    The date range keeps records whose [date_begin, date_end] overlaps [date_from, date_to].
    `audience` defaults to PUBLIC: a caller must say so to see restricted records.
    """

    text: str = ""
    filters: Mapping[Facet, tuple[str, ...]] = field(default_factory=dict, hash=False)
    date_from: date | None = None
    date_to: date | None = None
    sort: Sortering = Sortering.RELEVANCE
    page: int = 1
    page_size: int = 20
    audience: Audience = Audience.PUBLIC

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or len(self.text) > MAX_QUERY_CHARS:
            raise InvalidInput(
                f"search text longer than {MAX_QUERY_CHARS} characters",
                hint="shorten the search text",
            )
        try:
            object.__setattr__(self, "sort", Sortering(self.sort))
            object.__setattr__(self, "audience", Audience(self.audience))
        except ValueError as exc:
            raise InvalidInput(
                f"unknown sort or audience: {exc}",
                hint=f"sort is one of {', '.join(Sortering)}; audience one of {', '.join(Audience)}",
            ) from None
        if not isinstance(self.page, int) or self.page < 1:
            raise InvalidInput(f"page {self.page!r} must be 1 or more", hint="pages count from 1")
        if not isinstance(self.page_size, int) or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(
                f"page_size {self.page_size!r} must be between 1 and {MAX_PAGE_SIZE}", hint="ask for fewer hits"
            )
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise InvalidInput(
                f"page {self.page} is beyond the first {MAX_RESULT_WINDOW} hits",
                hint="refine the search with words, filters or a date range",
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput(
                f"date_from {self.date_from} is after date_to {self.date_to}", hint="swap the dates"
            )
        object.__setattr__(self, "filters", MappingProxyType(_checked_filters(self.filters)))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def with_page(self, page: int) -> Query:
        return replace(self, page=page, filters=dict(self.filters))


def _checked_filters(filters: Mapping[Facet, tuple[str, ...]] | Mapping[str, object]) -> dict[Facet, tuple[str, ...]]:
    checked: dict[Facet, tuple[str, ...]] = {}
    for key, values in filters.items():
        try:
            facet = Facet(key)
        except ValueError:
            raise InvalidInput(
                f"unknown filter field {key!r}", hint=f"filter on one of {', '.join(Facet)}", field=str(key)
            ) from None
        if isinstance(values, str) or not isinstance(values, tuple | list | set | frozenset):
            values = (values,)
        clean: list[str] = []
        for value in values:
            if not isinstance(value, str) or not value or len(value) > MAX_FILTER_VALUE_CHARS:
                raise InvalidInput(
                    f"filter {facet}: value {value!r} is not a non-empty text of at most "
                    f"{MAX_FILTER_VALUE_CHARS} characters",
                    hint="pass the facet value exactly as the facet counts show it",
                    field=facet.value,
                )
            clean.append(value)
        if clean:
            checked[facet] = tuple(dict.fromkeys(clean))
    return checked


Snippet = tuple[tuple[str, bool], ...]
"""A text fragment as (text, highlighted) parts; render with `snippet_html` or escape each part."""


def snippet_html(snippet: Snippet, tag: str = "mark") -> str:
    """The snippet as HTML: every part escaped, highlighted parts wrapped in <mark>."""
    return "".join(f"<{tag}>{html.escape(text)}</{tag}>" if hit else html.escape(text) for text, hit in snippet)


def lead_snippet(text: str) -> Snippet:
    """The start of a text, cut at a word boundary: the snippet of a hit without a highlighted match."""
    text = " ".join(text[: SNIPPET_CHARS * 2].split())
    if not text:
        return ()
    if len(text) > SNIPPET_CHARS:
        cut = text.rfind(" ", 0, SNIPPET_CHARS)
        text = text[: cut if cut > 0 else SNIPPET_CHARS] + " …"
    return ((text, False),)


def snippet_text(snippet: Snippet) -> str:
    return "".join(text for text, _ in snippet)


@dataclass(frozen=True)
class Hit:
    """One found record: its stored fields (without full text), score (None when sorted by date), snippet."""

    document: IndexDocument
    score: float | None
    snippet: Snippet = ()

    @property
    def record_id(self) -> str:
        return self.document.record_id

    @property
    def snippet_html(self) -> str:
        return snippet_html(self.snippet)


@dataclass(frozen=True)
class SearchResult:
    """The total number of matches, one page of hits, and per facet the (value, count) pairs,
    most frequent first. Every number counts only what the query's audience may see."""

    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[Facet, tuple[tuple[str, int], ...]] = field(default_factory=dict, hash=False)
    page: int = 1
    page_size: int = 20

    @classmethod
    def empty(cls, query: Query) -> SearchResult:
        return cls(total=0, hits=(), facets={f: () for f in Facet}, page=query.page, page_size=query.page_size)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def record_ids(self) -> tuple[str, ...]:
        return tuple(hit.record_id for hit in self.hits)


def sorted_facet_counts(counts: Mapping[str, int], limit: int) -> tuple[tuple[str, int], ...]:
    """Facet counts as pairs: highest count first, then by value; at most `limit`."""
    pairs = sorted(((v, c) for v, c in counts.items() if v and c > 0), key=lambda vc: (-vc[1], vc[0]))
    return tuple(pairs[:limit])
