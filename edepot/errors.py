"""The one error hierarchy of edepot.

Every error carries a user-facing message (what went wrong, where, what to do), structured
fields for machines, an HTTP status for the API (rendered as RFC 9457 problem+json) and an exit
code for the CLI (sysexits-style, so scripts can tell the cases apart).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, ClassVar


class Severity(StrEnum):
    """How bad a finding is: an error rejects the submission, a warning is reported."""

    FOUT = "error"
    WAARSCHUWING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem in a submission or a bag: object, file, rule, message and what to do."""

    rule: str
    message: str
    action: str
    severity: Severity = Severity.FOUT
    object: str | None = None
    file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class EdepotError(Exception):
    """Base class: a message for people plus fields for machines."""

    code: ClassVar[str] = "edepot-error"
    title: ClassVar[str] = "edepot error"
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 70  # EX_SOFTWARE

    def __init__(self, message: str, *, hint: str | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.fields: dict[str, Any] = fields

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """RFC 9457 problem details; extension members carry the fields."""
        body: dict[str, Any] = {
            "type": f"https://edepot.limburg.nl/problems/{self.code}",
            "title": self.title,
            "status": self.http_status,
            "detail": self.message,
        }
        if self.hint:
            body["hint"] = self.hint
        if instance:
            body["instance"] = instance
        for key, value in self.fields.items():
            body.setdefault(key, _jsonable(value))
        return body


def _jsonable(value: Any) -> Any:
    if isinstance(value, Finding):
        return value.as_dict()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class ConfigurationError(EdepotError):
    code = "configuration"
    title = "Invalid configuration"
    http_status = 500
    exit_code = 78  # EX_CONFIG


class InvalidInput(EdepotError):
    code = "invalid-input"
    title = "Invalid input"
    http_status = 422
    exit_code = 65  # EX_DATAERR


class UnsafeInput(InvalidInput):
    """Input that tries something hostile (DTD, entities, path traversal, bombs)."""

    code = "unsafe-input"
    title = "Unsafe input refused"


class SubmissionRejected(InvalidInput):
    """A whole submission refused; `findings` lists every problem, nothing was stored."""

    code = "submission-rejected"
    title = "Submission rejected"

    def __init__(self, message: str, findings: Sequence[Finding], **fields: Any) -> None:
        super().__init__(message, findings=list(findings), **fields)
        self.findings = list(findings)


class BagInvalid(InvalidInput):
    code = "bag-invalid"
    title = "Bag invalid"
    exit_code = 1

    def __init__(self, message: str, findings: Sequence[Finding], **fields: Any) -> None:
        super().__init__(message, findings=list(findings), **fields)
        self.findings = list(findings)


class NotFound(EdepotError):
    code = "not-found"
    title = "Not found"
    http_status = 404
    exit_code = 66  # EX_NOINPUT


class Conflict(EdepotError):
    code = "conflict"
    title = "Conflict"
    http_status = 409
    exit_code = 73  # EX_CANTCREAT


class ObjectExists(Conflict):
    """Write-once storage refused to overwrite an object with different content."""

    code = "object-exists"
    title = "Object already stored"


class InvalidTransition(Conflict):
    code = "invalid-transition"
    title = "Status change not allowed"


class FixityError(EdepotError):
    """Bytes read back do not match the ledger: the object is altered, swapped or missing."""

    code = "fixity-mismatch"
    title = "Fixity check failed"
    http_status = 500
    exit_code = 74  # EX_IOERR


class StorageError(EdepotError):
    code = "storage"
    title = "Storage unavailable"
    http_status = 503
    exit_code = 74


class IntegrityBroken(EdepotError):
    """The event log's hash chain does not verify."""

    code = "event-chain-broken"
    title = "Event log integrity broken"
    http_status = 500
    exit_code = 1
