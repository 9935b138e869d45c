"""Changing the corpus of a running service: keys, uploads and removals as jobs, the switch to
each new index version between requests, and bad input that changes nothing."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from corpus import CorpusFolder
from corpus.gazetteer import default_gazetteer
from index.analysis import Analyzer
from index.store import PolicyIndex
from index.versions import IndexRoot
from qa.jobs import Job
from qa.search import Searcher
from qa.service import PolicyService
from tests.conftest import DATA
from tests.index.fakes import HashEncoder

ADMIN = {"X-API-Key": "admin-secret"}
READER = {"X-API-Key": "reader-secret"}
WORD = DATA / "fixtures" / "gz-jujia-shequ-yanglao-banfa-2022.docx"
NATIONAL = DATA / "national" / "shehui-baoxian-fa-2018.md"


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    """A service over its own corpus and index, with an admin key, switching every 0.1 s."""
    settings = make_site(tmp_path)
    with running(settings) as client:
        yield client, settings


def make_site(tmp_path: Path) -> Settings:
    corpus = CorpusFolder.working(tmp_path / "corpus")
    PolicyIndex.build(corpus.path, tmp_path / "index", HashEncoder(), analyzer_of(tmp_path / "cache"),
                      tmp_path / "cache")
    return Settings(index=tmp_path / "index", corpus=corpus.path, cache=tmp_path / "cache",
                    work=tmp_path / "work", admin_key="admin-secret", api_key="reader-secret",
                    watch_seconds=0.1, max_upload_bytes=2 * 1024 * 1024)


def analyzer_of(cache: Path) -> Analyzer:
    return Analyzer(cache / "jieba")


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    """The service over ``settings`` until the block ends (the app stops as a service would)."""
    analyzer = analyzer_of(settings.cache)

    def load(settings: Settings, previous: PolicyService | None) -> PolicyService:
        encoder = previous.index.encoder if previous else HashEncoder()
        index = PolicyIndex.load(settings.index, encoder, analyzer)
        return PolicyService(Searcher(index, default_gazetteer()))

    app = create_app(settings, load=load, published=IndexRoot(settings.index).current_id)
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(500):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.01)
        yield client


def upload(client: TestClient, path: Path, headers: dict[str, str] = ADMIN, **form: str) -> Any:
    with path.open("rb") as handle:
        return client.post("/v1/documents", files={"file": (path.name, handle)}, data=form, headers=headers)


def finished(client: TestClient, response: Any, seconds: float = 120, status: int = 202) -> dict[str, Any]:
    """The job of a 202 answer (or of a ``GET /v1/jobs/{id}`` answer), once it has ended."""
    assert response.status_code == status, response.text
    location = f"/v1/jobs/{response.json()['id']}"
    assert response.headers.get("Location", location) == location
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(location, headers=ADMIN).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {location} did not finish")


def version(client: TestClient) -> str:
    info: dict[str, Any] = client.get("/v1/info", headers=READER).json()
    return str(info["version"])


def test_keys_guard_the_writes(site: tuple[TestClient, Settings], tmp_path: Path) -> None:
    client, _ = site
    assert upload(client, WORD, headers={}).status_code == 401
    assert upload(client, WORD, headers={"X-API-Key": "wrong"}).status_code == 401
    refused = upload(client, WORD, headers=READER)
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/admin-key"
    assert client.delete("/v1/documents/rugao-2023", headers=READER).status_code == 403
    # The admin key may read too; the read key reads.
    assert client.get("/v1/documents", headers=ADMIN).status_code == 200
    assert client.get("/v1/documents", headers=READER).status_code == 200
    assert client.get("/v1/documents").status_code == 401


def test_without_an_admin_key_writes_are_disabled(service: PolicyService) -> None:
    app = create_app(Settings(), load=lambda _settings, _previous: service)
    with TestClient(app) as client:
        answer = client.post("/v1/documents", files={"file": ("a.txt", b"x")})
        assert answer.status_code == 403 and "POLICY_QA_ADMIN_KEY" in answer.json()["detail"]
        assert client.delete("/v1/documents/rugao-2023").status_code == 403


def test_an_upload_becomes_searchable_and_a_removal_disappears(site: tuple[TestClient, Settings]) -> None:
    client, settings = site
    before = version(client)
    job = finished(client, upload(client, WORD))
    assert job["status"] == "succeeded", job
    document = job["document"]
    assert (document["status"], document["jurisdiction"], document["format"]) == ("added", "广州市", "docx")
    assert job["version"] == version(client) != before
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    hits = client.post("/v1/search", headers=READER, json={
        "query": "街镇级综合养老服务中心每处建筑面积", "jurisdiction": "广州市", "top_k": 3}).json()["hits"]
    assert hits[0]["document"]["id"] == document["id"] and hits[0]["relation"] == "exact"
    # The same bytes again are refused at once; removing makes the document disappear.
    duplicate = upload(client, WORD)
    assert duplicate.status_code == 409 and document["id"] in duplicate.json()["detail"]
    removal = finished(client, client.delete(f"/v1/documents/{document['id']}", headers=ADMIN))
    assert removal["status"] == "succeeded" and removal["document"]["status"] == "removed"
    ids = {d["id"] for d in client.get("/v1/documents", headers=READER).json()["documents"]}
    assert document["id"] not in ids and "rugao-2023" in ids
    assert CorpusFolder(settings.corpus).find(document["id"]) is None


def test_bad_uploads_change_nothing(site: tuple[TestClient, Settings], tmp_path: Path) -> None:
    client, settings = site
    live, corpus = version(client), CorpusFolder(settings.corpus).hash()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert upload(client, empty).status_code == 422
    assert client.post("/v1/documents", headers=ADMIN, data={"jurisdiction": "广州市"}).status_code == 422
    big = tmp_path / "big.txt"
    big.write_bytes("养老服务。".encode() * 200_000)  # 3 MB, over this service's 2 MiB limit
    too_large = upload(client, big)
    assert too_large.status_code == 413 and "2 MiB" in too_large.json()["detail"]
    assert client.delete("/v1/documents/nope-2020-000000", headers=ADMIN).status_code == 404
    assert client.get("/v1/jobs/nope", headers=ADMIN).status_code == 404
    image = tmp_path / "scan.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    failed = finished(client, upload(client, image))
    assert failed["status"] == "failed" and "PNG image" in failed["error"]
    noplace = tmp_path / "notice.txt"
    noplace.write_text("关于加强养老服务的通知\n各单位：\n一、总体要求\n（一）加强服务。各单位要认真落实养老服务工作，"
                       "提高服务质量。\n", encoding="utf-8")
    failed = finished(client, upload(client, noplace))
    assert failed["status"] == "failed" and "jurisdiction" in failed["error"]
    assert (version(client), CorpusFolder(settings.corpus).hash()) == (live, corpus)
    # The same file with the place given goes in.
    placed = finished(client, upload(client, noplace, jurisdiction="广州市"))
    assert placed["status"] == "succeeded" and placed["document"]["jurisdiction"] == "广州市"


def test_two_uploads_at_once_both_end_up_in_the_corpus(site: tuple[TestClient, Settings]) -> None:
    client, _ = site
    responses: list[Any] = []
    threads = [threading.Thread(target=lambda p=path: responses.append(upload(client, p)))
               for path in (WORD, NATIONAL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    jobs = [finished(client, response) for response in responses]
    assert [job["status"] for job in jobs] == ["succeeded", "succeeded"]
    ids = {d["id"] for d in client.get("/v1/documents", headers=READER).json()["documents"]}
    assert {job["document"]["id"] for job in jobs} <= ids and len(ids) == 7


def test_requests_in_flight_finish_on_their_version(site: tuple[TestClient, Settings]) -> None:
    """A switch-over swaps one reference: a request holding the old service answers from it,
    new requests get the new one, and /readyz stays 200 throughout."""
    client, settings = site
    state = client.app.state.policy  # type: ignore[attr-defined]
    old = state.live.current
    statuses: list[int] = []
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            statuses.append(client.get("/readyz").status_code)
            statuses.append(client.post("/v1/search", headers=READER, json={"query": "养老服务"}).status_code)

    prober = threading.Thread(target=probe)
    prober.start()
    folder = CorpusFolder(settings.corpus)
    with folder.lock():
        folder.add(NATIONAL)
    # Published by someone else (as `policy-qa build` would): the watcher notices and switches.
    PolicyIndex.build(settings.corpus, settings.index, HashEncoder(), old.index.analyzer, settings.cache)
    deadline = time.monotonic() + 30
    while state.live.current is old and time.monotonic() < deadline:
        time.sleep(0.05)
    switched = len(statuses)
    # Probes of the new version too, and enough in all to mean something.
    while len(statuses) < max(switched + 6, 12) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    prober.join()
    new = state.live.current
    assert new is not old and new.index.version == IndexRoot(settings.index).current_id()
    assert set(statuses) == {200} and len(statuses) > 10
    # The old version still answers a request that holds it, from its own documents.
    assert "china-2010-d57fb6" not in old.index.documents and "china-2010-d57fb6" in new.index.documents
    assert old.search("养老服务").hits


def test_jobs_outlive_a_restart_and_unfinished_ones_are_taken_up(tmp_path: Path) -> None:
    settings = make_site(tmp_path)
    with running(settings) as client:
        done = finished(client, upload(client, WORD))
        assert done["status"] == "succeeded"
    # What a service killed in the middle of its jobs leaves in its work folder (the job files
    # as the queue writes them, and the scratch folders):
    work, store = settings.work, settings.work / "jobs"
    corpus = CorpusFolder(settings.corpus)

    def left(job: Job) -> Job:
        (store / f"{job.id}.json").write_text(json.dumps(job.to_record()), encoding="utf-8")
        return job

    # killed while encoding an upload, which waits in the job's scratch folder;
    adding = left(Job("a0000000000a", "add", NATIONAL.name, status="running", stage="encoding"))
    (work / adding.id).mkdir()
    shutil.copy(NATIONAL, work / adding.id / NATIONAL.name)
    # killed after removing a document from the corpus, before publishing the version without it;
    removing = Job("b0000000000b", "remove", "rugao-2023", status="running", stage="indexing")
    removing.document = {"id": "rugao-2023", "status": "removed"}
    corpus.remove(["rugao-2023"], keep=work / removing.id / "removed")
    left(removing)
    # queued, but its upload is gone; a job file that is not JSON; an upload still arriving.
    lost = left(Job("c0000000000c", "add", "lost.docx", status="queued"))
    (store / "d0000000000d.json").write_text('{"id": "d00', encoding="utf-8")
    (store / "e0000000000e.json").write_text(json.dumps(replace(lost, id="x").to_record()), encoding="utf-8")
    (work / "uploads" / "tmp1234").mkdir(parents=True)

    with running(settings) as client:
        assert client.get(f"/v1/jobs/{done['id']}", headers=ADMIN).json() == done
        job = finished(client, client.get(f"/v1/jobs/{adding.id}", headers=ADMIN), status=200)
        assert job["status"] == "succeeded" and job["document"]["status"] == "added", job
        assert job["version"] == version(client)
        hits = client.post("/v1/search", headers=READER, json={
            "query": "基本养老保险基金", "top_k": 3}).json()["hits"]
        assert hits[0]["document"]["id"] == job["document"]["id"]
        job = finished(client, client.get(f"/v1/jobs/{removing.id}", headers=ADMIN), status=200)
        assert job["status"] == "succeeded" and job["document"]["id"] == "rugao-2023", job
        ids = {d["id"] for d in client.get("/v1/documents", headers=READER).json()["documents"]}
        assert "rugao-2023" not in ids and done["document"]["id"] in ids
        job = finished(client, client.get(f"/v1/jobs/{lost.id}", headers=ADMIN), status=200)
        assert job["status"] == "failed" and "send the document again" in job["error"]
        for damaged in ("d0000000000d", "e0000000000e"):
            assert client.get(f"/v1/jobs/{damaged}", headers=ADMIN).status_code == 404
        assert sorted(path.name for path in work.iterdir()) == ["jobs"]
        assert sorted(path.name for path in store.iterdir()) == sorted(
            f"{id}.json" for id in (done["id"], adding.id, removing.id, lost.id))
