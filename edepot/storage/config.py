"""Which object stores edepot uses, from `EDEPOT_*` settings: one store, or replicas of several.

| variable | meaning |
|---|---|
| EDEPOT_REPLICAS | comma-separated copies, in order: `filesystem`, `s3`, `s3-replica`. Default: `s3` when S3 is |
| | configured (`s3,s3-replica` with a replica bucket), else `filesystem` |
| EDEPOT_S3_* | the S3 bucket of the copy `s3` (see `edepot.storage.s3_settings`) |
| EDEPOT_S3_REPLICA_BUCKET | the bucket of the copy `s3-replica` |
| EDEPOT_S3_REPLICA_ENDPOINT, ..._ACCESS_KEY, ..._SECRET_KEY, ..._REGION | another server for `s3-replica` |

The copy names (`filesystem`, `s3`, `s3-replica`) are what the catalog records per AIP copy, so they
must stay stable. The filesystem copy lives in `EDEPOT_STORE_PATH` (default `<EDEPOT_HOME>/objects`).
Building makes no network call; `ensure_buckets` creates or checks the buckets (Object Lock and
versioning) and is what `edepot init` should run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from edepot.errors import ConfigurationError
from edepot.ports import Clock, ObjectStore
from edepot.settings import Settings
from edepot.storage.s3_settings import S3Settings

KINDS = ("filesystem", "s3", "s3-replica")


def replica_names(environ: Mapping[str, str] | None = None) -> list[str]:
    """The configured copies, in order (see the module doc)."""
    env = os.environ if environ is None else environ
    raw = env.get("EDEPOT_REPLICAS", "").strip()
    s3 = S3Settings.from_env(env) is not None
    if not raw:
        if not s3:
            return ["filesystem"]
        return ["s3", "s3-replica"] if env.get("EDEPOT_S3_REPLICA_BUCKET") else ["s3"]
    names = [part.strip().lower() for part in raw.split(",") if part.strip()]
    unknown = [n for n in names if n not in KINDS]
    if unknown or not names:
        raise ConfigurationError(
            f"EDEPOT_REPLICAS={raw!r} names unknown stores: {', '.join(unknown) or '(none)'}",
            hint=f"use a comma-separated list of {', '.join(KINDS)}",
            setting="EDEPOT_REPLICAS",
        )
    if len(set(names)) != len(names):
        raise ConfigurationError(
            f"EDEPOT_REPLICAS={raw!r} names a store twice", hint="each copy once", setting="EDEPOT_REPLICAS"
        )
    return names


def s3_settings_for(name: str, environ: Mapping[str, str] | None = None) -> S3Settings:
    """The S3 settings of the copy `s3` or `s3-replica`; ConfigurationError when they are missing."""
    env = os.environ if environ is None else environ
    main = S3Settings.from_env(env)
    if main is None:
        raise ConfigurationError(
            f"the store {name!r} is configured but EDEPOT_S3_BUCKET, EDEPOT_S3_ACCESS_KEY and "
            "EDEPOT_S3_SECRET_KEY are not set",
            hint="set them, or remove the S3 copies from EDEPOT_REPLICAS",
            setting="EDEPOT_S3_BUCKET",
        )
    if name == "s3":
        return main
    bucket = env.get("EDEPOT_S3_REPLICA_BUCKET", "").strip()
    if not bucket:
        raise ConfigurationError(
            "EDEPOT_REPLICAS names s3-replica but EDEPOT_S3_REPLICA_BUCKET is not set",
            hint="name a second bucket (on another site, or another server with EDEPOT_S3_REPLICA_ENDPOINT)",
            setting="EDEPOT_S3_REPLICA_BUCKET",
        )
    overrides: dict[str, Any] = {"bucket": bucket}
    for variable, field_name in (
        ("EDEPOT_S3_REPLICA_ENDPOINT", "endpoint"),
        ("EDEPOT_S3_REPLICA_ACCESS_KEY", "access_key"),
        ("EDEPOT_S3_REPLICA_SECRET_KEY", "secret_key"),
        ("EDEPOT_S3_REPLICA_REGION", "region"),
    ):
        if env.get(variable, "").strip():
            overrides[field_name] = env[variable].strip()
    if overrides.get("bucket") == main.bucket and "endpoint" not in overrides:
        raise ConfigurationError(
            "EDEPOT_S3_REPLICA_BUCKET is the same bucket as EDEPOT_S3_BUCKET: that is one copy, not two",
            hint="use a second bucket (preferably on another server or site)",
            setting="EDEPOT_S3_REPLICA_BUCKET",
        )
    return replace(main, **overrides)


def build_store(
    settings: Settings, environ: Mapping[str, str] | None = None, *, clock: Clock | None = None
) -> ObjectStore:
    """The ObjectStore of the configured copies: the store itself for one, `Replicas` for more."""
    from edepot.storage.filesystem import FilesystemObjectStore
    from edepot.storage.replicas import Replicas
    from edepot.storage.s3 import S3ObjectStore

    stores: list[ObjectStore] = []
    for name in replica_names(environ):
        if name == "filesystem":
            stores.append(FilesystemObjectStore(settings.objects_path, name="filesystem"))
        else:
            stores.append(S3ObjectStore.from_settings(s3_settings_for(name, environ), name=name, clock=clock))
    return stores[0] if len(stores) == 1 else Replicas(stores)


def ensure_buckets(environ: Mapping[str, str] | None = None) -> list[str]:
    """Create (or check) the bucket of every configured S3 copy, with Object Lock when a lock mode
    is set, and versioning; the buckets done. Network calls: run it from `edepot init`."""
    from edepot.storage.s3 import ensure_bucket, s3_client

    done = []
    for name in replica_names(environ):
        if name == "filesystem":
            continue
        s3 = s3_settings_for(name, environ)
        client = s3_client(s3.endpoint, s3.region, s3.access_key, s3.secret_key, max_attempts=s3.max_attempts)
        ensure_bucket(client, s3.bucket, object_lock=s3.lock_mode is not None)
        done.append(s3.bucket)
    return done


def describe(store: ObjectStore) -> str:
    """Where a copy is, in words for a report: 'bestandssysteem /srv/objects', 'S3-bucket x (endpoint)'."""
    root = getattr(store, "root", None)
    if root is not None:
        return f"schijf (bestandssysteem) {root}"
    bucket = getattr(store, "bucket", None)
    if bucket is not None:
        client = getattr(store, "client", None)
        endpoint = getattr(getattr(client, "meta", None), "endpoint_url", None)
        lock = getattr(getattr(store, "retention", None), "mode", None)
        where = f" op {endpoint}" if endpoint else ""
        locked = f", vergrendeld ({lock})" if lock else ""
        return f"objectopslag (S3-bucket {bucket}{where}{locked})"
    return f"opslag {store.name}"
