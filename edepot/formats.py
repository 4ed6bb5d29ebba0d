"""File format identification and the format policy: PRONOM via siegfried, MIME via libmagic.

`SiegfriedIdentifier` implements `ports.FormatIdentifier` with pygfried (siegfried compiled in,
no external process) and python-magic. The policy side reads the NHA list of preferred formats
(`edepot/data/nha/voorkeursformaten.json`): `classify(puid)` says Voorkeur, Acceptabel or
"niet op de lijst"; `extension_matches` checks a file name against its identification;
`pdf_protection` tells why a PDF cannot be archived as is (password, restrictions, damage).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

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


def _first_pronom_match(result: Mapping[str, Any]) -> dict[str, Any]:
    files = result.get("files") or [{}]
    for match in files[0].get("matches") or []:
        if match.get("ns") == "pronom":
            return dict(match)
    return {}


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _identify_many(names: list[str], workers: int) -> Mapping[str, Any]:
    return pygfried.identify_many(names, workers=workers)


def _identify_in_child(names: list[str], workers: int) -> Mapping[str, Any]:
    """Siegfried over `names` in a child interpreter (`python -m edepot.formats`): NUL-separated
    paths in, its JSON result out. A plain subprocess, not multiprocessing, so the child never
    imports the caller's main module."""
    done = subprocess.run(
        [sys.executable, "-m", "edepot.formats", str(workers)],
        input="\0".join(names).encode("utf-8"),
        capture_output=True,
        check=True,
    )
    result: Mapping[str, Any] = json.loads(done.stdout)
    return result


class SiegfriedIdentifier:
    """ports.FormatIdentifier backed by pygfried (PRONOM) and python-magic (MIME).

    `prefetch` runs siegfried once over many files with Go-side workers (about twice as fast per
    file as one call each); `identify` then answers from those results, once per file.

    `pygfried.identify_many` holds the GIL for the whole call (measured: another Python thread
    does not run at all meanwhile), so a background thread cannot overlap it with other work. From
    `in_process_below` files on, `prefetch` therefore runs it in a child process (a new
    interpreter, no fork of a threaded process); the caller's threads keep running on the other core.
    """

    def __init__(self, workers: int = 2, *, in_process_below: int = 500) -> None:
        self.workers = workers
        self.in_process_below = in_process_below
        self._prefetched: dict[str, dict[str, Any]] = {}

    def _run(self, names: list[str]) -> Mapping[str, Any]:
        if len(names) < self.in_process_below:
            return _identify_many(names, self.workers)
        try:
            return _identify_in_child(names, self.workers)
        except (OSError, subprocess.CalledProcessError, ValueError):
            return _identify_many(names, self.workers)  # the child failed (e.g. out of memory): here then

    def prefetch(self, paths: Iterable[Path]) -> None:
        names = [str(p) for p in paths if _utf8(str(p))]
        if not names:
            return
        try:
            result: Mapping[str, Any] = self._run(names)
        except Exception:
            return
        for entry in result.get("files") or []:
            self._prefetched[str(entry.get("filename"))] = {"files": [entry]}

    def identify(self, path: Path) -> FormatIdentification:
        result: Mapping[str, Any] | None = self._prefetched.pop(str(path), None)
        if result is None or (result["files"][0].get("errors") and not result["files"][0].get("matches")):
            result = pygfried.identify(str(path), detailed=True)
        match = _first_pronom_match(result or {})
        puid = str(match.get("id") or "UNKNOWN")
        mime = str(magic.from_file(str(path), mime=True) or match.get("mime") or "")
        return FormatIdentification(
            puid=None if puid == "UNKNOWN" else puid,
            format_name=str(match.get("format") or ""),
            format_version=str(match.get("version") or ""),
            mime=mime,
            basis=str(match.get("basis") or ""),
            warning=str(match.get("warning") or ""),
        )


if __name__ == "__main__":  # the child of SiegfriedIdentifier.prefetch
    _paths = [p for p in sys.stdin.buffer.read().decode("utf-8").split("\0") if p]
    json.dump(_identify_many(_paths, int(sys.argv[1])), sys.stdout)
