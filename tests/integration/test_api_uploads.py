"""POST /api/v1/submissions: a block uploaded as zip/tar.gz is ingested; hostile uploads are refused
whole (413, 422 with findings) and leave nothing behind."""

from __future__ import annotations

import io
import shutil
import socket
import stat
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from edepot.api import create_app
from edepot.auth.tokens import issue_token
from edepot.bootstrap import build
from edepot.sample import make_sample_block
from edepot.services import Services
from edepot.settings import Settings

MAX_UPLOAD = 8 * 1024 * 1024


@dataclass
class Site:
    services: Services
    client: TestClient
    headers: dict[str, str]
    block: Path

    def aips(self) -> int:
        return len(self.services.list_aips(limit=1000))

    def leftovers(self) -> list[Path]:
        uploads = self.services.settings.uploads_path
        return list(uploads.iterdir()) if uploads.exists() else []


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    settings = Settings(home=tmp_path_factory.mktemp("home"), max_upload_bytes=MAX_UPLOAD, public_rate_limit=None)
    services = build(settings)
    token = issue_token(services, name="dim", roles=["dim"], created_by="test").plaintext
    block = make_sample_block(tmp_path_factory.mktemp("supplier"))
    return Site(services, TestClient(create_app(services)), {"Authorization": f"Bearer {token}"}, block)


def zipped(folder: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = ()) -> bytes:  # type: ignore[assignment]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, f"{folder.name}/{path.relative_to(folder)}")
        for name, data in extra:
            bundle.writestr(name, data)
    return buffer.getvalue()


def tarred(members: list[tuple[str, bytes] | tarfile.TarInfo]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                bundle.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                bundle.addfile(info, io.BytesIO(member[1]))
    return buffer.getvalue()


def post(site: Site, body: bytes | Iterator[bytes], **params: str) -> tuple[int, dict]:
    response = site.client.post("/api/v1/submissions", content=body, params=params, headers=site.headers)
    return response.status_code, response.json()


def refused(site: Site, body: bytes) -> set[str]:
    before = site.aips()
    status, problem = post(site, body)
    assert status == 422, problem
    assert site.aips() == before and site.leftovers() == []
    return {f["rule"] for f in problem["findings"]}


# --- hostile --------------------------------------------------------------------------------------


def test_a_digitalisering_xml_with_a_dtd_and_entities_rejects_the_whole_upload(site: Site, tmp_path: Path) -> None:
    block = tmp_path / site.block.name
    shutil.copytree(site.block, block)
    (block / "digitalisering.json").unlink()
    (block / "digitalisering.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c SYSTEM "file:///etc/passwd">]>\n<digitalisering><scanner>&b;&c;</scanner></digitalisering>\n',
        encoding="utf-8",
    )
    status, problem = post(site, zipped(block))
    assert status == 422 and problem["type"].endswith("/submission-rejected")
    assert "analogue.description.unsafe_xml" in {f["rule"] for f in problem["findings"]}
    assert "root:" not in str(problem)  # /etc/passwd was never read
    assert site.aips() == 0 and site.leftovers() == []


def test_a_zip_bomb_is_refused(site: Site) -> None:
    assert refused(site, zipped(site.block, [("1987-1996/001/bomb.tif", bytes(64 * 1024 * 1024))])) == {"upload.bomb"}


def test_a_tar_bomb_is_refused(site: Site) -> None:
    assert refused(site, tarred([("1987-1996/001/bomb.tif", bytes(64 * 1024 * 1024))])) == {"upload.bomb"}


def test_path_traversal_in_a_zip_is_refused(site: Site) -> None:
    assert refused(site, zipped(site.block, [("1987-1996/../../../etc/cron.d/evil", b"* * * * * root sh")])) == {
        "upload.path.traversal"
    }


def test_path_traversal_and_absolute_names_in_a_tar_are_refused(site: Site) -> None:
    body = tarred([("1987-1996/001/a.tif", b"x"), ("1987-1996/../../evil", b"x"), ("/etc/evil", b"x")])
    assert refused(site, body) == {"upload.path.traversal", "upload.path.absolute"}


def test_a_symlink_member_is_refused(site: Site) -> None:
    link = zipfile.ZipInfo("1987-1996/001/passwd.tif")
    link.create_system, link.external_attr = 3, (stat.S_IFLNK | 0o777) << 16
    assert refused(site, zipped(site.block, [(link, b"/etc/passwd")])) == {"upload.member.link"}
    symlink = tarfile.TarInfo("1987-1996/001/passwd.tif")
    symlink.type, symlink.linkname = tarfile.SYMTYPE, "/etc/passwd"
    assert refused(site, tarred([symlink])) == {"upload.member.link"}


def test_something_that_is_not_an_archive_is_refused(site: Site) -> None:
    assert refused(site, b"%PDF-1.7\n" + bytes(1000)) == {"upload.format"}


def test_an_archive_without_one_block_folder_is_refused(site: Site) -> None:
    assert refused(site, tarred([("inventaris.csv", b"x"), ("001/a.tif", b"x")])) == {"upload.layout"}


def test_a_body_larger_than_the_limit_without_content_length_is_cut_off_with_413(site: Site) -> None:
    def endless() -> Iterator[bytes]:
        for _ in range(1000):
            yield bytes(64 * 1024)

    status, problem = post(site, endless())
    assert status == 413 and problem["limit"] == MAX_UPLOAD
    assert site.leftovers() == []


def test_without_the_right_role_an_upload_is_not_even_read(site: Site) -> None:
    anonymous = site.client.post("/api/v1/submissions", content=b"PK")
    assert anonymous.status_code == 401
    worker = issue_token(site.services, name="reader", roles=["archivaris"], created_by="test").plaintext
    denied = site.client.post("/api/v1/submissions", content=b"PK", headers={"Authorization": f"Bearer {worker}"})
    assert denied.status_code == 403


# --- accepted -------------------------------------------------------------------------------------


def test_a_zipped_block_is_ingested_with_a_receipt_a_dry_run_stores_nothing(site: Site) -> None:
    status, receipt = post(site, zipped(site.block), dry_run="true")
    assert status == 200 and receipt["status"] == "proef" and site.aips() == 0

    status, receipt = post(site, zipped(site.block))

    assert status == 201 and receipt["status"] == "geaccepteerd" and receipt["counts"]["packages"] == 5
    assert site.aips() == 5 and site.leftovers() == []
    events = list(site.services.catalog.events(object_id=receipt["submission_id"]))
    assert events and all("api-token:" in e.agent for e in events)  # the change names who made it


# --- 413 before the body is read (a real server, a raw socket) ------------------------------------


@pytest.fixture
def server(site: Site) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    services = replace(site.services, settings=replace(site.services.settings, max_upload_bytes=1024))
    config = uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(200):
        if instance.started:
            break
        time.sleep(0.05)
    yield port
    instance.should_exit = True
    thread.join(timeout=10)


def read_response(connection: socket.socket) -> str:
    """Head and body of one HTTP/1.1 response with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return (head + b"\r\n\r\n" + body).decode("latin-1")


def test_a_too_large_content_length_gets_413_before_any_body_byte_is_sent(site: Site, server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/submissions HTTP/1.1\r\nHost: edepot\r\n"
            + f"Authorization: {site.headers['Authorization']}\r\n".encode()
            + b"Content-Type: application/zip\r\nContent-Length: 10737418240\r\n\r\n"
        )  # ... and not one byte of the 10 GiB body
        answer = read_response(connection)
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "application/problem+json" in answer and "payload-too-large" in answer
