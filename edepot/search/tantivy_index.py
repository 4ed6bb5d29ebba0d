"""The default search engine: tantivy (Rust, via the `tantivy` Python bindings).

Dutch analysis runs inside tantivy (simple tokenizer, lowercase, our stopword list, Snowball
Dutch stemmer, ASCII folding). Facet fields are raw, fast text fields counted with a terms
aggregation over the same query as the hits, and the audience's access filter is a MUST clause
of that query, so neither hits, totals nor facet counts can include a restricted record.
Snippets come from tantivy's SnippetGenerator over the stored description and full text.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import tantivy

from edepot.errors import StorageError
from edepot.search import dutch, querytext
from edepot.search.model import (
    SNIPPET_CHARS,
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
SNIPPET_SOURCE_CHARS = 50_000  # snippets are looked for in the start of long texts only
META_FILE = "meta.json"  # rewritten (atomically, as a new file) by every commit and merge

TEXT_FIELDS = {"title": 3.0, "kenmerken": 3.0, "description": 2.0, "full_text": 1.0}
DELEN_BOOST = 0.5  # parts of compounds: found, but below a record with the word itself
WORD_FIELDS = {**TEXT_FIELDS, "delen": DELEN_BOOST}
PARSED_QUERIES = 1_024  # parsed text queries kept per index (a query object is immutable)
_NO_DATE_ASC = 99_991_231
_NO_DATE_DESC = 0


def _analyzer_nl() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.custom_stopword(sorted(dutch.STOPWORDS)))
        .filter(tantivy.Filter.remove_long(dutch.MAX_TOKEN_CHARS + 1))
        .filter(tantivy.Filter.stemmer(dutch.STEMMER_LANGUAGE))
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _analyzer_kenmerk() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def analyse(text: str) -> list[str]:
    """The terms tantivy indexes for `text` (for checking parity with `dutch.analyse`)."""
    terms: list[str] = _analyzer_nl().analyze(text)
    return terms


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("record_id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", tokenizer_name="nl")
    sb.add_text_field("description", stored=True, tokenizer_name="nl")
    sb.add_text_field("full_text", stored=True, tokenizer_name="nl")
    sb.add_text_field("kenmerken", tokenizer_name="kenmerk")
    sb.add_text_field("delen", tokenizer_name="nl")  # parts of compound words (samenstelling)
    for facet in Facet:
        sb.add_text_field(facet.value, tokenizer_name="raw", fast=True)
    sb.add_text_field("openbaarheid", tokenizer_name="raw", fast=True)
    sb.add_boolean_field("published", indexed=True, fast=True)
    for name in ("date_begin", "date_end", "sort_asc", "sort_desc"):
        sb.add_integer_field(name, indexed=True, fast=True)
    sb.add_bytes_field("stored", stored=True)
    return sb.build()


def _day(value: date) -> int:
    return value.year * 10_000 + value.month * 100 + value.day


class TantivyIndex:
    """A tantivy index in directory `path` (created when missing). One writer per index directory."""

    name = "tantivy"

    def __init__(self, path: Path | str, *, writer_heap_bytes: int = 256_000_000, writer_threads: int = 0) -> None:
        self.path = Path(path)
        self._schema = _schema()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
        except (OSError, ValueError) as exc:
            if "schema does not match" in str(exc):
                raise StorageError(
                    f"search index at {self.path} was built with other fields (an older edepot)",
                    hint=f"remove {self.path} and run `edepot reindex` to rebuild it from the catalog",
                    path=str(self.path),
                ) from exc
            raise StorageError(
                f"search index at {self.path} cannot be opened: {exc}",
                hint="check the directory's permissions, or remove it and run `edepot reindex`",
                path=str(self.path),
            ) from exc
        self._index.register_tokenizer("nl", _analyzer_nl())
        self._index.register_tokenizer("kenmerk", _analyzer_kenmerk())
        self._writer_heap = writer_heap_bytes
        self._writer_threads = writer_threads
        self._writer: Any = None
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._generation: Hashable = self._meta_stamp()
        self._text_query: Callable[[str], Any] = lru_cache(maxsize=PARSED_QUERIES)(self._parse_text)

    # -- writing -------------------------------------------------------------------------------

    def _get_writer(self) -> Any:
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=self._writer_heap, num_threads=self._writer_threads)
            except ValueError as exc:
                raise StorageError(
                    f"search index at {self.path} is locked by another writer: {exc}",
                    hint="only one process (the indexing worker) may write the index; retry later",
                    path=str(self.path),
                ) from exc
        return self._writer

    def _document(self, doc: IndexDocument) -> tantivy.Document:
        fields: dict[str, Any] = {
            "record_id": doc.record_id,
            "title": doc.title,
            "description": doc.description or "",
            "full_text": doc.full_text,
            "kenmerken": list(doc.kenmerken),
            "delen": delen_tekst(doc.title, doc.description or "", doc.full_text),
            "openbaarheid": doc.openbaarheid.value,
            "published": doc.published,
            "sort_asc": _day(doc.sort_date) if doc.sort_date else _NO_DATE_ASC,
            "sort_desc": _day(doc.sort_date) if doc.sort_date else _NO_DATE_DESC,
            "stored": json.dumps(doc.to_stored(), ensure_ascii=False).encode(),
        }
        begin, end = doc.date_begin or doc.date_end, doc.date_end or doc.date_begin
        if begin and end:
            fields["date_begin"], fields["date_end"] = _day(begin), _day(end)
        for facet in Facet:
            values = doc.facet_values(facet)
            if values:
                fields[facet.value] = list(values)
        return tantivy.Document(**fields)

    def add(self, docs: Iterable[IndexDocument]) -> int:
        added = 0
        with self._lock:
            writer = self._get_writer()
            for doc in docs:
                writer.delete_documents_by_term("record_id", doc.record_id)
                writer.add_document(self._document(doc))
                added += 1
        return added

    def delete(self, record_ids: Iterable[str]) -> None:
        with self._lock:
            writer = self._get_writer()
            for record_id in record_ids:
                writer.delete_documents_by_term("record_id", record_id)

    def clear(self) -> None:
        with self._lock:
            writer = self._get_writer()
            writer.delete_all_documents()
            self._commit_locked()

    def commit(self) -> None:
        with self._lock:
            self._commit_locked()

    def _commit_locked(self) -> None:
        if self._writer is not None:
            self._writer.commit()
        self.generation()

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
            self._index.reload()

    def __enter__(self) -> TantivyIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    def _meta_stamp(self) -> Hashable:
        try:
            meta = os.stat(self.path / META_FILE)
        except FileNotFoundError:
            return None
        return (meta.st_ino, meta.st_mtime_ns, meta.st_size)

    def generation(self) -> Hashable:
        """The identity of the index's meta.json, which every commit (of any process) replaces;
        the reader is reloaded when it changed, so searches see at least this generation."""
        stamp = self._meta_stamp()
        if stamp != self._generation:
            with self._reload_lock:
                self._index.reload()
                self._generation = stamp
        return stamp

    def _searcher(self) -> Any:
        self.generation()
        return self._index.searcher()

    def count(self) -> int:
        num_docs: int = self._searcher().num_docs
        return num_docs

    def _build(self, query: Query, user: querytext.UserQuery) -> tuple[Any, Any]:
        """The whole engine query (text, filters, access) and the text part alone (for snippets)."""
        T = tantivy
        must: list[Any] = []
        text_query = None
        if user.clauses:
            text_query = self._text_query(user.render())
            must.append(text_query)
        if query.audience is not Audience.INTERNAL:
            must.append(T.Query.term_query(self._schema, "published", True))
            must.append(T.Query.term_query(self._schema, "openbaarheid", Openbaarheid.OPENBAAR.value))
        for facet, values in query.filters.items():
            must.append(T.Query.term_set_query(self._schema, facet.value, list(values)))
        if query.date_to is not None:
            must.append(T.Query.range_query(self._schema, "date_begin", T.FieldType.Integer, None, _day(query.date_to)))
        if query.date_from is not None:
            must.append(T.Query.range_query(self._schema, "date_end", T.FieldType.Integer, _day(query.date_from), None))
        if not must:
            return T.Query.all_query(), None
        if not user.clauses:
            must.insert(0, T.Query.all_query())
        return T.Query.boolean_query([(T.Occur.Must, q) for q in must]), text_query

    def _parse_text(self, rendered: str) -> Any:
        """Every clause must match: a word in any text field or as a part of a compound (`delen`),
        a phrase in any text field but not across the parts of compounds."""
        clauses = querytext.parse(rendered).clauses
        if not any(clause.is_phrase for clause in clauses):  # the common case: one parse
            return self._index.parse_query(
                rendered,
                default_field_names=[*TEXT_FIELDS, "delen"],
                field_boosts=WORD_FIELDS,
                conjunction_by_default=True,
            )
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, self._clause_query(c)) for c in clauses])

    def _clause_query(self, clause: querytext.Clause) -> Any:
        fields = TEXT_FIELDS if clause.is_phrase else WORD_FIELDS
        return self._index.parse_query(clause.render(), default_field_names=list(fields), field_boosts=fields)

    def search(self, query: Query) -> SearchResult:
        user = querytext.parse(query.text)
        if user.matches_nothing:
            return SearchResult.empty(query)
        engine_query, text_query = self._build(query, user)
        searcher = self._searcher()
        options: dict[str, Any] = {"limit": query.page_size, "offset": query.offset, "count": True}
        if query.sort is Sortering.DATE_ASC:
            options.update(order_by_field="sort_asc", order=tantivy.Order.Asc)
        elif query.sort is Sortering.DATE_DESC or text_query is None:  # browsing: newest first
            options.update(order_by_field="sort_desc", order=tantivy.Order.Desc)
        found = searcher.search(engine_query, **options)
        scored = "order_by_field" not in options
        generators = self._snippet_generators(searcher, text_query)
        hits = []
        for key, address in found.hits:
            stored = searcher.doc(address)
            document = IndexDocument.from_stored(json.loads(bytes(stored["stored"][0]).decode()))
            hits.append(Hit(document, float(key) if scored else None, self._snippet(stored, generators)))
        return SearchResult(
            total=int(found.count or 0),
            hits=tuple(hits),
            facets=self._facets(searcher, engine_query),
            page=query.page,
            page_size=query.page_size,
        )

    def _facets(self, searcher: Any, engine_query: Any) -> dict[Facet, tuple[tuple[str, int], ...]]:
        spec = {facet.value: {"terms": {"field": facet.value, "size": FACET_LIMIT}} for facet in Facet}
        result = searcher.aggregate(engine_query, spec)
        facets: dict[Facet, tuple[tuple[str, int], ...]] = {}
        for facet in Facet:
            buckets = result.get(facet.value, {}).get("buckets", [])
            counts = {str(b["key"]): int(b["doc_count"]) for b in buckets}
            facets[facet] = sorted_facet_counts(counts, FACET_LIMIT)
        return facets

    def _snippet_generators(self, searcher: Any, text_query: Any) -> list[tuple[str, Any]]:
        if text_query is None:
            return []
        generators = []
        for field in ("full_text", "description"):
            generator = tantivy.SnippetGenerator.create(searcher, text_query, self._schema, field)
            generator.set_max_num_chars(SNIPPET_CHARS)
            generators.append((field, generator))
        return generators

    def _snippet(self, stored: Any, generators: list[tuple[str, Any]]) -> Snippet:
        texts = {
            field: (stored.get_first(field) or "")[:SNIPPET_SOURCE_CHARS] for field in ("full_text", "description")
        }
        for field, generator in generators:
            if not texts[field]:
                continue
            snippet = generator.snippet_from_doc(tantivy.Document(**{field: texts[field]}))
            ranges = [(r.start, r.end) for r in snippet.highlighted()]
            if ranges:
                return _parts(snippet.fragment(), ranges)
        plain = texts["description"] or texts["full_text"]
        return lead_snippet(plain)


def _parts(fragment: str, byte_ranges: list[tuple[int, int]]) -> Snippet:
    """Split a fragment into (text, highlighted) parts; tantivy reports UTF-8 byte offsets."""
    raw = fragment.encode()
    parts: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(byte_ranges):
        if start < position:
            continue
        if start > position:
            parts.append((raw[position:start].decode(errors="replace"), False))
        parts.append((raw[start:end].decode(errors="replace"), True))
        position = end
    if position < len(raw):
        parts.append((raw[position:].decode(errors="replace"), False))
    return tuple(parts)
