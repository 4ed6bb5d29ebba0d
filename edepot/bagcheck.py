"""The bag validator behind `edepot bag validate PATH`: BagIt 1.0 (RFC 8493) as our profile wants it,
plus an MDTO sidecar layer and a fixity-ledger layer.

The same checks run on a bag in a directory (`validate_bag`) and on a bag stored as objects
(`validate_stored_bag`), through a small "bag view" that lists entries and opens files. Every file
is read once (hashed with every algorithm the bag's manifests use, plus SHA-256 for the ledger);
tag files and MDTO sidecars are kept in memory while they are read, payload files are streamed.

Problems are returned as findings with stable rule ids:

    bagit.symlink, bagit.special-file, bagit.unreadable, bagit.too-large, bagit.encoding,
    bagit.declaration.missing, bagit.declaration, bagit.payload.missing, bagit.fetch,
    bagit.manifest.required, bagit.manifest.algorithm, bagit.manifest.syntax,
    bagit.manifest.unsafe-path, bagit.manifest.outside-payload, bagit.manifest.duplicate,
    bagit.manifest.missing-file, bagit.manifest.extra-file, bagit.checksum,
    bagit.tagmanifest.required, bagit.tagmanifest.syntax, bagit.tagmanifest.unsafe-path,
    bagit.tagmanifest.payload-entry, bagit.tagmanifest.duplicate, bagit.tagmanifest.missing-file,
    bagit.tagmanifest.unlisted, bagit.tagmanifest,
    bagit.bag-info.missing, bagit.bag-info.syntax, bagit.bag-info.required, bagit.bag-info.repeated,
    bagit.bag-info.bagging-date, bagit.payload-oxum,
    mdto.sidecar.missing, mdto.sidecar.orphan, mdto.sidecar.kind, mdto.unsafe-xml, mdto.read, mdto.checksum,
    mdto.omvang (plus whatever edepot.mdto.rules reports),
    ledger.mismatch, ledger.missing-file, ledger.unlisted-file.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Literal, Protocol

from edepot import fixity
from edepot.errors import EdepotError, Finding, InvalidInput, NotFound, Severity, UnsafeInput
from edepot.mdto.model import Bestand, Checksum, Informatieobject
from edepot.ports import ObjectStore

PAYLOAD_DIR = "data"
DECLARATION = "bagit.txt"
BAG_INFO = "bag-info.txt"
FETCH = "fetch.txt"
DECLARATION_LINES = ("BagIt-Version: 1.0", "Tag-File-Character-Encoding: UTF-8")
REQUIRED_BAG_INFO = (
    "Source-Organization",
    "External-Identifier",
    "Internal-Sender-Identifier",
    "Bagging-Date",
    "Payload-Oxum",
    "BagIt-Profile-Identifier",
)
SINGLE_BAG_INFO = ("Bagging-Date", "Payload-Oxum", "BagIt-Profile-Identifier")
SIDECAR_SUFFIX = ".mdto.xml"
BESTAND_SIDECAR_SUFFIX = ".bestand.mdto.xml"
MAX_KEPT_BYTES = 256 * 1024 * 1024  # a tag file or sidecar larger than this is not parsed

_MANIFEST = re.compile(r"^(tag)?manifest-([A-Za-z0-9]+)\.txt$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MANIFEST_LINE = re.compile(r"^([0-9A-Fa-f]+)[ \t]+(.+)$")
_PERCENT = re.compile(r"%(0[DdAa]|25)")
_OXUM = re.compile(r"^([0-9]+)\.([0-9]+)$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

EntryKind = Literal["file", "dir", "symlink", "other"]


# --- bag views --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BagEntry:
    path: str  # bag-relative, '/' separators
    kind: EntryKind


class BagView(Protocol):
    """What the checks need from a bag: its entries and a way to read a file."""

    label: str  # where the bag is, for findings

    def entries(self) -> list[BagEntry]: ...

    def open(self, path: str) -> AbstractContextManager[IO[bytes]]: ...


class DirectoryBag:
    """A bag in a directory. Symbolic links are listed, never followed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)

    def entries(self) -> list[BagEntry]:
        found: list[BagEntry] = []
        pending = [""]
        while pending:
            rel = pending.pop()
            with os.scandir(self.root / rel if rel else self.root) as it:
                for entry in it:
                    path = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.is_symlink():
                        found.append(BagEntry(path, "symlink"))
                    elif entry.is_dir(follow_symlinks=False):
                        found.append(BagEntry(path, "dir"))
                        pending.append(path)
                    elif entry.is_file(follow_symlinks=False):
                        found.append(BagEntry(path, "file"))
                    else:
                        found.append(BagEntry(path, "other"))
        return sorted(found, key=lambda e: e.path)

    def open(self, path: str) -> AbstractContextManager[IO[bytes]]:
        fd = os.open(self.root / path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        return os.fdopen(fd, "rb")


class StoredBag:
    """A bag stored as one object per file under `prefix` (e.g. `aips/<uuid>/`)."""

    def __init__(self, store: ObjectStore, prefix: str) -> None:
        self.store = store
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.label = f"{store.name}:{self.prefix}"

    def entries(self) -> list[BagEntry]:
        files = [key[len(self.prefix) :] for key in self.store.keys(self.prefix)]
        dirs = {path.rsplit("/", i)[0] for path in files for i in range(1, path.count("/") + 1)}
        found = [BagEntry(p, "file") for p in files] + [BagEntry(d, "dir") for d in dirs]
        return sorted(found, key=lambda e: e.path)

    def open(self, path: str) -> AbstractContextManager[IO[bytes]]:
        return self.store.open(self.prefix + path)


# --- entry points -----------------------------------------------------------------------------


def validate_bag(
    path: Path, *, ledger: Mapping[str, str] | None = None, mdto: bool = True, workers: int = 4
) -> list[Finding]:
    """Every problem found in the bag directory at `path` (an empty list means valid).

    `ledger` ({bag-relative path: sha256}) adds the fixity-ledger layer; `mdto` the sidecar layer.
    `workers` threads hash files in parallel. NotFound if `path` is not a directory.
    """
    path = Path(path)
    if path.is_symlink():
        return [
            Finding(
                rule="bagit.symlink",
                message=f"the bag {path} is a symbolic link",
                action="validate the real directory; bags contain no symbolic links",
                object=str(path),
            )
        ]
    if not path.is_dir():
        raise NotFound(
            f"no bag directory at {path}", hint="give the path of the bag's base directory", path=str(path)
        )
    return _validate(DirectoryBag(path), ledger=ledger, mdto=mdto, workers=workers)


def validate_stored_bag(
    store: ObjectStore,
    aip_prefix: str,
    ledger: Mapping[str, str] | None = None,
    *,
    mdto: bool = True,
    workers: int = 1,
) -> list[Finding]:
    """The same checks on a bag stored under `aip_prefix` (e.g. `aips/<uuid>/`), streamed from the store."""
    return _validate(StoredBag(store, aip_prefix), ledger=ledger, mdto=mdto, workers=workers)


# --- the checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Measured:
    digests: dict[str, str]
    size: int
    content: bytes | None  # kept for tag files and sidecars


class _Report:
    def __init__(self, label: str) -> None:
        self.label = label
        self.findings: list[Finding] = []

    def add(
        self,
        rule: str,
        message: str,
        action: str,
        file: str | None = None,
        severity: Severity = Severity.FOUT,
    ) -> None:
        self.findings.append(
            Finding(
                rule=rule, message=message, action=action, severity=severity, object=self.label, file=file
            )
        )


def _validate(view: BagView, *, ledger: Mapping[str, str] | None, mdto: bool, workers: int) -> list[Finding]:
    report = _Report(view.label)
    entries = view.entries()
    for entry in entries:
        if entry.kind == "symlink":
            report.add(
                "bagit.symlink",
                f"{entry.path} is a symbolic link",
                "replace the link by the file itself or remove it; bags contain no links",
                entry.path,
            )
        elif entry.kind == "other":
            report.add(
                "bagit.special-file",
                f"{entry.path} is not a regular file or directory",
                "remove it from the bag",
                entry.path,
            )
    files = {e.path for e in entries if e.kind == "file"}
    dirs = {e.path for e in entries if e.kind == "dir"}
    if not files and not dirs:
        report.add("bagit.declaration.missing", "the bag is empty", "check the path or the AIP id")
        _check_ledger(report, ledger, files, {})
        return report.findings
    payload = sorted(p for p in files if p.startswith(PAYLOAD_DIR + "/"))

    manifests: dict[str, str] = {}  # algorithm -> file name
    tagmanifests: dict[str, str] = {}
    for name in sorted(files):
        match = _MANIFEST.match(name)
        if not match:
            continue
        kind = "bagit.tagmanifest" if match.group(1) else "bagit.manifest"
        try:
            algorithm = fixity.normalise_algorithm(match.group(2))
        except InvalidInput:
            report.add(
                f"{kind}.algorithm",
                f"{name} uses checksum algorithm {match.group(2)!r}, which this validator cannot check",
                "our profile uses sha256; remove the manifest or use a supported algorithm",
                name,
                Severity.WAARSCHUWING,
            )
            continue
        (tagmanifests if match.group(1) else manifests)[algorithm] = name

    algorithms = {"sha256", *manifests, *tagmanifests}
    keep = {p for p in files if not p.startswith(PAYLOAD_DIR + "/") or _is_sidecar(p)}
    measured = _measure_all(view, report, sorted(files), algorithms, keep, workers)

    def text(name: str) -> str | None:
        m = measured.get(name)
        if m is None or m.content is None:
            return None
        try:
            return m.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            report.add(
                "bagit.encoding",
                f"{name} is not valid UTF-8 (byte {exc.start})",
                "write tag files in UTF-8 as bagit.txt declares",
                name,
            )
            return None

    _check_declaration(report, files, text)
    if PAYLOAD_DIR not in dirs:
        report.add(
            "bagit.payload.missing",
            "the bag has no data/ directory",
            "put the payload files under data/",
            None,
        )
    if FETCH in files:
        report.add(
            "bagit.fetch",
            "the bag has a fetch.txt; our profile forbids fetching payload from elsewhere",
            "put every payload file in the bag and remove fetch.txt",
            FETCH,
        )

    sha256_manifest: dict[str, str] = {}
    if "sha256" not in manifests:
        report.add(
            "bagit.manifest.required",
            "the bag has no manifest-sha256.txt",
            "write manifest-sha256.txt listing every payload file",
            "manifest-sha256.txt",
        )
    for algorithm, name in sorted(manifests.items()):
        listed = _parse_manifest(report, name, text(name), algorithm, tag=False)
        if listed is None:
            continue
        if algorithm == "sha256":
            sha256_manifest = listed
        for path, checksum in listed.items():
            if path not in files:
                report.add(
                    "bagit.manifest.missing-file",
                    f"{path} is listed in {name} but is not in the bag",
                    "restore the file from its source or a replica",
                    path,
                )
            elif path in measured and measured[path].digests[algorithm] != checksum:
                report.add(
                    "bagit.checksum",
                    f"{path} does not match its {algorithm} checksum in {name} "
                    f"(listed {checksum}, found {measured[path].digests[algorithm]})",
                    "the file is damaged or was changed: restore it from a good copy",
                    path,
                )
        for path in payload:
            if path not in listed:
                report.add(
                    "bagit.manifest.extra-file",
                    f"{path} is in the payload but not listed in {name}",
                    "remove the file or rebuild the manifest from the intended payload",
                    path,
                )

    _check_tagmanifests(report, files, measured, tagmanifests, text)
    _check_bag_info(report, files, payload, measured, text)
    if mdto:
        _check_mdto(report, files, dirs, payload, sha256_manifest, measured)
    _check_ledger(report, ledger, files, measured)
    return report.findings


def _is_sidecar(path: str) -> bool:
    return path.lower().endswith(SIDECAR_SUFFIX)


def _measure_all(
    view: BagView, report: _Report, paths: list[str], algorithms: set[str], keep: set[str], workers: int
) -> dict[str, _Measured]:
    def measure(path: str) -> tuple[str, _Measured | None, str | None]:
        try:
            with view.open(path) as f:
                if path in keep:
                    data = f.read(MAX_KEPT_BYTES + 1)
                    if len(data) <= MAX_KEPT_BYTES:
                        return (
                            path,
                            _Measured({a: fixity.hash_bytes(data, a) for a in algorithms}, len(data), data),
                            None,
                        )
                    digests, rest = fixity.hash_stream(io.BufferedReader(_Chain(data, f)), algorithms)
                    return path, _Measured(digests, rest, None), "too-large"
                digests, size = fixity.hash_stream(f, algorithms)
                return path, _Measured(digests, size, None), None
        except (OSError, EdepotError) as exc:
            return path, None, str(exc)

    if workers > 1 and len(paths) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(measure, paths))
    else:
        results = [measure(p) for p in paths]
    measured: dict[str, _Measured] = {}
    for path, result, problem in results:
        if result is not None:
            measured[path] = result
        if problem == "too-large":
            report.add(
                "bagit.too-large",
                f"{path} is larger than {MAX_KEPT_BYTES} bytes and was not parsed",
                "tag files and MDTO sidecars must be small text files",
                path,
            )
        elif problem is not None:
            report.add(
                "bagit.unreadable", f"{path} could not be read: {problem}", "check the file and retry", path
            )
    return measured


class _Chain(io.RawIOBase):
    """Bytes already read followed by the rest of a stream."""

    def __init__(self, head: bytes, tail: IO[bytes]) -> None:
        self._head = head
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._tail.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _check_declaration(report: _Report, files: set[str], text: Callable[[str], str | None]) -> None:
    if DECLARATION not in files:
        report.add(
            "bagit.declaration.missing",
            "the bag has no bagit.txt",
            "write bagit.txt with 'BagIt-Version: 1.0' and 'Tag-File-Character-Encoding: UTF-8'",
            DECLARATION,
        )
        return
    content = text(DECLARATION)
    if content is None:
        return
    lines = _LINE_BREAK.split(content)
    if lines and lines[-1] == "":
        lines.pop()
    if tuple(lines) != DECLARATION_LINES:
        report.add(
            "bagit.declaration",
            f"bagit.txt must be exactly {' / '.join(DECLARATION_LINES)}, found {' / '.join(lines)!r}",
            "rewrite bagit.txt with exactly those two lines (UTF-8, no byte order mark)",
            DECLARATION,
        )


def _decode_path(raw: str) -> str:
    """Undo RFC 8493 §2.1.3 percent-encoding of CR, LF and '%' (and only those)."""
    return _PERCENT.sub(lambda m: {"0d": "\r", "0a": "\n", "25": "%"}[m.group(1).lower()], raw)


def _path_problem(path: str) -> str | None:
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "it is an absolute path"
    if "\\" in path:
        return "it contains a backslash"
    if "\x00" in path:
        return "it contains a NUL character"
    segments = path.split("/")
    if any(s in ("", ".", "..") for s in segments):
        return "it has an empty, '.' or '..' segment (it could point outside the bag)"
    return None


def _parse_manifest(
    report: _Report, name: str, content: str | None, algorithm: str, *, tag: bool
) -> dict[str, str] | None:
    """{bag-relative path: lower-case hex checksum} of a (tag) manifest, reporting bad lines."""
    if content is None:
        return None
    kind = "bagit.tagmanifest" if tag else "bagit.manifest"
    hex_length = hashlib.new(algorithm).digest_size * 2
    listed: dict[str, str] = {}
    for number, line in enumerate(_LINE_BREAK.split(content), start=1):
        if line == "":
            continue
        match = _MANIFEST_LINE.match(line)
        if not match or len(match.group(1)) != hex_length:
            report.add(
                f"{kind}.syntax",
                f"{name} line {number} is not '<{algorithm} hex checksum> <path>': {line[:120]!r}",
                "rewrite the manifest with one checksum and path per line",
                name,
            )
            continue
        path = _decode_path(match.group(2))
        problem = _path_problem(path)
        if problem:
            report.add(
                f"{kind}.unsafe-path",
                f"{name} line {number} lists {path!r}: {problem}",
                "list bag-relative paths with '/' separators that stay inside the bag",
                name,
            )
            continue
        if not tag and not path.startswith(PAYLOAD_DIR + "/"):
            report.add(
                "bagit.manifest.outside-payload",
                f"{name} line {number} lists {path}, which is not under data/",
                "list only payload files in a payload manifest (tag files go in tagmanifest-*.txt)",
                name,
            )
            continue
        if tag and path.startswith(PAYLOAD_DIR + "/"):
            report.add(
                "bagit.tagmanifest.payload-entry",
                f"{name} line {number} lists payload file {path}",
                "list payload files in manifest-*.txt, not in a tag manifest",
                name,
            )
            continue
        if path in listed:
            report.add(
                f"{kind}.duplicate",
                f"{name} lists {path} more than once",
                "list every file exactly once",
                path,
            )
            continue
        listed[path] = match.group(1).lower()
    return listed


def _check_tagmanifests(
    report: _Report,
    files: set[str],
    measured: Mapping[str, _Measured],
    tagmanifests: Mapping[str, str],
    text: Callable[[str], str | None],
) -> None:
    if "sha256" not in tagmanifests:
        report.add(
            "bagit.tagmanifest.required",
            "the bag has no tagmanifest-sha256.txt",
            "write tagmanifest-sha256.txt listing every tag file (bagit.txt, bag-info.txt, manifests, ...)",
            "tagmanifest-sha256.txt",
        )
    tag_files = sorted(
        p
        for p in files
        if not p.startswith(PAYLOAD_DIR + "/") and not (_MANIFEST.match(p) and p.startswith("tag"))
    )
    for algorithm, name in sorted(tagmanifests.items()):
        listed = _parse_manifest(report, name, text(name), algorithm, tag=True)
        if listed is None:
            continue
        for path, checksum in listed.items():
            if path not in files:
                report.add(
                    "bagit.tagmanifest.missing-file",
                    f"{path} is listed in {name} but is not in the bag",
                    "restore the tag file from a good copy",
                    path,
                )
            elif path in measured and measured[path].digests[algorithm] != checksum:
                report.add(
                    "bagit.tagmanifest",
                    f"tag file {path} does not match its {algorithm} checksum in {name} "
                    f"(listed {checksum}, found {measured[path].digests[algorithm]})",
                    "the tag file or the tag manifest was altered or swapped: restore both from a good copy",
                    path,
                )
        if algorithm == "sha256":
            for path in tag_files:
                if path not in listed:
                    report.add(
                        "bagit.tagmanifest.unlisted",
                        f"tag file {path} is not listed in {name}",
                        "list every tag file in the tag manifest",
                        path,
                    )


def parse_bag_info(content: str) -> tuple[list[tuple[str, str]], list[int]]:
    """The (label, value) pairs of bag-info.txt in order, with continuation lines folded in,
    and the numbers of lines that are neither a `Label: value` line nor a continuation."""
    pairs: list[tuple[str, str]] = []
    bad: list[int] = []
    for number, line in enumerate(_LINE_BREAK.split(content), start=1):
        if line == "":
            continue
        if line[0] in " \t":
            if not pairs:
                bad.append(number)
                continue
            label, value = pairs[-1]
            pairs[-1] = (label, f"{value} {line.strip()}".strip())
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip():
            bad.append(number)
            continue
        pairs.append((label.strip(), value.strip()))
    return pairs, bad


def _check_bag_info(
    report: _Report,
    files: set[str],
    payload: list[str],
    measured: Mapping[str, _Measured],
    text: Callable[[str], str | None],
) -> None:
    if BAG_INFO not in files:
        report.add(
            "bagit.bag-info.missing",
            "the bag has no bag-info.txt",
            f"write bag-info.txt with {', '.join(REQUIRED_BAG_INFO)}",
            BAG_INFO,
        )
        return
    content = text(BAG_INFO)
    if content is None:
        return
    pairs, bad = parse_bag_info(content)
    for number in bad:
        report.add(
            "bagit.bag-info.syntax",
            f"bag-info.txt line {number} is not 'Label: value' nor an indented continuation",
            "fix the line; continuation lines start with a space or tab",
            BAG_INFO,
        )
    values: dict[str, list[str]] = {}
    for label, value in pairs:
        values.setdefault(label.lower(), []).append(value)
    for label in REQUIRED_BAG_INFO:
        if not any(values.get(label.lower(), [])):
            report.add(
                "bagit.bag-info.required",
                f"bag-info.txt has no {label}",
                f"add a non-empty '{label}: ...' line (required by our BagIt profile)",
                BAG_INFO,
            )
    for label in SINGLE_BAG_INFO:
        if len(values.get(label.lower(), [])) > 1:
            report.add(
                "bagit.bag-info.repeated",
                f"bag-info.txt has {label} more than once",
                f"keep one {label} line",
                BAG_INFO,
            )
    for value in values.get("bagging-date", [])[:1]:
        if value and not _valid_date(value):
            report.add(
                "bagit.bag-info.bagging-date",
                f"Bagging-Date {value!r} is not a date YYYY-MM-DD",
                "write the date the bag was made as YYYY-MM-DD",
                BAG_INFO,
            )
    for value in values.get("payload-oxum", [])[:1]:
        if not value:
            continue
        octets = sum(measured[p].size for p in payload if p in measured)
        match = _OXUM.match(value)
        if not match:
            report.add(
                "bagit.payload-oxum",
                f"Payload-Oxum {value!r} is not '<octets>.<file count>'",
                f"write Payload-Oxum: {octets}.{len(payload)}",
                BAG_INFO,
            )
        elif (int(match.group(1)), int(match.group(2))) != (octets, len(payload)):
            report.add(
                "bagit.payload-oxum",
                f"Payload-Oxum {value} does not match the payload ({octets} bytes in {len(payload)} files)",
                "payload files were added, removed or changed: compare the payload with the manifest",
                BAG_INFO,
            )


def _valid_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_mdto(
    report: _Report,
    files: set[str],
    dirs: set[str],
    payload: list[str],
    sha256_manifest: Mapping[str, str],
    measured: Mapping[str, _Measured],
) -> None:
    sidecars = [p for p in payload if _is_sidecar(p)]
    for path in payload:
        if not _is_sidecar(path) and path + BESTAND_SIDECAR_SUFFIX not in files:
            report.add(
                "mdto.sidecar.missing",
                f"{path} has no MDTO sidecar {path.rsplit('/', 1)[-1]}{BESTAND_SIDECAR_SUFFIX} beside it",
                "write a bestand sidecar for every payload file",
                path,
            )
    for folder in sorted(d for d in dirs if d.startswith(PAYLOAD_DIR + "/")):
        sidecar = _folder_sidecar(folder)
        if sidecar not in files:
            report.add(
                "mdto.sidecar.missing",
                f"folder {folder} has no MDTO sidecar {sidecar.rsplit('/', 1)[-1]} inside it",
                "write an informatieobject sidecar <folder>/<folder>.mdto.xml for every folder",
                folder,
            )
    if not sidecars:
        return
    from edepot.mdto.reader import from_xml
    from edepot.mdto.rules import check, validate_xml

    for sidecar in sidecars:
        subject = (
            sidecar[: -len(BESTAND_SIDECAR_SUFFIX)] if sidecar.endswith(BESTAND_SIDECAR_SUFFIX) else None
        )
        if subject is not None and subject in files and not _is_sidecar(subject):
            expected: type[Bestand] | type[Informatieobject] = Bestand
        elif _folder_sidecar(sidecar.rsplit("/", 1)[0]) == sidecar and sidecar.count("/") >= 2:
            expected = Informatieobject
        else:
            report.add(
                "mdto.sidecar.orphan",
                f"sidecar {sidecar} describes neither a file beside it nor the folder it is in",
                "name it <file>.bestand.mdto.xml beside its file, or <folder>/<folder>.mdto.xml; "
                "or remove it",
                sidecar,
            )
            continue
        m = measured.get(sidecar)
        if m is None or m.content is None:
            continue  # already reported as unreadable or too large
        try:
            xml_findings = validate_xml(m.content, source=sidecar)
        except UnsafeInput as exc:
            report.add(
                "mdto.unsafe-xml",
                f"sidecar {sidecar} was refused as unsafe XML: {exc}",
                "write the sidecar without DTD, entities or external references",
                sidecar,
            )
            continue
        report.findings.extend(xml_findings)
        if any(f.severity is Severity.FOUT for f in xml_findings):
            continue
        try:
            obj = from_xml(m.content, source=sidecar)
        except EdepotError as exc:
            report.add(
                "mdto.read", f"sidecar {sidecar} could not be read: {exc}", "fix the sidecar XML", sidecar
            )
            continue
        report.findings.extend(check(obj, source=sidecar))
        if not isinstance(obj, expected):
            report.add(
                "mdto.sidecar.kind",
                f"sidecar {sidecar} holds a {type(obj).__name__.lower()}, "
                f"expected a {expected.__name__.lower()}",
                "a <file>.bestand.mdto.xml describes a bestand; a <folder>.mdto.xml an informatieobject",
                sidecar,
            )
            continue
        if isinstance(obj, Bestand) and subject is not None:
            _check_bestand(report, sidecar, subject, obj.checksum, obj.omvang, sha256_manifest, measured)


def _folder_sidecar(folder: str) -> str:
    return f"{folder}/{folder.rsplit('/', 1)[-1]}{SIDECAR_SUFFIX}"


def _check_bestand(
    report: _Report,
    sidecar: str,
    subject: str,
    checksums: tuple[Checksum, ...],
    omvang: int,
    sha256_manifest: Mapping[str, str],
    measured: Mapping[str, _Measured],
) -> None:
    found: list[str] = []
    for checksum in checksums:
        try:
            if fixity.normalise_algorithm(checksum.algoritme.label) == "sha256":
                found.append(checksum.waarde.strip().lower())
        except InvalidInput:
            continue
    m = measured.get(subject)
    expected = sha256_manifest.get(subject) or (m.digests["sha256"] if m else None)
    if not found:
        report.add(
            "mdto.checksum",
            f"sidecar {sidecar} has no SHA-256 checksum for {subject}",
            "add a checksum with algorithm SHA-256, its value and checksumDatum",
            sidecar,
        )
    elif expected is not None and expected not in found:
        report.add(
            "mdto.checksum",
            f"sidecar {sidecar} gives SHA-256 {found[0]} for {subject}, the manifest {expected}",
            "the file or its sidecar is wrong: recompute the checksum from the file kept",
            sidecar,
        )
    if m is not None and omvang != m.size:
        report.add(
            "mdto.omvang",
            f"sidecar {sidecar} gives omvang {omvang} for {subject}, which has {m.size} bytes",
            "write the file's size in bytes in omvang",
            sidecar,
        )


def _check_ledger(
    report: _Report, ledger: Mapping[str, str] | None, files: set[str], measured: Mapping[str, _Measured]
) -> None:
    if ledger is None:
        return
    for path in sorted(set(ledger) | files):
        if path not in files:
            report.add(
                "ledger.missing-file",
                f"the ledger lists {path} but the bag does not hold it",
                "restore the object from a replica",
                path,
            )
        elif path not in ledger:
            report.add(
                "ledger.unlisted-file",
                f"{path} is in the bag but not in the fixity ledger",
                "find out where the file came from; nothing may be added to a stored AIP",
                path,
            )
        elif path in measured and measured[path].digests["sha256"] != ledger[path].strip().lower():
            report.add(
                "ledger.mismatch",
                f"{path} has sha256 {measured[path].digests['sha256']}, the ledger {ledger[path]}",
                "the object was altered or swapped: restore it from a replica that matches the ledger",
                path,
            )
