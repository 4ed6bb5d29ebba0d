"""Reads a stored bag back into catalog rows, trusting nothing but the bag itself.

Bags are self-describing: bag-info.txt names the source identity and version, the manifests give
every checksum, the sidecars give records and their relations, original-filepaths.txt and
formats.txt give what the ledger keeps besides. The bag is validated before it is believed.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from edepot import bagcheck, packaging
from edepot.errors import Finding
from edepot.mdto.model import Bestand, Informatieobject
from edepot.mdto.reader import from_xml
from edepot.model import Aip, AipStatus, FileEntry, FileKind
from edepot.ports import ObjectStore
from edepot.projection import edepot_id, record_entry


def _read(store: ObjectStore, key: str) -> bytes:
    with store.open(key) as handle:
        return handle.read()


def _tsv(text: str) -> dict[str, list[str]]:
    rows = (line.split("\t") for line in text.splitlines() if line)
    return {row[0]: row[1:] for row in rows}


def _manifest(text: str) -> dict[str, str]:
    result = {}
    for line in text.splitlines():
        digest, _, path = line.partition(" ")
        path = path.lstrip(" *").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
        result[path] = digest
    return result


def read_stored_aip(store: ObjectStore, prefix: str, *, now: datetime) -> tuple[Aip | None, list[Finding]]:
    """The AIP under `prefix` (aips/<uuid>) as catalog rows, or None with the reasons."""
    try:
        aip_id = UUID(prefix.split("/")[1])
    except (IndexError, ValueError):
        return None, [
            Finding("rebuild.prefix", f"{prefix} is not an AIP folder", "inspect it; it is not an AIP", object=prefix)
        ]
    problems = bagcheck.validate_stored_bag(store, prefix, None)
    if problems:
        return None, problems
    info = packaging.parse_bag_info(_read(store, f"{prefix}/bag-info.txt").decode())
    digests = _manifest(_read(store, f"{prefix}/{packaging.MANIFEST}").decode())
    digests |= _manifest(_read(store, f"{prefix}/{packaging.TAGMANIFEST}").decode())
    digests[packaging.TAGMANIFEST] = _sha256_of(store, f"{prefix}/{packaging.TAGMANIFEST}")
    originals = _tsv(_read(store, f"{prefix}/{packaging.ORIGINAL_PATHS}").decode())
    formats = _tsv(_read(store, f"{prefix}/{packaging.FORMATS}").decode())

    records = []
    bestanden: dict[str, Bestand] = {}
    for path in sorted(digests):
        if not path.endswith(".mdto.xml"):
            continue
        obj = from_xml(_read(store, f"{prefix}/{path}"), source=f"{prefix}/{path}")
        if isinstance(obj, Informatieobject):
            records.append(record_entry(obj, aip_id=aip_id, sidecar_path=path))
        else:
            bestanden[path.removesuffix(".bestand.mdto.xml")] = obj

    files = []
    for path, sha256 in sorted(digests.items()):
        kind = packaging.kind_of(path)
        bestand = bestanden.get(path)
        subject = bestanden.get(path.removesuffix(".bestand.mdto.xml")) if kind is FileKind.SIDECAR else None
        record_id = None
        if bestand is not None:
            record_id = edepot_id(bestand.is_representatie_van)
        elif subject is not None:
            record_id = edepot_id(subject.is_representatie_van)
        elif kind is FileKind.SIDECAR:
            record_id = next((r.id for r in records if r.sidecar_path == path), None)
        fmt = formats.get(path, [])
        files.append(
            FileEntry(
                aip_id=aip_id,
                path=path,
                sha256=sha256,
                size=store.size(f"{prefix}/{path}"),
                kind=kind,
                bestand_id=edepot_id(bestand.identificatie) if bestand else None,
                record_id=record_id,
                puid=(fmt[0] if fmt and fmt[0] != "UNKNOWN" else None) if kind is FileKind.PAYLOAD else None,
                mime=fmt[1] if len(fmt) > 1 and kind is FileKind.PAYLOAD else None,
                original_path=originals.get(path, [None])[0] if kind is FileKind.PAYLOAD else None,
            )
        )

    def first(label: str, default: str = "") -> str:
        return info.get(label, [default])[0]

    created = datetime.fromisoformat(first("Edepot-Created", now.isoformat()))
    previous = first("Edepot-Previous-AIP")
    root = next((r for r in records if r.parent_id is None), None)
    aip = Aip(
        id=aip_id,
        source=first("Edepot-Source", "onbekend"),
        source_key=first("External-Identifier", prefix),
        content_hash=first("Edepot-Content-Hash"),
        version=int(first("Edepot-Version", "1")),
        status=AipStatus.AANGEMAAKT,
        created_at=created,
        title=root.naam if root else first("External-Description"),
        previous_id=UUID(previous) if previous else None,
        stored_at=created,
        records=records,
        files=files,
    )
    return aip, []


def _sha256_of(store: ObjectStore, key: str) -> str:
    from edepot import fixity

    with store.open(key) as handle:
        digests, _ = fixity.hash_stream(handle)
    return digests["sha256"]
