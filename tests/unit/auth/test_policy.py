"""The one policy table: who may do what, and what it refuses."""

from __future__ import annotations

from edepot.auth.policy import POLICY, Action, Role, allowed, parse_roles


def test_unknown_roles_and_no_roles_grant_nothing() -> None:
    assert not allowed([], Action.AIP_READ)
    assert not allowed(["admin", "root", "Beheerder"], Action.TOKEN_MANAGE)
    assert not allowed([Role.BEHEERDER], "aip.delete_everything")


def test_only_the_beheerder_manages_tokens_and_the_system() -> None:
    for action in (Action.TOKEN_MANAGE, Action.SYSTEM_MANAGE):
        assert {r for r in Role if allowed([r], action)} == {Role.BEHEERDER}


def test_destruction_is_proposed_by_dim_and_approved_by_the_archivaris_never_by_the_same_role() -> None:
    assert {r for r in Role if allowed([r], Action.RETENTION_PROPOSE)} == {Role.DIM}
    assert {r for r in Role if allowed([r], Action.RETENTION_APPROVE)} == {Role.ARCHIVARIS}


def test_only_the_woo_redacteur_publishes_redacts_and_retracts() -> None:
    for action in (Action.WOO_PUBLISH, Action.WOO_REDACT, Action.WOO_RETRACT):
        assert {r for r in Role if allowed([r], action)} == {Role.WOO_REDACTEUR}


def test_the_ingest_worker_submits_and_reads_aips_but_no_records() -> None:
    assert POLICY[Role.INGEST_WORKER] == {Action.SUBMISSION_CREATE, Action.SUBMISSION_READ, Action.AIP_READ}
    assert not allowed([Role.INGEST_WORKER], Action.RECORD_READ_RESTRICTED)


def test_any_one_role_that_grants_is_enough() -> None:
    assert allowed([Role.INGEST_WORKER, Role.ARCHIVARIS], Action.EVENTS_EXPORT)
    assert allowed(["unknown", "dim"], Action.SUBMISSION_CREATE)


def test_every_role_is_in_the_table_and_every_action_is_granted_to_someone() -> None:
    assert set(POLICY) == set(Role)
    assert {a for granted in POLICY.values() for a in granted} == set(Action)


def test_roles_from_an_identity_provider_keep_only_edepot_roles() -> None:
    assert parse_roles(["archivaris", "offline_access", "uma_authorization", "DIM", 7]) == {Role.ARCHIVARIS}  # type: ignore[list-item]
