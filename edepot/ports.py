"""The ports: small protocols the use-case layer talks to. Adapters implement them; tests use
the in-memory fakes (`edepot.catalog.InMemoryCatalog`,
`edepot.storage.memory.InMemoryObjectStore`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol
from uuid import UUID

from edepot.model import (
    Aip,
    AipStatus,
    EventDraft,
    EventRecord,
    FileEntry,
    RecordEntry,
    Submission,
    SubmissionStatus,
)

if TYPE_CHECKING:
    from edepot.auth.tokens import ApiToken


class Clock(Protocol):
    def now(self) -> datetime: ...


class ObjectStore(Protocol):
    """Write-once object storage. Keys look like `aips/<uuid>/data/...`."""

    name: str

    def put(self, key: str, source: Path, sha256: str) -> None:
        """Store the file at `source` under `key`, atomically.

        Storing identical bytes again is a no-op (idempotent); different bytes under an existing key
        raise ObjectExists. `sha256` is the digest the caller computed; a store may verify it.
        """
        ...

    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Open the stored object for reading; NotFound if it is missing."""
        ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def publish_directory(self, prefix: str, directory: Path) -> bool:
        """Store every file under `directory` as `prefix/<relative path>` in one atomic step, if this
        store can (e.g. one rename on the same filesystem). False: nothing was done, put one by one."""
        ...

    def sync(self) -> None:
        """Make every put so far durable (a no-op for stores whose puts are durable on return)."""
        ...

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with `prefix`, sorted."""
        ...


@dataclass(frozen=True)
class FormatIdentification:
    """What a file is: PRONOM PUID (None if unknown) with its name, and the MIME type."""

    puid: str | None
    format_name: str
    format_version: str
    mime: str
    basis: str = ""
    warning: str = ""


class FormatIdentifier(Protocol):
    def identify(self, path: Path) -> FormatIdentification: ...

    def prefetch(self, paths: Iterable[Path]) -> None:
        """A hint: these files will be identified next, so identify them in one batch now."""
        ...


class Catalog(Protocol):
    """The catalog: submissions, AIPs with their records and fixity ledger, the event log and API tokens."""

    def add_submission(self, submission: Submission) -> None: ...

    def update_submission(self, submission: Submission) -> None: ...

    def get_submission(self, submission_id: UUID) -> Submission: ...

    def latest_submission(self, source: str, status: SubmissionStatus) -> Submission | None:
        """The most recently received submission of `source` with `status` (e.g. the last accepted
        run of a worker, whose report holds the cursor to continue from)."""
        ...

    def begin_aip(self, aip: Aip) -> None:
        """Insert an AIP (status aangemaakt) with its records and ledger, in one transaction."""
        ...

    def set_aip_status(self, aip_id: UUID, status: AipStatus, at: datetime) -> None:
        """Change status through the transition table (InvalidTransition otherwise). Returns
        nothing: the ingest marks AIPs stored by the hundred and would not use a reloaded ledger;
        a caller that needs the AIP afterwards asks `get_aip`."""
        ...

    def get_aip(self, aip_id: UUID) -> Aip:
        """The AIP with records and files; NotFound if unknown."""
        ...

    def list_aips(
        self, *, status: AipStatus | None = None, source_key: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Aip]:
        """AIPs without their records and files, newest first."""
        ...

    def latest_aip(self, source: str, source_key: str) -> Aip | None:
        """The highest version for this source identity, any status, without records and files."""
        ...

    def get_record(self, record_id: UUID) -> RecordEntry: ...

    def list_records(self, *, aip_id: UUID | None = None, limit: int = 100, offset: int = 0) -> list[RecordEntry]:
        """Records of stored AIPs only."""
        ...

    def restricted_aips(self, aip_ids: Iterable[UUID]) -> frozenset[UUID]:
        """Those of `aip_ids` holding at least one record with a beperkingGebruik code."""
        ...

    def ledger(self, aip_id: UUID) -> list[FileEntry]: ...

    def clear_holdings(self) -> None:
        """Remove every AIP, record and ledger row (for rebuild-catalog); events stay."""
        ...

    def append_event(self, draft: EventDraft) -> EventRecord:
        """Chain and store an event atomically (the head moves in the same transaction)."""
        ...

    def events(self, *, object_id: str | None = None) -> Iterator[EventRecord]:
        """Events in sequence order."""
        ...

    def event_head(self) -> tuple[int, str] | None: ...

    # API tokens (edepot.auth.tokens); the secret itself is never stored, only its hash

    def add_api_token(self, token: ApiToken) -> None:
        """Store a new token; Conflict if its id exists."""
        ...

    def get_api_token(self, token_id: UUID) -> ApiToken:
        """The token, whatever its state; NotFound if unknown."""
        ...

    def list_api_tokens(self) -> list[ApiToken]:
        """Every token (revoked and expired ones too), oldest first."""
        ...

    def revoke_api_token(self, token_id: UUID, at: datetime) -> ApiToken:
        """Mark revoked at `at`; a revoked token keeps its first revocation time. NotFound if unknown."""
        ...

    def touch_api_token(self, token_id: UUID, at: datetime) -> None:
        """Move `last_used_at` forward to `at` (never backwards); NotFound if unknown."""
        ...
