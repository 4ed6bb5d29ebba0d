"""Who may do what: the roles, the actions and the ONE policy table (role x action). Pure.

Every internal route declares exactly one action (see `edepot.auth.require`); `allowed` decides
from this table alone. A feature that needs a new permission adds an `Action` member and the roles
that get it in `POLICY`; nothing else grants rights. Segregation of duties is deliberate: the DIM
team proposes destruction and the archivaris approves it; only the beheerder manages API tokens;
nobody but the Woo-redacteur publishes.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    DIM = "dim"  # DIM team: ingest, fix rejected batches, propose destruction and transfer
    ARCHIVARIS = "archivaris"  # provinciearchivaris: audits, approves, reads everything
    WOO_REDACTEUR = "woo-redacteur"  # publishes, redacts and retracts under the Woo
    INGEST_WORKER = "ingest-worker"  # service account of the ingest workers
    BEHEERDER = "beheerder"  # application manager: tokens, system maintenance


class Action(StrEnum):
    """`<subject>.<verb>`; later features add theirs here (and to POLICY)."""

    AIP_READ = "aip.read"
    AIP_EXPORT = "aip.export"
    RECORD_READ = "record.read"
    RECORD_READ_RESTRICTED = "record.read_restricted"  # records with a beperkingGebruik code
    SUBMISSION_CREATE = "submission.create"
    SUBMISSION_READ = "submission.read"
    EVENTS_READ = "events.read"
    EVENTS_EXPORT = "events.export"
    TOKEN_MANAGE = "token.manage"  # noqa: S105 - an action name
    AUDIT_READ = "audit.read"  # storage/fixity audit reports
    AUDIT_RUN = "audit.run"
    RETENTION_READ = "retention.read"
    RETENTION_PROPOSE = "retention.propose"  # destruction and transfer lists
    RETENTION_APPROVE = "retention.approve"
    SEARCH_INTERNAL = "search.internal"  # search over everything, restricted records included
    WOO_PUBLISH = "woo.publish"
    WOO_REDACT = "woo.redact"
    WOO_RETRACT = "woo.retract"
    SYSTEM_MANAGE = "system.manage"  # reindex, rebuild the catalog, settings


_READ = frozenset({Action.AIP_READ, Action.RECORD_READ, Action.RECORD_READ_RESTRICTED})

POLICY: dict[Role, frozenset[Action]] = {
    Role.DIM: _READ
    | {
        Action.AIP_EXPORT,
        Action.SUBMISSION_CREATE,
        Action.SUBMISSION_READ,
        Action.EVENTS_READ,
        Action.AUDIT_READ,
        Action.RETENTION_READ,
        Action.RETENTION_PROPOSE,
        Action.SEARCH_INTERNAL,
    },
    Role.ARCHIVARIS: _READ
    | {
        Action.AIP_EXPORT,
        Action.SUBMISSION_READ,
        Action.EVENTS_READ,
        Action.EVENTS_EXPORT,
        Action.AUDIT_READ,
        Action.AUDIT_RUN,
        Action.RETENTION_READ,
        Action.RETENTION_APPROVE,
        Action.SEARCH_INTERNAL,
    },
    Role.WOO_REDACTEUR: _READ | {Action.SEARCH_INTERNAL, Action.WOO_PUBLISH, Action.WOO_REDACT, Action.WOO_RETRACT},
    Role.INGEST_WORKER: frozenset({Action.AIP_READ, Action.SUBMISSION_CREATE, Action.SUBMISSION_READ}),
    Role.BEHEERDER: _READ
    | {
        Action.SUBMISSION_CREATE,
        Action.SUBMISSION_READ,
        Action.EVENTS_READ,
        Action.EVENTS_EXPORT,
        Action.TOKEN_MANAGE,
        Action.AUDIT_READ,
        Action.AUDIT_RUN,
        Action.SYSTEM_MANAGE,
    },
}


def allowed(roles: Iterable[Role | str], action: Action | str) -> bool:
    """True when any of `roles` may perform `action`; unknown roles and actions grant nothing."""
    for role in roles:
        try:
            granted = POLICY.get(Role(role), frozenset())
        except ValueError:
            continue
        if action in granted:
            return True
    return False


def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    """The known roles among `values` (e.g. from an OIDC claim); anything else is ignored."""
    known = {r.value for r in Role}
    return frozenset(Role(v) for v in values if isinstance(v, str) and v in known)
