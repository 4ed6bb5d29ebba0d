"""Replicas: one ObjectStore over several copies. The ObjectStore contract holds for it as a whole
(the contract suite runs on a filesystem + memory pair), and each copy gets every object.
The store settings (`EDEPOT_REPLICAS`) choose the copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from edepot.errors import ConfigurationError, NotFound
from edepot.settings import Settings
from edepot.storage import FilesystemObjectStore, InMemoryObjectStore
from edepot.storage.config import build_store, replica_names, s3_settings_for
from edepot.storage.replicas import Replicas, copies_of, copy_named
from edepot.storage.s3 import S3ObjectStore
from tests.unit.storage import test_store_contract as contract

globals().update({name: test for name, test in vars(contract).items() if name.startswith("test_")})
Source = contract.Source
source = contract.source
KEY = contract.KEY
S3_ENV = {"EDEPOT_S3_BUCKET": "aips", "EDEPOT_S3_ACCESS_KEY": "edepot", "EDEPOT_S3_SECRET_KEY": "a-long-secret"}


@pytest.fixture
def store(tmp_path: Path) -> Replicas:
    return Replicas([FilesystemObjectStore(tmp_path / "fs", name="schijf"), InMemoryObjectStore("geheugen")])


@pytest.fixture
def verifying_store(tmp_path: Path) -> Replicas:
    return Replicas([InMemoryObjectStore("een"), FilesystemObjectStore(tmp_path / "fs", hardlink=False)])


def test_replicas_need_two_stores_with_distinct_names() -> None:
    with pytest.raises(ConfigurationError, match="at least two"):
        Replicas([InMemoryObjectStore("een")])
    with pytest.raises(ConfigurationError, match="distinct names"):
        Replicas([InMemoryObjectStore("een"), InMemoryObjectStore("een")])


def test_a_put_lands_in_every_copy_and_a_directory_is_never_published_in_one_step(
    store: Replicas, source: Source, tmp_path: Path
) -> None:
    path, digest = source(b"archief")
    store.put(KEY, path, digest)

    for copy in copies_of(store):
        with copy.open(KEY) as handle:
            assert handle.read() == b"archief"
    staged = tmp_path / "bag"
    staged.mkdir()
    (staged / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    assert store.publish_directory("aips/x", staged) is False and (staged / "bagit.txt").exists()


def test_a_copy_that_lost_an_object_is_read_over_and_still_lists_it(store: Replicas, source: Source) -> None:
    path, digest = source(b"archief")
    store.put(KEY, path, digest)
    memory = copy_named(store, "geheugen")
    assert isinstance(memory, InMemoryObjectStore)
    first = copy_named(store, "schijf")
    assert isinstance(first, FilesystemObjectStore)
    (first.root / KEY).unlink()

    with store.open(KEY) as handle:
        assert handle.read() == b"archief"
    assert store.size(KEY) == 7 and store.exists(KEY) and list(store.keys()) == [KEY]
    memory.remove(KEY)
    with pytest.raises(NotFound):
        store.open(KEY)
    with pytest.raises(NotFound, match="copies are: schijf, geheugen"):
        copy_named(store, "s3")


def test_a_plain_store_is_its_own_single_copy() -> None:
    only = InMemoryObjectStore("alleen")
    assert copies_of(only) == (only,)


def test_lock_and_legal_hold_reach_only_the_copies_that_have_them(store: Replicas, source: Source) -> None:
    path, digest = source(b"archief")
    store.put(KEY, path, digest)
    assert store.lockable() == [] and store.get_retention(KEY) is None
    assert store.set_legal_hold(KEY, True) == []


# --- settings ------------------------------------------------------------------------------------


def test_unknown_duplicate_or_unconfigured_stores_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="unknown"):
        replica_names({"EDEPOT_REPLICAS": "filesystem,tape"})
    with pytest.raises(ConfigurationError, match="twice"):
        replica_names({"EDEPOT_REPLICAS": "s3,s3"})
    with pytest.raises(ConfigurationError, match="EDEPOT_S3_BUCKET"):
        s3_settings_for("s3", {"EDEPOT_REPLICAS": "filesystem,s3"})
    with pytest.raises(ConfigurationError, match="REPLICA_BUCKET is not set"):
        s3_settings_for("s3-replica", S3_ENV)
    with pytest.raises(ConfigurationError, match="one copy, not two"):
        s3_settings_for("s3-replica", {**S3_ENV, "EDEPOT_S3_REPLICA_BUCKET": "aips"})


def test_the_default_is_the_filesystem_or_s3_and_a_replica_bucket_adds_a_second_copy() -> None:
    assert replica_names({}) == ["filesystem"]
    assert replica_names(S3_ENV) == ["s3"]
    assert replica_names({**S3_ENV, "EDEPOT_S3_REPLICA_BUCKET": "aips-b"}) == ["s3", "s3-replica"]
    assert replica_names({**S3_ENV, "EDEPOT_REPLICAS": " filesystem , S3 "}) == ["filesystem", "s3"]
    replica = s3_settings_for(
        "s3-replica", {**S3_ENV, "EDEPOT_S3_REPLICA_BUCKET": "aips-b", "EDEPOT_S3_REPLICA_ENDPOINT": "https://b.nl"}
    )
    assert (replica.bucket, replica.endpoint, replica.access_key) == ("aips-b", "https://b.nl", "edepot")


def test_build_store_makes_replicas_of_a_filesystem_and_a_bucket_without_a_network_call(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    env = {**S3_ENV, "EDEPOT_S3_ENDPOINT": "http://127.0.0.1:9", "EDEPOT_REPLICAS": "filesystem,s3"}

    store = build_store(settings, env)

    assert isinstance(store, Replicas)
    fs, s3 = store.copies
    assert isinstance(fs, FilesystemObjectStore) and fs.root == tmp_path / "objects" and fs.name == "filesystem"
    assert isinstance(s3, S3ObjectStore) and s3.bucket == "aips" and s3.name == "s3"
    assert isinstance(build_store(settings, {}), FilesystemObjectStore)
