"""The packaging plan: how a package becomes a BagIt 1.0 bag with MDTO sidecars. Pure.

Given a `PackageInput` and fresh identities, `plan_package` decides every path in the bag, the
identities of informatieobjecten and bestanden and the relations between them (isOnderdeelVan,
bevatOnderdeel, heeftRepresentatie, isRepresentatieVan). The functions that render sidecars,
manifests and bag-info.txt take the digests computed while copying; the bag writer
(`edepot.bagwriter`) does the I/O.

Bag layout (sidecar naming per the MDTO-SIP specification):

    bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt
    original-filepaths.txt            bag path <TAB> path as delivered
    formats.txt                       bag path <TAB> PRONOM PUID <TAB> MIME type
    supplier/<file>                   supplier metadata kept as delivered (inventory, manifest, description)
    data/<D>/<D>.mdto.xml             informatieobject of folder D
    data/<D>/<file.ext>               a bestand ...
    data/<D>/<file.ext>.bestand.mdto.xml   ... and its sidecar beside it
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from edepot.mdto.model import (
    LIJST_PRONOM,
    Begrip,
    Bestand,
    GerelateerdInformatieobject,
    Identificatie,
    Informatieobject,
    Verwijzing,
    lijst,
    sha256_checksum,
)
from edepot.model import FileKind
from edepot.submission import PackageInput, RecordInput, SourceFile

BRON_EDEPOT = "e-depot Provincie Limburg"
BAGIT_PROFILE = "urn:edepot:provincie-limburg:bagit-profile:1.0"
LIJST_RELATIE = lijst("Begrippenlijst Relatietypen informatieobject MDTO")

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
ORIGINAL_PATHS = "original-filepaths.txt"
FORMATS = "formats.txt"
SUPPLIER_DIR = "supplier"


def sidecar_of_folder(folder_path: str, folder: str) -> str:
    return f"{folder_path}/{folder}.mdto.xml"


def sidecar_of_file(file_path: str) -> str:
    return f"{file_path}.bestand.mdto.xml"


def edepot_identificatie(uuid: UUID) -> Identificatie:
    return Identificatie(kenmerk=str(uuid), bron=BRON_EDEPOT)


@dataclass(frozen=True)
class PlannedFile:
    bestand_id: UUID
    record_id: UUID
    path: str  # bag-relative, under data/
    source: SourceFile

    @property
    def sidecar_path(self) -> str:
        return sidecar_of_file(self.path)


@dataclass(frozen=True)
class PlannedRecord:
    id: UUID
    parent_id: UUID | None
    folder_path: str  # bag-relative folder, e.g. data/12/brief
    sidecar_path: str
    informatieobject: Informatieobject  # complete: identities and relations filled in


@dataclass(frozen=True)
class PackagePlan:
    aip_id: UUID
    package: PackageInput
    records: tuple[PlannedRecord, ...]
    files: tuple[PlannedFile, ...]
    supplier_files: tuple[tuple[str, SourceFile], ...]  # (bag path, file)
    version: int
    previous_id: UUID | None
    previous_root_id: UUID | None

    @property
    def root(self) -> PlannedRecord:
        return self.records[0]


def verwijzing(io: Informatieobject, uuid: UUID) -> Verwijzing:
    return Verwijzing(naam=io.naam, identificatie=edepot_identificatie(uuid))


def plan_package(
    package: PackageInput,
    *,
    aip_id: UUID,
    new_id: Callable[[], UUID],
    supplier_files: Sequence[SourceFile] = (),
    version: int = 1,
    previous_id: UUID | None = None,
    previous_root_id: UUID | None = None,
) -> PackagePlan:
    """Assign identities and bag paths and fill in the relations, depth first from the root."""
    records: list[PlannedRecord] = []
    files: list[PlannedFile] = []

    def visit(
        node: RecordInput, parent: tuple[UUID, Informatieobject] | None, base: str
    ) -> tuple[UUID, Informatieobject]:
        record_id = new_id()
        folder_path = f"{base}/{node.folder}"
        planned_files = [
            PlannedFile(bestand_id=new_id(), record_id=record_id, path=f"{folder_path}/{f.naam}", source=f)
            for f in node.files
        ]
        index = len(records)
        records.append(PlannedRecord(record_id, None, folder_path, "", node.informatieobject))  # placeholder
        files.extend(planned_files)
        children = [visit(child, (record_id, node.informatieobject), folder_path) for child in node.children]
        io = node.informatieobject
        related = io.gerelateerd_informatieobject
        if parent is None and previous_root_id is not None:
            related = (
                *related,
                GerelateerdInformatieobject(
                    verwijzing=Verwijzing(naam=io.naam, identificatie=edepot_identificatie(previous_root_id)),
                    type_relatie=Begrip(label="Is een versie van", begrippenlijst=LIJST_RELATIE),
                ),
            )
        complete = replace(
            io,
            identificatie=(edepot_identificatie(record_id), *io.identificatie),
            is_onderdeel_van=(*io.is_onderdeel_van, *([verwijzing(parent[1], parent[0])] if parent else [])),
            bevat_onderdeel=(*io.bevat_onderdeel, *(verwijzing(cio, cid) for cid, cio in children)),
            heeft_representatie=(
                *io.heeft_representatie,
                *(
                    Verwijzing(naam=_file_name(pf.source), identificatie=edepot_identificatie(pf.bestand_id))
                    for pf in planned_files
                ),
            ),
            gerelateerd_informatieobject=related,
        )
        records[index] = PlannedRecord(
            id=record_id,
            parent_id=parent[0] if parent else None,
            folder_path=folder_path,
            sidecar_path=sidecar_of_folder(folder_path, node.folder),
            informatieobject=complete,
        )
        return record_id, io

    visit(package.record, None, "data")
    supplier = tuple((f"{SUPPLIER_DIR}/{f.naam}", f) for f in supplier_files)
    return PackagePlan(
        aip_id=aip_id,
        package=package,
        records=tuple(records),
        files=tuple(files),
        supplier_files=supplier,
        version=version,
        previous_id=previous_id,
        previous_root_id=previous_root_id,
    )


def with_identified_files(plan: PackagePlan, package: PackageInput) -> PackagePlan:
    """`plan` with the files of `package` (the same package, its files now checked and identified):
    matched by their path as delivered, paths and identities unchanged."""

    def sources(node: RecordInput) -> Iterable[SourceFile]:
        yield from node.files
        for child in node.children:
            yield from sources(child)

    by_path = {f.original_path: f for f in sources(package.record)}
    if package.source_key != plan.package.source_key or set(by_path) != {f.source.original_path for f in plan.files}:
        raise ValueError(f"with_identified_files: {package.source_key} is not the package planned")
    return replace(
        plan, package=package, files=tuple(replace(f, source=by_path[f.source.original_path]) for f in plan.files)
    )


def _file_name(source: SourceFile) -> str:
    """The name as delivered (MDTO naam keeps the original; the bag uses the cleaned name)."""
    return source.original_path.rsplit("/", 1)[-1]


def bestand_of(planned: PlannedFile, record: PlannedRecord, *, sha256: str, size: int, datum: datetime) -> Bestand:
    """The MDTO bestand for a copied file, with the checksum computed while copying."""
    fmt = planned.source.format
    label = " ".join(p for p in (fmt.format_name, fmt.format_version) if p) or "onbekend formaat"
    return Bestand(
        identificatie=(edepot_identificatie(planned.bestand_id),),
        naam=_file_name(planned.source),
        omvang=size,
        bestandsformaat=Begrip(label=label, code=fmt.puid, begrippenlijst=LIJST_PRONOM),
        checksum=(sha256_checksum(sha256, datum.replace(microsecond=0, tzinfo=None).isoformat()),),
        is_representatie_van=verwijzing(record.informatieobject, record.id),
    )


def content_hash(package: PackageInput, digests: Mapping[str, str]) -> str:
    """Identity of a package's content: its metadata from the source and the sha256 of every file.

    `digests` maps a file's original path to its sha256. Same source identity + same content hash
    means nothing new to store; a different hash makes a new version.
    """

    def canonical(node: RecordInput) -> object:
        return {
            "folder": node.folder,
            "metadata": repr(node.informatieobject),
            "files": sorted((f.original_path, digests[f.original_path]) for f in node.files),
            "children": [canonical(c) for c in node.children],
        }

    body = json.dumps({"key": package.source_key, "record": canonical(package.record)}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


# --- tag files --------------------------------------------------------------------------------


def encode_manifest_path(path: str) -> str:
    """RFC 8493 §2.1.3: percent-encode CR, LF and % in manifest paths."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def manifest_text(digests: Mapping[str, str]) -> str:
    return "".join(f"{digests[p]}  {encode_manifest_path(p)}\n" for p in sorted(digests))


def tsv_text(rows: Iterable[Sequence[str]]) -> str:
    return "".join("\t".join(col.replace("\t", " ").replace("\n", " ") for col in row) + "\n" for row in rows)


def bag_info_text(
    plan: PackagePlan,
    *,
    organisation: str,
    bagging: datetime,
    payload_bytes: int,
    payload_files: int,
    content_hash_value: str,
    bag_group: str | None,
    bag_index: tuple[int, int] | None,
) -> str:
    fields: list[tuple[str, str]] = [
        ("Source-Organization", organisation),
        ("External-Identifier", plan.package.source_key),
        ("Internal-Sender-Identifier", f"urn:uuid:{plan.aip_id}"),
        ("External-Description", plan.root.informatieobject.naam),
        ("Bagging-Date", bagging.date().isoformat()),
        ("Payload-Oxum", f"{payload_bytes}.{payload_files}"),
        ("BagIt-Profile-Identifier", BAGIT_PROFILE),
    ]
    if bag_group:
        fields.append(("Bag-Group-Identifier", bag_group))
    if bag_index:
        fields.append(("Bag-Count", f"{bag_index[0]} of {bag_index[1]}"))
    fields += [
        ("Edepot-Source", plan.package.source),
        ("Edepot-Version", str(plan.version)),
        ("Edepot-Created", bagging.isoformat()),
        ("Edepot-Content-Hash", content_hash_value),
    ]
    if plan.previous_id:
        fields.append(("Edepot-Previous-AIP", str(plan.previous_id)))
    fields += sorted(plan.package.bag_info.items())
    return "".join(f"{label}: {_one_line(value)}\n" for label, value in fields)


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def parse_bag_info(text: str) -> dict[str, list[str]]:
    """Labels to values (a label may repeat); continuation lines start with whitespace."""
    result: dict[str, list[str]] = {}
    last: tuple[str, int] | None = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and last is not None:
            label, index = last
            result[label][index] += " " + line.strip()
            continue
        label, sep, value = line.partition(":")
        if not sep:
            continue
        values = result.setdefault(label.strip(), [])
        values.append(value.strip())
        last = (label.strip(), len(values) - 1)
    return result


def kind_of(path: str) -> FileKind:
    if not path.startswith("data/"):
        return FileKind.TAG
    return FileKind.SIDECAR if path.endswith(".mdto.xml") else FileKind.PAYLOAD
