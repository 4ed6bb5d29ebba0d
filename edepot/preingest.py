"""Preingest checks on delivered files, independent of the source: what a file is and whether the
e-depot can take it, and the supplier's checksum manifest.

Nothing here follows a symbolic link (entries are inspected with `lstat`) and nothing stops at the
first problem: every check returns findings and the caller collects them. Rule ids are stable:
`preingest.file.*`, `preingest.format.*`, `preingest.pdf.*`, `preingest.name.*`, `preingest.path.*`,
`preingest.symlink`, `preingest.manifest.*`.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from edepot import formats
from edepot.errors import Finding, Severity
from edepot.ports import FormatIdentification, FormatIdentifier

FOUT = Severity.FOUT
WAARSCHUWING = Severity.WAARSCHUWING

HIDDEN_JUNK = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", "icon\r"})
NOT_IDENTIFIED = FormatIdentification(puid=None, format_name="", format_version="", mime="")

MANIFEST_NAMES = {
    "checksums.sha256": "sha256",
    "checksums.md5": "md5",
    "manifest-sha256.txt": "sha256",
    "manifest-md5.txt": "md5",
}
HEX_LENGTH = {"sha256": 64, "md5": 32}
_MANIFEST_LINE = re.compile(r"^(?P<hex>[0-9A-Fa-f]+)(?: \*| {1,2}|\t)(?P<path>.+)$")


def finding(
    rule: str,
    message: str,
    action: str,
    *,
    severity: Severity = FOUT,
    object: str | None = None,
    file: str | None = None,
) -> Finding:
    return Finding(rule=rule, message=message, action=action, severity=severity, object=object, file=file)


# --- what an entry is ----------------------------------------------------------------------


def entry_kind(path: Path) -> str:
    """ "file", "dir", "symlink", "other" (FIFO, socket, device) or "missing"; never follows links."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "missing"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


def is_hidden_junk(name: str) -> bool:
    """System files that are never archived: Thumbs.db, .DS_Store, desktop.ini, `._x`, dot files."""
    return name.lower() in HIDDEN_JUNK or name.startswith(".")


def symlink_finding(path: Path, root: Path, relative: str) -> Finding:
    """A symbolic link is always refused; the message says whether it points outside the root."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    resolved = os.path.normpath(os.path.join(os.path.dirname(path), target))
    inside = os.path.commonpath([os.path.abspath(root), resolved]) == os.path.abspath(root)
    where = "inside the delivery" if inside else "OUTSIDE the delivery (path traversal)"
    return finding(
        "preingest.symlink",
        f"{relative} is a symbolic link to {target!r}, {where}",
        "replace the link by the file itself; links are never followed",
        file=relative,
    )


def other_finding(relative: str) -> Finding:
    return finding(
        "preingest.file.unreadable",
        f"{relative} is not a regular file (FIFO, socket or device)",
        "deliver only regular files and folders",
        file=relative,
    )


# --- file checks ---------------------------------------------------------------------------


def unreadable_reason(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        return error.strerror or str(error)
    return None


def _format_findings(
    name: str, relative: str, found: FormatIdentification, *, reject_unlisted_formats: bool
) -> list[Finding]:
    if not formats.is_identified(found):
        siegfried = found.warning.split(";", 1)[0]  # drop the long list of PUIDs the extension allows
        hint = f" (siegfried: {siegfried})" if siegfried else ""
        return [
            finding(
                "preingest.format.unknown",
                f"{relative}: the file format is not recognised{hint}",
                "check the file; deliver TIFF, JPEG 2000 or PDF/A scans",
                file=relative,
            )
        ]
    described = f"{found.format_name} {found.format_version}".strip() + f" ({found.puid}, {found.mime})"
    findings: list[Finding] = []
    if not formats.extension_matches(name, found):
        findings.append(
            finding(
                "preingest.format.extension_mismatch",
                f"{relative}: the extension does not match the content, which is {described}",
                "give the file the extension of its real format",
                file=relative,
            )
        )
    category = formats.classify(found.puid)
    if category == formats.ACCEPTABEL:
        findings.append(
            finding(
                "preingest.format.acceptabel",
                f"{relative}: {described} is an acceptable, not a preferred format",
                "prefer TIFF or PDF/A for new deliveries",
                severity=WAARSCHUWING,
                file=relative,
            )
        )
    elif category == formats.NIET_OP_DE_LIJST:
        findings.append(
            finding(
                "preingest.format.unlisted",
                f"{relative}: {described} is not on the list of preferred formats",
                "convert the file to a preferred format (TIFF, PDF/A)",
                severity=FOUT if reject_unlisted_formats else WAARSCHUWING,
                file=relative,
            )
        )
    return findings


def _pdf_findings(path: Path, relative: str) -> list[Finding]:
    reason = formats.pdf_protection(path)
    if reason is None:
        return []
    if reason.startswith(formats.PDF_DAMAGED):
        return [finding("preingest.pdf.damaged", f"{relative}: {reason}", "deliver the PDF again", file=relative)]
    return [
        finding(
            "preingest.pdf.protected",
            f"{relative}: {reason}",
            "deliver the PDF without password, encryption or restrictions",
            file=relative,
        )
    ]


def check_file(
    path: Path, relative: str, identifier: FormatIdentifier, *, reject_unlisted_formats: bool = False
) -> tuple[int, FormatIdentification, list[Finding]]:
    """Size, readability, format identification and policy, PDF protection of one regular file."""
    size = path.lstat().st_size
    reason = unreadable_reason(path)
    if reason is not None:
        return (
            size,
            NOT_IDENTIFIED,
            [
                finding(
                    "preingest.file.unreadable",
                    f"{relative} cannot be read: {reason}",
                    "deliver the file again",
                    file=relative,
                )
            ],
        )
    if size == 0:
        return (
            size,
            NOT_IDENTIFIED,
            [
                finding(
                    "preingest.file.empty",
                    f"{relative} is empty (0 bytes)",
                    "deliver the scan again",
                    file=relative,
                )
            ],
        )
    try:
        found = identifier.identify(path)
    except Exception as error:
        return (
            size,
            NOT_IDENTIFIED,
            [
                finding(
                    "preingest.format.identification_failed",
                    f"{relative}: format identification failed ({error})",
                    "check the file",
                    file=relative,
                )
            ],
        )
    findings = _format_findings(path.name, relative, found, reject_unlisted_formats=reject_unlisted_formats)
    if formats.is_pdf(found):
        findings.extend(_pdf_findings(path, relative))
    return size, found, findings


def identify_quietly(path: Path, identifier: FormatIdentifier) -> FormatIdentification:
    """Identification of a supplier metadata file, where the format policy does not apply."""
    try:
        return identifier.identify(path) if path.lstat().st_size else NOT_IDENTIFIED
    except Exception:
        return NOT_IDENTIFIED


# --- checksum manifest ---------------------------------------------------------------------


def manifest_algorithm(name: str) -> str | None:
    """ "sha256" or "md5" for a recognised supplier manifest file name, else None."""
    lower = name.lower()
    if lower in MANIFEST_NAMES:
        return MANIFEST_NAMES[lower]
    for algorithm in HEX_LENGTH:
        if lower.endswith("." + algorithm):
            return algorithm
    return None


def safe_relative(text: str) -> str | None:
    """The manifest path as a normalised POSIX relative path, or None when it is absolute or climbs
    out of the root (`..`); backslashes are read as separators, a leading `./` is dropped."""
    posix = text.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        return None
    parts = [p for p in PurePosixPath(posix).parts if p not in {"", "."}]
    if not parts or ".." in parts:
        return None
    return unicodedata.normalize("NFC", "/".join(parts))


@dataclass(frozen=True)
class Manifest:
    name: str
    algorithm: str
    entries: dict[str, str]  # relative POSIX path (NFC) -> lower-case hex
    findings: tuple[Finding, ...]


def _manifest_line(number: int, line: str, name: str, algorithm: str) -> tuple[str, str] | Finding:
    match = _MANIFEST_LINE.match(line)
    if match is None or len(match.group("hex")) != HEX_LENGTH[algorithm]:
        return finding(
            "preingest.manifest.malformed",
            f"{name} line {number}: not '<{algorithm} hex>  <path>': {line[:80]!r}",
            f"write each line as the {algorithm}sum tool does",
            file=name,
        )
    relative = safe_relative(match.group("path"))
    if relative is None:
        return finding(
            "preingest.manifest.unsafe_path",
            f"{name} line {number}: path {match.group('path')!r} points outside the delivery",
            "list only paths relative to the block folder",
            file=name,
        )
    return relative, match.group("hex").lower()


def parse_manifest(text: str, name: str, algorithm: str) -> Manifest:
    """Parse sha256sum/md5sum output (`<hex>  <path>` or `<hex> *<path>`); blank and `#` lines skipped."""
    entries: dict[str, str] = {}
    findings: list[Finding] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parsed = _manifest_line(number, line, name, algorithm)
        if isinstance(parsed, Finding):
            findings.append(parsed)
            continue
        relative, digest = parsed
        if entries.get(relative, digest) != digest:
            findings.append(
                finding(
                    "preingest.manifest.conflict",
                    f"{name} line {number}: {relative} is listed twice with different checksums",
                    "list each file once",
                    file=name,
                )
            )
        entries[relative] = digest
    return Manifest(name, algorithm, entries, tuple(findings))


def read_manifest(path: Path) -> Manifest:
    algorithm = manifest_algorithm(path.name) or "sha256"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return Manifest(
            path.name,
            algorithm,
            {},
            (
                finding(
                    "preingest.manifest.malformed",
                    f"{path.name} is not UTF-8 text",
                    "write the manifest as UTF-8 text",
                    file=path.name,
                ),
            ),
        )
    return parse_manifest(text, path.name, algorithm)


def cross_check(manifests: list[Manifest], delivered: set[str], ignored: set[str]) -> list[Finding]:
    """Listed-but-missing and delivered-but-unlisted files, as errors (manifests present only)."""
    if not manifests:
        return []
    findings: list[Finding] = []
    listed: set[str] = set()
    for manifest in manifests:
        listed |= set(manifest.entries)
        for relative in sorted(set(manifest.entries) - delivered - ignored):
            findings.append(
                finding(
                    "preingest.manifest.missing_file",
                    f"{relative} is listed in {manifest.name} but was not delivered (or is not a scan)",
                    "deliver the file or correct the manifest",
                    file=relative,
                )
            )
    for relative in sorted(delivered - listed):
        findings.append(
            finding(
                "preingest.manifest.unlisted_file",
                f"{relative} was delivered but is not listed in " + ", ".join(m.name for m in manifests),
                "add its checksum to the manifest",
                file=relative,
            )
        )
    return findings
