"""The pure-Python search engine: whoosh (the maintained `whoosh-reloaded` fork, module `whoosh`).

Same fields and behaviour as the tantivy engine: Dutch analysis from `edepot.search.dutch`
(Snowball Dutch via snowballstemmer, the algorithm tantivy uses), AND of the user's clauses over
title, kenmerken, description and full text, the audience's access filter as a MUST clause of
the query itself (so totals and facet counts never include a restricted record), facets counted
by whoosh's grouping over every match, highlighted snippets from the stored texts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from whoosh import analysis, fields, highlight, index, sorting, writing
from whoosh import query as wq
from whoosh.query.spans import SpanNear

from edepot.errors import StorageError
from edepot.search import dutch, querytext
from edepot.search.model import (
    Audience,
    Facet,
    Hit,
    IndexDocument,
    Openbaarheid,
    Query,
    SearchResult,
    Snippet,
    Sortering,
    lead_snippet,
    sorted_facet_counts,
)
from edepot.search.samenstelling import delen_tekst

FACET_LIMIT = 50
SNIPPET_SOURCE_CHARS = 50_000
TEXT_FIELDS = {"title": 3.0, "kenmerken": 3.0, "description": 2.0, "full_text": 1.0}
DELEN_BOOST = 0.5  # parts of compounds: found, but below a record with the word itself
_NO_DATE_ASC = 99_991_231
_NO_DATE_DESC = 0
_START, _END = "\x02", "\x03"  # highlight markers, removed from the text before highlighting


class _DutchFilter(analysis.Filter):  # type: ignore[misc]
    """Stopwords, long tokens, Snowball Dutch stem and accent folding, as `dutch.analyse` does."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            word = token.text
            if word in dutch.STOPWORDS or len(word) > dutch.MAX_TOKEN_CHARS:
                continue  # positions keep their gaps, as in tantivy
            token.text = dutch.fold(dutch.stem(word))
            yield token


class _FoldFilter(analysis.Filter):  # type: ignore[misc]
    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = dutch.fold(token.text)
            yield token


def _analyzer_nl() -> Any:
    return analysis.RegexTokenizer(dutch.TOKEN.pattern) | analysis.LowercaseFilter() | _DutchFilter()


def _analyzer_kenmerk() -> Any:
    return analysis.RegexTokenizer(dutch.TOKEN.pattern) | analysis.LowercaseFilter() | _FoldFilter()


def analyse(text: str) -> list[str]:
    """The terms whoosh indexes for `text` (for checking parity with tantivy)."""
    return [token.text for token in _analyzer_nl()(text)]


def _schema() -> fields.Schema:
    nl = _analyzer_nl()
    schema = fields.Schema(
        record_id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=nl),
        description=fields.TEXT(analyzer=nl, stored=True),
        full_text=fields.TEXT(analyzer=nl, stored=True),
        kenmerken=fields.TEXT(analyzer=_analyzer_kenmerk()),
        delen=fields.TEXT(analyzer=nl),  # parts of compound words (samenstelling)
        openbaarheid=fields.ID,
        published=fields.BOOLEAN,
        date_begin=fields.NUMERIC(int, bits=32),
        date_end=fields.NUMERIC(int, bits=32),
        sort_asc=fields.NUMERIC(int, bits=32, sortable=True),
        sort_desc=fields.NUMERIC(int, bits=32, sortable=True),
        stored=fields.STORED,
    )
    for facet in Facet:
        if facet is Facet.PERIODE:  # several decades per record
            schema.add(facet.value, fields.KEYWORD(commas=True, lowercase=False, scorable=False))
        else:
            schema.add(facet.value, fields.ID(sortable=True))
    return schema


def _day(value: date) -> int:
    return value.year * 10_000 + value.month * 100 + value.day


class _Near(SpanNear):  # type: ignore[misc]
    """SpanNear that can estimate its size (the base class leaves it unimplemented)."""

    def estimate_size(self, ixreader: Any) -> int:
        return min(self.a.estimate_size(ixreader), self.b.estimate_size(ixreader))  # type: ignore[no-any-return]

    def estimate_min_size(self, ixreader: Any) -> int:
        return 0


class _MarkerFormatter(highlight.Formatter):  # type: ignore[misc]
    """Wraps highlighted words in control-character markers, split into parts afterwards."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{_START}{highlight.get_text(text, token, replace)}{_END}"


class WhooshIndex:
    """A whoosh index in directory `path` (created when missing). One writer per index directory."""

    name = "whoosh"

    def __init__(self, path: Path | str, *, writer_limit_mb: int = 256) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if index.exists_in(str(self.path)):
                self._index = index.open_dir(str(self.path))
            else:
                self._index = index.create_in(str(self.path), _schema())
        except (OSError, index.IndexError) as exc:
            raise StorageError(
                f"search index at {self.path} cannot be opened: {exc}",
                hint="check the directory's permissions, or remove it and run `edepot reindex`",
                path=str(self.path),
            ) from exc
        missing = set(_schema().names()) - set(self._index.schema.names())
        if missing:
            raise StorageError(
                f"search index at {self.path} was built with other fields (an older edepot): "
                f"no {', '.join(sorted(missing))}",
                hint=f"remove {self.path} and run `edepot reindex` to rebuild it from the catalog",
                path=str(self.path),
            )
        self._writer_limit_mb = writer_limit_mb
        self._writer: Any = None
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._searcher: Any = None

    # -- writing -------------------------------------------------------------------------------

    def _get_writer(self) -> Any:
        if self._writer is None:
            try:
                self._writer = self._index.writer(limitmb=self._writer_limit_mb)
            except index.LockError as exc:
                raise StorageError(
                    f"search index at {self.path} is locked by another writer",
                    hint="only one process (the indexing worker) may write the index; retry later",
                    path=str(self.path),
                ) from exc
        return self._writer

    def _fields(self, doc: IndexDocument) -> dict[str, Any]:
        values: dict[str, Any] = {
            "record_id": doc.record_id,
            "title": doc.title,
            "description": doc.description or "",
            "full_text": doc.full_text,
            "kenmerken": "\n".join(doc.kenmerken),
            "delen": delen_tekst(doc.title, doc.description or "", doc.full_text),
            "openbaarheid": doc.openbaarheid.value,
            "published": doc.published,
            "sort_asc": _day(doc.sort_date) if doc.sort_date else _NO_DATE_ASC,
            "sort_desc": _day(doc.sort_date) if doc.sort_date else _NO_DATE_DESC,
            "stored": json.dumps(doc.to_stored(), ensure_ascii=False),
        }
        begin, end = doc.date_begin or doc.date_end, doc.date_end or doc.date_begin
        if begin and end:
            values["date_begin"], values["date_end"] = _day(begin), _day(end)
        for facet in Facet:
            found = doc.facet_values(facet)
            if found:
                values[facet.value] = ",".join(found) if facet is Facet.PERIODE else found[0]
        return values

    def add(self, docs: Iterable[IndexDocument]) -> int:
        added = 0
        with self._lock:
            for doc in docs:
                if doc.record_id in self._pending:
                    # whoosh deletes by unique id in committed segments only: commit the earlier one first.
                    self._commit_locked()
                self._get_writer().update_document(**self._fields(doc))
                self._pending.add(doc.record_id)
                added += 1
        return added

    def delete(self, record_ids: Iterable[str]) -> None:
        with self._lock:
            ids = list(record_ids)
            if self._pending.intersection(ids):
                self._commit_locked()
            writer = self._get_writer()
            for record_id in ids:
                writer.delete_by_term("record_id", record_id)

    def clear(self) -> None:
        with self._lock:
            self._get_writer().commit(mergetype=writing.CLEAR)
            self._writer = None
            self._pending.clear()
            self._refresh()

    def commit(self) -> None:
        with self._lock:
            self._commit_locked()

    def _commit_locked(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer = None
            self._pending.clear()
        self._refresh()

    def _refresh(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None

    def close(self) -> None:
        with self._lock:
            self._commit_locked()
            self._index.close()

    def __enter__(self) -> WhooshIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    def _current_searcher(self) -> Any:
        if self._searcher is None:
            self._searcher = self._index.searcher()
        elif not self._searcher.up_to_date():  # a commit by another process
            self._searcher.close()  # (refresh() fails on an emptied index, so open anew)
            self._searcher = self._index.searcher()
        return self._searcher

    def generation(self) -> Hashable:
        """The latest committed generation of the index directory (of any process)."""
        latest: int = self._index.latest_generation()
        return latest

    def count(self) -> int:
        with self._lock:
            doc_count: int = self._current_searcher().doc_count()
        return doc_count

    def _build(self, query: Query, user: querytext.UserQuery) -> tuple[Any, Any]:
        must: list[Any] = []
        text_query = None
        if user.clauses:
            text_query = wq.And([self._clause_query(clause) for clause in user.clauses])
            must.append(text_query)
        if query.audience is not Audience.INTERNAL:
            must.append(wq.Term("published", True))
            must.append(wq.Term("openbaarheid", Openbaarheid.OPENBAAR.value))
        for facet, values in query.filters.items():
            must.append(wq.Or([wq.Term(facet.value, value) for value in values]))
        if query.date_to is not None:
            must.append(wq.NumericRange("date_begin", None, _day(query.date_to)))
        if query.date_from is not None:
            must.append(wq.NumericRange("date_end", _day(query.date_from), None))
        if not must:
            return wq.Every(), None
        if not user.clauses:
            must.insert(0, wq.Every())
        return wq.And(must), text_query

    def _clause_query(self, clause: querytext.Clause) -> Any:
        """A word or phrase in any text field. A phrase keeps the position gaps its stopwords leave,
        so it matches exactly what tantivy's phrase query matches."""
        per_field: list[Any] = []
        fields_boosts = TEXT_FIELDS if clause.is_phrase else {**TEXT_FIELDS, "delen": DELEN_BOOST}
        for name, boost in fields_boosts.items():
            analyzer = self._index.schema[name].analyzer
            tokens = [(t.pos, t.text) for t in analyzer(" ".join(clause.words), positions=True, mode="query")]
            if not tokens:
                continue
            if len(tokens) == 1:
                per_field.append(wq.Term(name, tokens[0][1], boost=boost))
                continue
            phrase: Any = wq.Term(name, tokens[0][1])
            previous = tokens[0][0]
            for position, text in tokens[1:]:
                gap = position - previous
                phrase = _Near(phrase, wq.Term(name, text), slop=gap, ordered=True, mindist=gap)
                previous = position
            per_field.append(wq.Or([phrase], boost=boost))
        return wq.Or(per_field) if per_field else wq.NullQuery

    def search(self, query: Query) -> SearchResult:
        user = querytext.parse(query.text)
        if user.matches_nothing:
            return SearchResult.empty(query)
        engine_query, text_query = self._build(query, user)
        groups = {
            facet.value: sorting.FieldFacet(facet.value, allow_overlap=facet is Facet.PERIODE, maptype=sorting.Count)
            for facet in Facet
        }
        options: dict[str, Any] = {"limit": query.offset + query.page_size, "groupedby": groups, "terms": True}
        if query.sort is Sortering.DATE_ASC:
            options["sortedby"] = sorting.FieldFacet("sort_asc")
        elif query.sort is Sortering.DATE_DESC or text_query is None:  # browsing: newest first
            options["sortedby"] = sorting.FieldFacet("sort_desc", reverse=True)
        with self._lock:
            searcher = self._current_searcher()
            results = searcher.search(engine_query, **options)
            results.fragmenter = highlight.ContextFragmenter(maxchars=200, surround=60)
            results.formatter = _MarkerFormatter()
            scored = "sortedby" not in options
            hits = []
            for hit in results[query.offset : query.offset + query.page_size]:
                document = IndexDocument.from_stored(json.loads(hit["stored"]))
                snippet = self._snippet(hit, text_query is not None)
                hits.append(Hit(document, float(hit.score) if scored and hit.score is not None else None, snippet))
            facets = {
                facet: sorted_facet_counts(
                    {str(k): int(v) for k, v in results.groups(facet.value).items() if k}, FACET_LIMIT
                )
                for facet in Facet
            }
            total = len(results)
        return SearchResult(total=total, hits=tuple(hits), facets=facets, page=query.page, page_size=query.page_size)

    def _snippet(self, hit: Any, has_text: bool) -> Snippet:
        texts = {
            name: (hit.get(name) or "")[:SNIPPET_SOURCE_CHARS].replace(_START, " ").replace(_END, " ")
            for name in ("full_text", "description")
        }
        if has_text:
            for name in ("full_text", "description"):
                if texts[name]:
                    marked = hit.highlights(name, text=texts[name], top=1)
                    if _START in marked:
                        return _parts(marked)
        return lead_snippet(texts["description"] or texts["full_text"])


def _parts(marked: str) -> Snippet:
    parts: list[tuple[str, bool]] = []
    for piece in marked.split(_START):
        highlighted, sep, rest = piece.partition(_END)
        if sep:
            parts.append((highlighted, True))
            if rest:
                parts.append((rest, False))
        elif piece:
            parts.append((piece, False))
    return tuple(parts)
