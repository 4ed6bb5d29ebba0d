"""Metadata revisions: how a retention decision reaches the MDTO sidecars without editing a stored object.

A decision's revisie n of AIP X is written as a small BagIt 1.0 bag of its own under

    revisions/<X>/<n:04d>/
        bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt
        retention-decision.json           the decision as data (what a rebuild reads back)
        data/<same path as in the AIP>.mdto.xml   every informatieobject sidecar of X, revised:
                                          waardering, bewaartermijn (V only) and informatiecategorie
                                          set from the decision, plus an event "Wijziging"

bag-info.txt names the AIP (`Edepot-Revision-Of: <X>`, `Edepot-Revision: <n>`) and its source
identity. The payload of X is referenced, not copied: bestand sidecars and files stay where they
are. The newest revision is the current metadata; older ones stay as history. The bags live
outside `aips/`, so the stored AIP (and `rebuild-catalog`, which validates every `aips/<X>/` bag
against its manifests) is untouched.

Every byte is derived from stored state only (the original sidecars and the decision with its
`besloten_op`), so writing the same revision again gives the same bytes: a crash halfway is
completed by writing it again, which the write-once stores accept as a no-op.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from edepot import fixity, packaging
from edepot.errors import FixityError, NotFound
from edepot.mdto.model import LIJST_EVENTTYPE, LIJST_WAARDERING, Begrip, Event, Informatieobject, Termijn, lijst
from edepot.mdto.reader import from_xml
from edepot.mdto.rules import WAARDERINGEN
from edepot.mdto.writer import to_xml
from edepot.ports import ObjectStore
from edepot.retention_workflow import Besluit
from edepot.selectielijst import Waardering

PREFIX = "revisions"
DECISION_FILE = "retention-decision.json"
LIJST_AFLEIDINGSWIJZE = lijst("Afleidingswijzen brondatum (ZGW Catalogi API)")


def prefix_of(aip_id: UUID, revisie: int) -> str:
    return f"{PREFIX}/{aip_id}/{revisie:04d}"


def revise(io: Informatieobject, besluit: Besluit) -> Informatieobject:
    """The informatieobject with the decision's waardering, bewaartermijn and informatiecategorie."""
    code = str(besluit.waardering)
    termijn = None
    if besluit.waardering is Waardering.V and besluit.bewaartermijn:
        termijn = Termijn(
            trigger_start_looptijd=Begrip(
                label=besluit.afleidingswijze or "onbekend", begrippenlijst=LIJST_AFLEIDINGSWIJZE
            ),
            startdatum_looptijd=besluit.termijnstart.isoformat() if besluit.termijnstart else None,
            looptijd=besluit.bewaartermijn,
            einddatum=besluit.archiefactiedatum.isoformat() if besluit.archiefactiedatum else None,
        )
    categorie = io.informatiecategorie
    if besluit.selectielijst and besluit.categorie:
        categorie = Begrip(
            label=besluit.categorie_omschrijving or f"categorie {besluit.categorie}",
            code=besluit.categorie,
            begrippenlijst=lijst(f"{besluit.selectielijst} (versie {besluit.versie})"),
        )
    event = Event(
        type=Begrip(label="Wijziging", begrippenlijst=LIJST_EVENTTYPE),
        tijd=_moment(besluit.besloten_op),
        resultaat=f"waardering {besluit.waardering} (revisie {besluit.revisie}): {besluit.reden}",
    )
    return replace(
        io,
        waardering=Begrip(label=WAARDERINGEN[code], code=code, begrippenlijst=LIJST_WAARDERING),
        bewaartermijn=termijn,
        informatiecategorie=categorie,
        event=(*io.event, event),
    )


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()


def render(
    aip_id: UUID,
    source_key: str,
    besluit: Besluit,
    sidecars: Mapping[str, bytes],
    *,
    organisation: str,
    feiten: Mapping[str, Any] | None = None,
) -> dict[str, bytes]:
    """Every file of the revision bag (bag path -> bytes), from the AIP's original informatieobject
    sidecars (bag path -> bytes). Pure and deterministic."""
    files: dict[str, bytes] = {}
    for path, original in sorted(sidecars.items()):
        obj = from_xml(original, source=f"aips/{aip_id}/{path}")
        if not isinstance(obj, Informatieobject):
            continue
        files[path] = to_xml(revise(obj, besluit))
    besluit_data = besluit.as_dict()
    besluit_data.pop("geschreven", None)  # bookkeeping, not content
    decision = {"aip_id": str(aip_id), "source_key": source_key, "besluit": besluit_data, "feiten": dict(feiten or {})}
    payload = {p: fixity.hash_bytes(b) for p, b in files.items()}
    tags: dict[str, bytes] = {
        "bagit.txt": packaging.BAGIT_TXT.encode(),
        DECISION_FILE: (json.dumps(decision, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode(),
        packaging.MANIFEST: packaging.manifest_text(payload).encode(),
    }
    info = [
        ("Source-Organization", organisation),
        ("External-Identifier", source_key),
        ("Internal-Sender-Identifier", f"urn:uuid:{aip_id}"),
        (
            "External-Description",
            f"Metadatarevisie {besluit.revisie} van AIP {aip_id}: waardering {besluit.waardering}"
            + (f", {besluit.selectielijst} categorie {besluit.categorie}" if besluit.categorie else ""),
        ),
        ("Bagging-Date", besluit.besloten_op.astimezone(UTC).date().isoformat()),
        ("Payload-Oxum", f"{sum(len(b) for b in files.values())}.{len(files)}"),
        ("BagIt-Profile-Identifier", packaging.BAGIT_PROFILE),
        ("Edepot-Revision-Of", str(aip_id)),
        ("Edepot-Revision", str(besluit.revisie)),
        ("Edepot-Created", besluit.besloten_op.astimezone(UTC).isoformat()),
    ]
    tags["bag-info.txt"] = "".join(f"{k}: {' '.join(str(v).split())}\n" for k, v in info).encode()
    files.update(tags)
    tag_digests = {p: fixity.hash_bytes(b) for p, b in tags.items()}
    files[packaging.TAGMANIFEST] = packaging.manifest_text(tag_digests).encode()
    return files


def write(store: ObjectStore, prefix: str, files: Mapping[str, bytes], staging: Path) -> None:
    """Store the revision bag under `prefix` (tag manifest last) and verify every object by re-reading.
    Idempotent: objects already stored with the same bytes are left alone."""
    write_many(store, [(prefix, files)], staging)


def write_many(store: ObjectStore, bags: Sequence[tuple[str, Mapping[str, bytes]]], staging: Path) -> None:
    """Store several revision bags (prefix, files) with ONE sync of the store for all of them, then
    verify every object by re-reading. Nothing may be recorded as written before this returns; a
    crash before that leaves bags that are written again with the same bytes (see the module doc)."""
    digests: dict[str, str] = {}
    for prefix, files in bags:
        digests.update(_publish(store, prefix, files, staging))
    store.sync()
    for key, sha256 in digests.items():
        with store.open(key) as handle:
            found, _ = fixity.hash_stream(handle)
        if found["sha256"] != sha256:
            raise FixityError(
                f"revision object {key} did not read back as written",
                hint="check the storage, then run `edepot retention nightly` again",
                key=key,
            )


def _publish(store: ObjectStore, prefix: str, files: Mapping[str, bytes], staging: Path) -> dict[str, str]:
    """Put one bag's objects (tag manifest last), not yet synced; key -> sha256."""
    work = staging / f"revision-{prefix.replace('/', '-')}"
    if work.exists():
        shutil.rmtree(work)
    digests: dict[str, str] = {}
    try:
        for path, data in files.items():
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            digests[path] = fixity.hash_bytes(data)
        if not store.publish_directory(prefix, work):
            ordered = sorted(files, key=lambda p: (p == packaging.TAGMANIFEST, p))
            for path in ordered:
                store.put(f"{prefix}/{path}", work / path, digests[path])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {f"{prefix}/{path}": sha256 for path, sha256 in digests.items()}


def read_latest(store: ObjectStore, aip_id: UUID) -> tuple[int, dict[str, Any]] | None:
    """The newest complete revision of an AIP (its number and retention-decision.json), or None."""
    numbers = sorted(
        {int(k.split("/")[2]) for k in store.keys(f"{PREFIX}/{aip_id}/") if k.split("/")[2].isdigit()},
        reverse=True,
    )
    for number in numbers:
        prefix = prefix_of(aip_id, number)
        if not store.exists(f"{prefix}/{packaging.TAGMANIFEST}"):
            continue  # interrupted before its last object: not a revision yet
        try:
            with store.open(f"{prefix}/{DECISION_FILE}") as handle:
                return number, json.loads(handle.read())
        except NotFound:
            continue
    return None


def retain_until(besluit: Besluit, *, now: datetime, grace: timedelta, horizon: timedelta) -> datetime:
    """How long a store's lock should keep the AIP: V with a date: archiefactiedatum + grace; else now + horizon."""
    if besluit.waardering is Waardering.V and besluit.archiefactiedatum is not None:
        return datetime.combine(besluit.archiefactiedatum, time(0), tzinfo=UTC) + grace
    return now + horizon
