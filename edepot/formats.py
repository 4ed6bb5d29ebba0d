"""File format identification and the format policy: PRONOM via siegfried, MIME via libmagic.

`SiegfriedIdentifier` implements `ports.FormatIdentifier` with pygfried (siegfried compiled in,
no external program) and python-magic; a large `prefetch` runs both in child interpreters, which
answer with a compact `Batch` (only what `identify` reports). The policy side reads the NHA list
of preferred formats (`edepot/data/nha/voorkeursformaten.json`): `classify(puid)` says Voorkeur,
Acceptabel or "niet op de lijst"; `extension_matches` checks a file name against its identification;
`pdf_protection` tells why a PDF cannot be archived as is (password, restrictions, damage).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import magic
import pikepdf
import pygfried

from edepot.ports import FormatIdentification

VOORKEUR = "Voorkeur"
ACCEPTABEL = "Acceptabel"
NIET_OP_DE_LIJST = "niet op de lijst"

VOORKEURSFORMATEN_PATH = Path(__file__).parent / "data" / "nha" / "voorkeursformaten.json"

# Extensions in the list's "extension" column that are written differently in practice.
EXTENSION_ALIASES: dict[str, frozenset[str]] = {
    "tiff": frozenset({"tif"}),
    "jpeg": frozenset({"jpg", "jpe", "jfif"}),
    "jpg": frozenset({"jpeg", "jpe", "jfif"}),
    "wave": frozenset({"wav"}),
    "wav": frozenset({"wave"}),
    "jpx": frozenset({"jpf"}),
    "mkv": frozenset({"mka", "mks"}),
}

EXTENSION_MISMATCH = "extension mismatch"
PDF_DAMAGED = "the PDF is damaged"
MAX_CHILDREN = 8  # child processes one large prefetch is split over, at most (default: one per CPU)


@cache
def _voorkeurslijst() -> tuple[dict[str, Any], ...]:
    data = json.loads(VOORKEURSFORMATEN_PATH.read_text(encoding="utf-8"))
    return tuple(data)


@cache
def voorkeursformaten() -> dict[str, str]:
    """PUID -> "Voorkeur" | "Acceptabel"; a PUID listed under both counts as Voorkeur."""
    result: dict[str, str] = {}
    for entry in _voorkeurslijst():
        puid = str(entry["puid"]).strip()
        category = str(entry["categoryFormat"]).strip()
        if result.get(puid) != VOORKEUR:
            result[puid] = category
    return result


@cache
def extensions_by_puid() -> dict[str, frozenset[str]]:
    """PUID -> accepted lower-case extensions (no dot), from the list's extension column plus aliases."""
    result: dict[str, set[str]] = {}
    for entry in _voorkeurslijst():
        extension = str(entry["extension"]).strip().lower()
        accepted = result.setdefault(str(entry["puid"]).strip(), set())
        accepted.add(extension)
        accepted.update(EXTENSION_ALIASES.get(extension, frozenset()))
    return {puid: frozenset(extensions) for puid, extensions in result.items()}


def classify(puid: str | None) -> str:
    """ "Voorkeur", "Acceptabel" or "niet op de lijst" (also for an unidentified file)."""
    if puid is None:
        return NIET_OP_DE_LIJST
    return voorkeursformaten().get(puid, NIET_OP_DE_LIJST)


def extension_matches(name: str, identification: FormatIdentification) -> bool:
    """False when siegfried reports an extension mismatch or the extension is not one the list
    gives for this PUID; True for PUIDs the list does not know (siegfried's verdict stands)."""
    if EXTENSION_MISMATCH in identification.warning:
        return False
    if identification.puid is None:
        return True
    accepted = extensions_by_puid().get(identification.puid)
    if accepted is None:
        return True
    extension = name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""
    return extension in accepted


def is_identified(identification: FormatIdentification) -> bool:
    """A PUID from a real signature match, not a guess from the extension alone."""
    if identification.puid is None:
        return False
    return "match on extension only" not in identification.warning


def is_pdf(identification: FormatIdentification) -> bool:
    return identification.mime == "application/pdf" or "PDF" in identification.format_name


def pdf_protection(path: Path) -> str | None:
    """Why the PDF at `path` is protected or unusable, or None when it is an open PDF.

    A PDF that qpdf could only open by reconstructing its cross-reference table counts as damaged.
    """
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                return "the PDF is encrypted with an owner password (usage restrictions)"
            repairs = [w for w in pdf.get_warnings() if "damaged" in w or "reconstruct" in w]
            if repairs:
                return f"{PDF_DAMAGED}: {repairs[0].split(': ', 1)[-1]}"
    except pikepdf.PasswordError:
        return "the PDF needs a password to open; send it without a password"
    except pikepdf.PdfError as error:
        return f"{PDF_DAMAGED} and cannot be read ({error})"
    return None


class PronomMatch(NamedTuple):
    """Siegfried's first PRONOM match for one file, reduced to the fields `identify` reports.

    `id` is "" or "UNKNOWN" when siegfried found nothing; the other fields are "" when absent."""

    id: str
    format: str
    version: str
    mime: str
    basis: str
    warning: str


NO_MATCH = PronomMatch("", "", "", "", "", "")

# What a batch learned about one file: siegfried's match (None: siegfried reported errors and no
# match, ask it again for this file alone) and libmagic's MIME type (None: libmagic failed in the
# batch, ask it again so its error reaches the caller).
Prefetched = tuple[PronomMatch | None, str | None]


def first_pronom_match(entry: Mapping[str, Any]) -> PronomMatch:
    """The first PRONOM match of siegfried's entry for one file (an item of its "files"), or NO_MATCH."""
    for match in entry.get("matches") or []:
        if match.get("ns") == "pronom":
            return PronomMatch(*(str(match.get(field) or "") for field in PronomMatch._fields))
    return NO_MATCH


def batch_match(entry: Mapping[str, Any]) -> PronomMatch | None:
    """What a batch keeps of siegfried's entry for one file: None when siegfried reported errors
    and no match at all (then `identify` asks siegfried again for this file alone)."""
    if entry.get("errors") and not entry.get("matches"):
        return None
    return first_pronom_match(entry)


def identification(match: PronomMatch, magic_mime: str) -> FormatIdentification:
    """The identification of one file from siegfried's match and libmagic's MIME type (libmagic's
    MIME wins; siegfried's is the fallback when libmagic gives none). Every path of `identify`
    ends here: prefetched in a child, prefetched in this process, or not prefetched at all."""
    return FormatIdentification(
        puid=None if match.id in ("", "UNKNOWN") else match.id,
        format_name=match.format,
        format_version=match.version,
        mime=magic_mime or match.mime,
        basis=match.basis,
        warning=match.warning,
    )


def _magic_mime(name: str) -> str:
    return str(magic.from_file(name, mime=True) or "")


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Batch:
    """The compact answer for a batch of files: each distinct (match, MIME) pair once in `kinds`,
    and per file, in the order the names were given, the index of its kind (-1: siegfried did not
    report the file). Twenty thousand scans of one format are one kind and 20,000 small integers."""

    kinds: tuple[Prefetched, ...]
    files: tuple[int, ...]

    def by_name(self, names: Sequence[str]) -> dict[str, Prefetched]:
        if len(names) != len(self.files):
            raise ValueError(f"a batch of {len(self.files)} answers for {len(names)} files")
        return {name: self.kinds[index] for name, index in zip(names, self.files, strict=True) if index >= 0}

    def to_json(self) -> str:
        return json.dumps({"kinds": self.kinds, "files": self.files}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Batch:
        """Raises ValueError (also for a well-formed JSON of the wrong shape)."""
        data = json.loads(text)
        try:
            kinds = tuple(
                (None if match is None else PronomMatch(*map(str, match)), None if mime is None else str(mime))
                for match, mime in data["kinds"]
            )
            files = tuple(map(int, data["files"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a batch of format identifications: {error!r}") from error
        if files and not -1 <= min(files) <= max(files) < len(kinds):
            raise ValueError("a file refers to a kind the batch does not have")
        return cls(kinds, files)


def identify_batch(names: Sequence[str], workers: int) -> Batch:
    """Siegfried over all `names` at once (Go-side workers), then libmagic per file: everything
    `identify` needs, reduced to a `Batch`. Runs in the child of a large prefetch, or in process."""
    result: Mapping[str, Any] = pygfried.identify_many(list(names), workers=workers)
    entries = {str(entry.get("filename")): entry for entry in result.get("files") or []}
    kinds: dict[Prefetched, int] = {}
    files: list[int] = []
    for name in names:
        entry = entries.get(name)
        if entry is None:
            files.append(-1)
            continue
        try:
            magic_mime: str | None = _magic_mime(name)
        except Exception:
            magic_mime = None  # e.g. the file is gone; `identify` asks again and reports the error
        files.append(kinds.setdefault((batch_match(entry), magic_mime), len(kinds)))
    return Batch(tuple(kinds), tuple(files))


def _child_command(workers: int) -> list[str]:
    return [sys.executable, "-m", "edepot.formats", str(workers)]


def _identify_in_child(names: list[str], workers: int) -> Batch:
    """`identify_batch` in a child interpreter (`python -m edepot.formats`): NUL-separated paths in,
    the batch's compact JSON out. A plain subprocess, not multiprocessing, so the child never
    imports the caller's main module."""
    done = subprocess.run(
        _child_command(workers),
        input="\0".join(names).encode("utf-8"),
        capture_output=True,
        check=True,
    )
    return Batch.from_json(done.stdout)


class SiegfriedIdentifier:
    """ports.FormatIdentifier backed by pygfried (PRONOM) and python-magic (MIME).

    `prefetch` runs siegfried once over many files with Go-side workers (about twice as fast per
    file as one call each) and libmagic per file; `identify` then answers from those results, once
    per file, and asks siegfried or libmagic itself for what the batch could not answer.

    `pygfried.identify_many` holds the GIL for the whole call (measured: another Python thread
    does not run at all meanwhile), so a background thread cannot overlap it with other work. From
    `in_process_below` files on, `prefetch` therefore runs the batch in a child process (a new
    interpreter, no fork of a threaded process); the caller's threads keep running meanwhile. A
    large batch is split over `children` child processes, by default one per CPU: one child with
    Go-side workers keeps only about 1.3 cores busy (20,000 scans: 13.5 s alone, 9.1 s split over
    two children on 2 cores), and the caller copies small files in one thread, so it loses less to
    the second child than the ingest gains (20,000 small files on 2 cores, four interleaved runs
    each: 920 files/s on average with two children, 820 with one). Each child also runs libmagic and
    sends back only the compact `Batch`, so this process neither decodes siegfried's whole JSON
    report nor calls libmagic per file.
    """

    def __init__(self, workers: int = 2, *, in_process_below: int = 500, children: int | None = None) -> None:
        self.workers = workers
        self.in_process_below = in_process_below
        self.children = max(1, children if children is not None else min(os.cpu_count() or 1, MAX_CHILDREN))
        self._prefetched: dict[str, Prefetched] = {}

    def _run(self, names: list[str]) -> dict[str, Prefetched]:
        if len(names) < self.in_process_below:
            return identify_batch(names, self.workers).by_name(names)
        parts = [names[i :: self.children] for i in range(min(self.children, len(names)))]
        with ThreadPoolExecutor(max_workers=len(parts)) as waiting:
            return {name: found for answered in waiting.map(self._run_child, parts) for name, found in answered.items()}

    def _run_child(self, names: list[str]) -> dict[str, Prefetched]:
        try:
            batch = _identify_in_child(names, self.workers)
        except (OSError, subprocess.CalledProcessError, ValueError):
            batch = identify_batch(names, self.workers)  # the child failed (e.g. out of memory): here then
        return batch.by_name(names)

    def prefetch(self, paths: Iterable[Path]) -> None:
        names = [name for name in map(str, paths) if _utf8(name)]
        if not names:
            return
        try:
            self._prefetched.update(self._run(names))
        except Exception:
            return

    def identify(self, path: Path) -> FormatIdentification:
        name = str(path)
        match, magic_mime = self._prefetched.pop(name, (None, None))
        if match is None:
            result: Mapping[str, Any] = pygfried.identify(name, detailed=True) or {}
            match = first_pronom_match((result.get("files") or [{}])[0])
        if magic_mime is None:
            magic_mime = _magic_mime(name)
        return identification(match, magic_mime)


if __name__ == "__main__":  # the child of SiegfriedIdentifier.prefetch
    _names = [p for p in sys.stdin.buffer.read().decode("utf-8").split("\0") if p]
    sys.stdout.write(identify_batch(_names, int(sys.argv[1])).to_json())
