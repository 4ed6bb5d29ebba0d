"""The publication job (JobKind.PUBLICATION) through the JobService and its inline JobRunner on the real
Woo e-depot (SQLite): bad payloads go to the dead-letter list, a publish job publishes and fills the
sitemaps, and keys make a resubmission the same job."""

from __future__ import annotations

import pytest

from edepot.job_service import build_jobs
from edepot.jobs import JobKind, JobStatus
from edepot.woo_jobs import publication_payload, submit_publication
from edepot.woo_metadata import NieuwePublicatie
from edepot.worker_settings import WorkerSettings
from tests.integration.woo_service.conftest import World


def concept(world: World, record: object) -> str:
    return world.woo.create(
        NieuwePublicatie.uit_json(
            {
                "officiele_titel": "Besluit subsidie natuurbeheer",
                "informatiecategorieen": ["beschikkingen"],
                "documenten": [
                    {
                        "record_id": str(record.id),  # type: ignore[attr-defined]
                        "documenthandelingen": [{"soort": "vaststelling", "tijdstip": "2025-05-28T10:00:00+02:00"}],
                    }
                ],
            }
        ),
        "redacteur",
    ).id


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        ({"action": "herschrijven"}, "unknown action"),
        ({"action": "publish"}, "needs the publicatie id"),
        ({"action": "sitemaps", "publicatie": "pub-1"}, "takes no publicatie"),
        ({"action": "sitemaps", "extra": 1}, "unknown field"),
    ],
)
def test_a_bad_publication_payload_is_refused_naming_the_problem(payload: dict[str, object], complaint: str) -> None:
    from edepot.errors import InvalidInput

    with pytest.raises(InvalidInput, match=complaint):
        publication_payload(payload)


def test_a_publish_job_for_an_unknown_publicatie_goes_to_the_dead_letter_list(world: World) -> None:
    jobs = build_jobs(world.services, WorkerSettings())
    job = jobs.submit(JobKind.PUBLICATION, {"action": "publish", "publicatie": "pub-bestaat-niet"}, "k-1").job
    assert (job.status, job.attempts) == (JobStatus.DEAD, 1) and "does not exist" in (job.last_error or "")


def test_a_publish_job_publishes_fills_the_sitemaps_and_a_resubmission_is_the_same_job(world: World) -> None:
    jobs = build_jobs(world.services, WorkerSettings())
    publicatie = concept(world, world.open)

    first = submit_publication(jobs, {"action": "publish", "publicatie": publicatie, "door": "redacteur"})
    again = submit_publication(jobs, {"action": "publish", "publicatie": publicatie, "door": "redacteur"})

    job = first.job
    assert job.status is JobStatus.DONE, job.last_error
    assert job.result == {"action": "publish", "publicatie": publicatie, "status": "gepubliceerd"}
    assert again.duplicate and again.job.id == job.id
    (stuk,) = world.woo.catalog.stukken(publicatie)
    assert set(world.woo.catalog.sitemap_state().bestand_van()) == {stuk.url}


def test_a_sitemaps_job_writes_nothing_when_up_to_date_and_is_keyed_by_what_happened(world: World) -> None:
    jobs = build_jobs(world.services, WorkerSettings())
    world.woo.publish(concept(world, world.open), "redacteur")

    first = submit_publication(jobs, {"action": "sitemaps"})
    assert first.job.status is JobStatus.DONE, first.job.last_error
    assert first.job.result is not None and first.job.result["geschreven"] == [] and first.job.result["urls"] == 1
    assert submit_publication(jobs, {"action": "sitemaps"}).duplicate

    world.woo.publish(concept(world, world.tekst), "redacteur")  # an event: a new sitemaps job
    later = submit_publication(jobs, {"action": "sitemaps"})
    assert not later.duplicate and later.job.status is JobStatus.DONE
    assert later.job.result is not None and later.job.result["urls"] == 2


def test_jobs_submit_publication_from_the_command_line_publishes_and_reconciles_the_sitemaps(world: World) -> None:
    import json

    from click.testing import CliRunner

    from edepot.cli import main

    def run(*args: str) -> tuple[int, dict[str, object]]:
        result = CliRunner().invoke(
            main, ["jobs", "submit", "publication", *args, "--json"], obj={"settings": world.services.settings}
        )
        return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {"output": result.output}

    code, refused = run("publish")
    assert code != 0 and "needs the publicatie id" in json.dumps(refused)
    code, refused = run("sitemaps", "pub-1")
    assert code != 0 and "takes no publicatie" in json.dumps(refused)

    publicatie = concept(world, world.open)
    code, gepubliceerd = run("publish", publicatie)
    assert code == 0 and gepubliceerd["kind"] == "publication" and gepubliceerd["status"] == "done", gepubliceerd
    assert gepubliceerd["result"] == {"action": "publish", "publicatie": publicatie, "status": "gepubliceerd"}
    assert world.woo.catalog.get_publicatie(publicatie).status == "gepubliceerd"
    assert world.woo.catalog.sitemap_state().urls() == 1

    code, sitemaps = run("sitemaps")
    assert code == 0 and sitemaps["status"] == "done", sitemaps
    assert sitemaps["result"]["geschreven"] == [] and sitemaps["result"]["urls"] == 1  # already up to date
