"""Source adapter for digitised analogue archive blocks (one folder per 10-year block of scans).

`read_block` reads a block folder from the scanning supplier and returns a `SubmissionInput` with
one package per dossier and every preingest finding, collected (it never stops at the first).

Layout of a block (e.g. `1987-1996/`):

    inventaris.csv | inventaris.xlsx      the inventory (or given explicitly)
    checksums.sha256, manifest-md5.txt, *.sha256, *.md5   optional supplier checksum manifests
    digitalisering.json | .xml            optional description of the digitisation
    <inventarisnummer>/<scan>             one folder per dossier with its scans
    <inventarisnummer>/<archiefstuk>/<scan>   a subfolder per archiefstuk (needs its own row)

How a row becomes MDTO is in `ingest.analogue_mdto`. Bag path lengths are checked for the longest
paths the packager writes: `data/<dossier>/[<archiefstuk>/]<file>.bestand.mdto.xml` and the folder
sidecars `data/<dossier>/[<archiefstuk>/]<folder>.mdto.xml`.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from edepot import names, preingest
from edepot.errors import Severity
from edepot.mdto.model import Informatieobject
from edepot.ports import FormatIdentifier
from edepot.preingest import finding
from edepot.submission import PackageInput, RecordInput, SourceFile, SubmissionInput
from ingest.analogue_mdto import Report, informatieobject, where_in
from ingest.digitalisering import DESCRIPTION_NAMES, Digitalisering, read_description
from ingest.inventory import (
    INVENTORY_NAMES,
    Inventory,
    InventoryRow,
    comparable,
    find_inventory,
    read_inventory,
)

SOURCE = "analogue"
FOUT = Severity.FOUT
WAARSCHUWING = Severity.WAARSCHUWING
BAG_PREFIX = "data/"
FILE_SIDECAR_SUFFIX = ".bestand.mdto.xml"
FOLDER_SIDECAR_SUFFIX = ".mdto.xml"


# --- the block folder ---------------------------------------------------------------------------


@dataclass
class _Block:
    root: Path
    identifier: FormatIdentifier
    reject_unlisted_formats: bool
    max_path_length: int
    report: Report = field(default_factory=Report)
    expected: dict[str, dict[str, str]] = field(default_factory=dict)  # NFC relative path -> {algo: hex}
    delivered: set[str] = field(default_factory=set)  # NFC relative paths of archived files
    ignored: set[str] = field(default_factory=set)  # NFC relative paths present but not archived
    unchecked: list[SourceFile] = field(default_factory=list)  # checked once identification is done

    @property
    def name(self) -> str:
        return self.root.name


@dataclass
class _RootLayout:
    inventory: Path | None = None
    manifests: list[Path] = field(default_factory=list)
    descriptions: list[Path] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


@dataclass
class _Folder:
    original: str
    relative: str
    files: list[SourceFile] = field(default_factory=list)
    children: dict[str, _Folder] = field(default_factory=dict)  # original subfolder name -> folder
    cleaned: dict[str, str] = field(default_factory=dict)  # original child name -> bag name


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _undecodable(name: str) -> bool:
    return any(0xDC80 <= ord(c) <= 0xDCFF for c in name)


def _classify_root_entry(block: _Block, layout: _RootLayout, name: str, explicit: Path | None) -> None:
    path = block.root / name
    kind = preingest.entry_kind(path)
    lower = name.lower()
    if kind == "symlink":
        block.report.extend([preingest.symlink_finding(path, block.root, name)])
    elif kind == "other":
        block.report.extend([preingest.other_finding(name)])
    elif preingest.is_hidden_junk(name):
        block.ignored.add(nfc(name))
        block.report.add(
            "preingest.file.hidden",
            f"{name} is a hidden or system file; it is not archived",
            "leave system files out of deliveries",
            WAARSCHUWING,
            file=name,
        )
    elif kind == "dir":
        layout.folders.append(name)
    elif lower in INVENTORY_NAMES:
        if explicit is not None and path.absolute() != explicit.absolute():
            block.ignored.add(nfc(name))
            block.report.add(
                "analogue.inventory.ignored",
                f"{name} is ignored: the inventory {explicit} was given",
                "remove the outdated inventory",
                WAARSCHUWING,
                file=name,
            )
        elif layout.inventory is not None:
            block.report.add(
                "analogue.inventory.ambiguous",
                f"more than one inventory: {layout.inventory.name}, {name}",
                "keep one inventory, or give the one to use explicitly",
                file=name,
            )
        else:
            layout.inventory = path
    elif preingest.manifest_algorithm(name):
        layout.manifests.append(path)
    elif lower in DESCRIPTION_NAMES:
        layout.descriptions.append(path)
    else:
        block.report.add(
            "analogue.root.unexpected_file",
            f"unexpected file {name} in the root of the block",
            "put scans in the folder of their inventarisnummer; the root holds only the inventory, "
            "checksum manifests and the digitisation description",
            file=name,
        )


def _root_layout(block: _Block, explicit: Path | None) -> _RootLayout:
    layout = _RootLayout()
    for name in sorted(os.listdir(block.root)):
        _classify_root_entry(block, layout, name, explicit)
    if explicit is not None:
        if preingest.entry_kind(explicit) != "file":
            block.report.add(
                "analogue.inventory.missing",
                f"the inventory {explicit} does not exist or is not a regular file",
                "give the path of the inventory file",
                file=str(explicit),
            )
        else:
            layout.inventory = explicit
    elif layout.inventory is None and not any(f.rule == "analogue.inventory.ambiguous" for f in block.report.items):
        _, missing = find_inventory(block.root)
        block.report.extend(missing)
    return layout


# --- files and folders ---------------------------------------------------------------------------


def _bag_path(*parts: str) -> str:
    return BAG_PREFIX + "/".join(parts)


def _fit_file_name(block: _Block, folder_parts: Sequence[str], naam: str, relative: str) -> str:
    """The bag name of a file, shortened (warning) when the bag path is too long, unchanged when
    it cannot be made short enough (error)."""
    longest = _bag_path(*folder_parts, naam) + FILE_SIDECAR_SUFFIX
    if not names.path_too_long(longest, block.max_path_length):
        return naam
    room = block.max_path_length - len(_bag_path(*folder_parts, "")) - len(FILE_SIDECAR_SUFFIX)
    shortened = names.shorten_name(naam, room)
    if shortened is None:
        block.report.add(
            "preingest.path.too_long",
            f"{relative}: the bag path {longest!r} has {len(longest)} "
            f"characters, more than {block.max_path_length}, even with a shortened file name",
            "shorten the folder or archiefstuk names",
            file=relative,
        )
        return naam
    block.report.add(
        "preingest.name.shortened",
        f"{relative}: file name shortened to {shortened!r} so that the bag "
        f"path stays within {block.max_path_length} characters (original kept)",
        "use shorter file names",
        WAARSCHUWING,
        file=relative,
    )
    return shortened


def _check_folder_path(block: _Block, folder_parts: Sequence[str], relative: str) -> None:
    longest = _bag_path(*folder_parts, folder_parts[-1]) + FOLDER_SIDECAR_SUFFIX
    if names.path_too_long(longest, block.max_path_length):
        block.report.add(
            "preingest.path.too_long",
            f"{relative}/: the bag path {longest!r} has {len(longest)} characters, more than {block.max_path_length}",
            "shorten the folder name",
            file=relative,
        )


def _clean_names(block: _Block, folder_relative: str, originals: Sequence[str]) -> dict[str, str]:
    mapping = names.unique_names(originals)
    for original, cleaned in mapping.items():
        relative = f"{folder_relative}/{original}" if folder_relative else original
        if _undecodable(original):
            block.report.add(
                "preingest.name.undecodable",
                f"{relative!r}: the name is not valid UTF-8",
                "rename the file or folder using UTF-8 characters only",
                file=relative,
            )
        elif cleaned != original:
            problems = "; ".join(names.name_problems(original)) or "collides with another name"
            block.report.add(
                "preingest.name.cleaned",
                f"{relative}: name changed to {cleaned!r} in the bag ({problems}); the original name is kept",
                "avoid these characters in names",
                WAARSCHUWING,
                file=relative,
            )
    return mapping


def _source_file(block: _Block, path: Path, relative: str, naam: str) -> SourceFile:
    """A scan, to be checked by `_check_files` once identification is done; a file whose name is
    not UTF-8 (already an error) is not identified."""
    block.delivered.add(nfc(relative))
    source = SourceFile(
        path=path,
        original_path=relative,
        naam=naam,
        size=path.lstat().st_size,
        format=preingest.NOT_IDENTIFIED,
        expected=dict(block.expected.get(nfc(relative), {})),
    )
    if not _undecodable(relative):
        block.unchecked.append(source)
    return source


def _check_files(block: _Block) -> dict[int, SourceFile]:
    """Check every scan found (size, readability, format, PDF protection), in scan order; the
    checked file by the id of the unchecked one."""
    checked: dict[int, SourceFile] = {}
    for source in block.unchecked:
        size, found, findings = preingest.check_file(
            source.path, source.original_path, block.identifier, reject_unlisted_formats=block.reject_unlisted_formats
        )
        block.report.extend(findings)
        checked[id(source)] = replace(source, size=size, format=found)
    return checked


def _checked_record(record: RecordInput, checked: dict[int, SourceFile]) -> RecordInput:
    return replace(
        record,
        files=tuple(checked.get(id(f), f) for f in record.files),
        children=tuple(_checked_record(child, checked) for child in record.children),
    )


def _scan(block: _Block, folder: _Folder, bag_parts: list[str], depth: int) -> None:
    """Scan a dossier (depth 1) or archiefstuk (depth 2) folder; deeper folders are refused."""
    directory = block.root / folder.relative
    entries: list[tuple[str, str]] = []
    for name in sorted(os.listdir(directory)):
        relative = f"{folder.relative}/{name}"
        kind = preingest.entry_kind(directory / name)
        if kind == "symlink":
            block.report.extend([preingest.symlink_finding(directory / name, block.root, relative)])
        elif kind in {"other", "missing"}:
            block.report.extend([preingest.other_finding(relative)])
        elif preingest.is_hidden_junk(name):
            block.ignored.add(nfc(relative))
            block.report.add(
                "preingest.file.hidden",
                f"{relative} is a hidden or system file; it is not archived",
                "leave system files out of deliveries",
                WAARSCHUWING,
                file=relative,
            )
        elif name.lower().endswith(".mdto.xml"):
            block.report.add(
                "preingest.name.reserved",
                f"{relative}: names ending in .mdto.xml are reserved for the MDTO sidecars edepot writes",
                "rename the file (or, if it is supplier metadata, deliver it outside the dossier folders)",
                file=relative,
            )
        elif kind == "dir" and depth >= 2:
            block.report.add(
                "analogue.layout.too_deep",
                f"{relative}/ is nested too deep: only <inventarisnummer>/<archiefstuk>/<scan> is allowed",
                "move the scans up into the archiefstuk folder or describe them as separate archiefstukken",
                file=relative,
            )
        else:
            entries.append((name, kind))
    folder.cleaned = _clean_names(block, folder.relative, [name for name, _ in entries])
    for name, kind in entries:
        relative = f"{folder.relative}/{name}"
        if kind == "dir":
            child = _Folder(original=name, relative=relative)
            child_parts = [*bag_parts, folder.cleaned[name]]
            _check_folder_path(block, child_parts, relative)
            _scan(block, child, child_parts, depth + 1)
            folder.children[name] = child
        else:
            naam = _fit_file_name(block, bag_parts, folder.cleaned[name], relative)
            folder.files.append(_source_file(block, directory / name, relative, naam))
    folder.files.sort(key=lambda f: f.naam)


# --- matching folders and rows -------------------------------------------------------------------


def _match(names_found: Sequence[str], wanted: str) -> tuple[str | None, bool]:
    """The folder for `wanted`: an exact (trimmed) match first, else one equal without leading zeros."""
    exact = [n for n in names_found if n.strip() == wanted.strip()]
    if exact:
        return exact[0], True
    loose = [n for n in names_found if comparable(n) == comparable(wanted)]
    return (loose[0], False) if loose else (None, False)


def _pair(
    block: _Block,
    rows: Sequence[InventoryRow],
    folders: Sequence[str],
    what: str,
    inventory: Inventory,
    parent: str = "",
) -> list[tuple[InventoryRow, str]]:
    """Pair rows with folders; report rows without folder, folders without row and loose matches."""
    pairs: list[tuple[InventoryRow, str]] = []
    used: set[str] = set()
    for row in rows:
        key = row.archiefstuk if what == "archiefstuk" else row.inventarisnummer
        folder, exact = _match([f for f in folders if f not in used], key)
        if folder is None:
            block.report.add(
                f"analogue.{what}.without_scans",
                f"{where_in(row, inventory)}: {what} {key!r} has no folder with scans"
                + (f" in {parent}" if parent else ""),
                f"deliver the scans of {key!r} in a folder of that name, or remove the row",
                object=row.inventarisnummer,
            )
            continue
        if not exact:
            block.report.add(
                f"analogue.{what}.matched_without_leading_zeros",
                f"folder {parent + folder!r} is matched "
                f"to {what} {key!r} ({where_in(row, inventory)}) ignoring leading zeros",
                "name folders exactly as in the inventory",
                WAARSCHUWING,
                object=row.inventarisnummer,
            )
        used.add(folder)
        pairs.append((row, folder))
    column = "archiefstuk" if what == "archiefstuk" else "inventarisnummer"
    for folder in folders:
        if folder not in used:
            block.report.add(
                f"analogue.{what}.without_row",
                f"folder {parent + folder!r} has no row in {inventory.path.name} with that {column}",
                f"add a row with {column} {folder!r}, or remove the folder",
                file=f"{parent}{folder}",
            )
    return pairs


# --- building packages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dossier:
    row: InventoryRow
    folder: _Folder
    archiefstukken: tuple[InventoryRow, ...]


def _has_files(folder: _Folder) -> bool:
    return bool(folder.files) or any(_has_files(child) for child in folder.children.values())


def _archiefstuk_records(
    block: _Block, dossier: _Dossier, inventory: Inventory, parent: Informatieobject
) -> tuple[RecordInput, ...]:
    folders = sorted(dossier.folder.children)
    pairs = _pair(block, dossier.archiefstukken, folders, "archiefstuk", inventory, f"{dossier.folder.relative}/")
    records = []
    for row, name in sorted(pairs, key=lambda pair: dossier.folder.cleaned[pair[1]]):
        child = dossier.folder.children[name]
        if not _has_files(child):
            block.report.add(
                "analogue.archiefstuk.empty",
                f"{child.relative}/ holds no scans",
                "deliver the scans or remove the folder and its row",
                file=child.relative,
            )
        io = informatieobject(
            row,
            kenmerk=f"{dossier.row.inventarisnummer}/{row.archiefstuk}",
            niveau="Archiefstuk",
            block=block.name,
            where=where_in(row, inventory),
            events=(),
            report=block.report,
            parent=parent,
        )
        records.append(
            RecordInput(
                folder=dossier.folder.cleaned[name],
                original_name=name,
                informatieobject=io,
                files=tuple(child.files),
            )
        )
    return tuple(records)


def _package(
    block: _Block,
    dossier: _Dossier,
    folder_name: str,
    inventory: Inventory,
    description: Digitalisering | None,
) -> PackageInput:
    events = (description.event(),) if description else ()
    if not _has_files(dossier.folder) and not dossier.folder.children:
        block.report.add(
            "analogue.dossier.empty",
            f"{dossier.folder.relative}/ holds no scans",
            "deliver the scans or remove the folder and its row",
            file=dossier.folder.relative,
        )
    row = dossier.row
    io = informatieobject(
        row,
        kenmerk=row.inventarisnummer,
        niveau="Dossier",
        block=block.name,
        where=where_in(row, inventory),
        events=events,
        report=block.report,
    )
    record = RecordInput(
        folder=folder_name,
        original_name=dossier.folder.original,
        informatieobject=io,
        files=tuple(dossier.folder.files),
        children=_archiefstuk_records(block, dossier, inventory, io),
    )
    return PackageInput(
        source=SOURCE,
        source_key=f"{block.name}/{row.inventarisnummer}",
        record=record,
        bag_info=description.bag_info() if description else {},
    )


def _split_rows(block: _Block, inventory: Inventory) -> tuple[list[InventoryRow], dict[str, list[InventoryRow]]]:
    dossiers: dict[str, InventoryRow] = {}
    for row in inventory.rows:
        if not row.archiefstuk:
            dossiers.setdefault(comparable(row.inventarisnummer), row)
    archiefstukken: dict[str, list[InventoryRow]] = {}
    for row in inventory.rows:
        if not row.archiefstuk:
            continue
        key = comparable(row.inventarisnummer)
        if key not in dossiers:
            block.report.add(
                "analogue.inventory.archiefstuk_without_dossier",
                f"{where_in(row, inventory)}: "
                f"archiefstuk {row.archiefstuk!r} belongs to inventarisnummer {row.inventarisnummer!r}, "
                "which has no dossier row",
                "add a row for the dossier (with an empty archiefstuk)",
                object=row.inventarisnummer,
            )
            continue
        archiefstukken.setdefault(key, []).append(row)
    return list(dossiers.values()), archiefstukken


def _packages(
    block: _Block,
    inventory: Inventory,
    layout: _RootLayout,
    description: Digitalisering | None,
) -> tuple[PackageInput, ...]:
    cleaned = _clean_names(block, "", layout.folders)
    folders: dict[str, _Folder] = {}
    for name in layout.folders:
        folders[name] = _Folder(original=name, relative=name)
        _check_folder_path(block, [cleaned[name]], name)
        _scan(block, folders[name], [cleaned[name]], depth=1)
    if not inventory.rows:
        return ()  # the inventory could not be read: its findings say why; pairing would only add noise
    dossier_rows, archiefstuk_rows = _split_rows(block, inventory)
    packages = []
    for row, name in _pair(block, dossier_rows, sorted(folders), "dossier", inventory):
        dossier = _Dossier(row, folders[name], tuple(archiefstuk_rows.get(comparable(row.inventarisnummer), [])))
        packages.append(_package(block, dossier, cleaned[name], inventory, description))
    return tuple(sorted(packages, key=lambda p: p.record.folder))


# --- supplier metadata ---------------------------------------------------------------------------


def _relative_to_root(block: _Block, path: Path) -> str:
    try:
        return path.absolute().relative_to(block.root).as_posix()
    except ValueError:
        return path.name


def _metadata_file(block: _Block, path: Path, *, identify: bool = True) -> SourceFile:
    relative = _relative_to_root(block, path)
    block.ignored.add(nfc(relative))
    return SourceFile(
        path=path.absolute(),
        original_path=relative,
        naam=names.clean_name(path.name),
        size=path.lstat().st_size,
        format=preingest.identify_quietly(path, block.identifier) if identify else preingest.NOT_IDENTIFIED,
        expected=dict(block.expected.get(nfc(relative), {})),
    )


def _manifests(block: _Block, paths: Sequence[Path]) -> list[preingest.Manifest]:
    manifests = [preingest.read_manifest(path) for path in paths]
    for manifest in manifests:
        block.report.extend(manifest.findings)
        for relative, digest in manifest.entries.items():
            block.expected.setdefault(relative, {})[manifest.algorithm] = digest
    return manifests


def _description(block: _Block, paths: Sequence[Path]) -> Digitalisering | None:
    if len(paths) > 1:
        block.report.add(
            "analogue.description.ambiguous",
            "both " + " and ".join(p.name for p in paths) + " are present",
            "keep one description of the digitisation",
            file=paths[0].name,
        )
        return None
    if not paths:
        return None
    description, findings = read_description(paths[0])
    block.report.extend(findings)
    return description


def _empty_inventory(path: Path | None) -> Inventory:
    return Inventory(path or Path("inventaris.csv"), (), ())


def _regular_files(root: Path, max_depth: int = 3) -> list[Path]:
    """Non-empty regular files up to `max_depth` folders deep, never following symbolic links."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        depth = len(Path(dirpath).relative_to(root).parts)
        if depth >= max_depth:
            dirnames[:] = []
        for name in filenames:
            path = Path(dirpath, name)
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_size:
                found.append(path)
    return found


@dataclass(frozen=True)
class OpenedBlock:
    """A block read up to its format checks, while PRONOM identification still runs.

    `submission` has every package with its files and bag names (formats not yet identified) and
    the findings so far: enough to start copying. `complete()` waits for identification, checks
    every file and returns the whole submission, exactly as `read_block` does."""

    submission: SubmissionInput
    complete: Callable[[], SubmissionInput]


def open_block(
    root: Path,
    *,
    inventory: Path | None = None,
    identifier: FormatIdentifier,
    reject_unlisted_formats: bool = False,
    max_path_length: int = 255,
) -> OpenedBlock:
    """Read a block folder; identify its files in a background thread (siegfried releases the GIL)."""
    root = Path(root).absolute()
    if preingest.entry_kind(root) != "dir":
        missing = finding(
            "analogue.root.missing", f"{root} is not a folder", "give the folder of the block", file=str(root)
        )
        nothing = SubmissionInput(
            source=SOURCE, location=str(root), packages=(), findings=(missing,), bag_group=root.name
        )
        return OpenedBlock(nothing, lambda: nothing)
    block = _Block(root, identifier, reject_unlisted_formats, max_path_length)
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pronom")
    prefetch = background.submit(lambda: identifier.prefetch(_regular_files(root)))
    background.shutdown(wait=False)  # its one thread ends with the identification
    layout = _root_layout(block, inventory)
    manifests = _manifests(block, layout.manifests)
    description = _description(block, layout.descriptions)
    read = read_inventory(layout.inventory) if layout.inventory else _empty_inventory(None)
    block.report.extend(read.findings)
    packages = _packages(block, read, layout, description)
    metadata = [p for p in [layout.inventory, *layout.manifests, *layout.descriptions] if p is not None]
    preliminary = SubmissionInput(
        source=SOURCE,
        location=str(root),
        packages=packages,
        findings=tuple(block.report.items),
        bag_group=block.name,
        metadata_files=tuple(_metadata_file(block, p, identify=False) for p in metadata),
    )
    done: list[SubmissionInput] = []

    def complete() -> SubmissionInput:
        if not done:
            prefetch.result()
            checked = _check_files(block)
            metadata_files = tuple(_metadata_file(block, p) for p in metadata)
            block.report.extend(preingest.cross_check(manifests, block.delivered, block.ignored))
            done.append(
                replace(
                    preliminary,
                    packages=tuple(replace(p, record=_checked_record(p.record, checked)) for p in packages),
                    findings=tuple(block.report.items),
                    metadata_files=metadata_files,
                )
            )
        return done[0]

    return OpenedBlock(preliminary, complete)


def read_block(
    root: Path,
    *,
    inventory: Path | None = None,
    identifier: FormatIdentifier,
    reject_unlisted_formats: bool = False,
    max_path_length: int = 255,
) -> SubmissionInput:
    """Read and check a block folder of scans; every problem is a finding in the result."""
    opened = open_block(
        root,
        inventory=inventory,
        identifier=identifier,
        reject_unlisted_formats=reject_unlisted_formats,
        max_path_length=max_path_length,
    )
    return opened.complete()
