"""Changes to a running service's corpus, as background jobs: add a document, remove one.

A job changes the corpus folder, builds and publishes a new index version (only what changed is
parsed and encoded again), and waits until the live service has switched to it: when a job
says ``succeeded`` the change is answerable. Jobs run one at a time on one worker thread, at a
lower CPU priority than the threads that answer searches, and a job that fails puts the corpus
back as it was, so a failed job changes nothing.

Every job is also a file, ``WORK/jobs/ID.json``, written whole (temporary name, fsync, rename)
whenever its status or stage changes, so ``GET /v1/jobs/{id}`` outlives a restart. A service that
stopped with jobs queued or running takes them up again when it starts: an upload waits in the
job's scratch folder until the job ends, and each step is one that may be done twice (adding a
file the corpus already holds, removing a document already gone), so the job ends as it would
have. A job whose upload is gone ends ``failed``, saying so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import queue
import shutil
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import CorpusError, CorpusFolder
from corpus.folder import Added, atomic_write
from index.seekdb.engine import EngineUrl
from index.seekdb.store import Connections, generation
from index.seekdb.sync import apply
from index.store import PolicyIndex
from qa.live import LiveService

log = logging.getLogger("policy_qa.jobs")
STATUSES = ("queued", "running", "succeeded", "failed")
NICENESS = 10  # how much less CPU the worker gets than the search threads (Linux thread priority)
KEEP_FINISHED = 1000  # finished jobs remembered for GET /v1/jobs/{id}


@dataclass
class Job:
    """One change and what became of it."""

    id: str
    kind: str  # add | remove
    target: str  # the uploaded file's name, or the id of the document to remove
    status: str = "queued"
    created: str = field(default_factory=lambda: _now())
    started: str | None = None
    finished: str | None = None
    stage: str | None = None  # reading, indexing, encoding, switching
    done: int = 0  # passages encoded so far
    total: int = 0  # passages to encode
    document: dict[str, Any] | None = None
    error: str | None = None
    version: str | None = None  # the index version that made the change live
    jurisdiction: str | None = None  # an add's place, as the upload gave it
    resumed: bool = False  # taken up again after a restart

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "target": self.target, "status": self.status,
                "created": self.created, "started": self.started, "finished": self.finished,
                "stage": self.stage, "progress": {"done": self.done, "total": self.total},
                "document": self.document, "error": self.error, "version": self.version}

    def to_record(self) -> dict[str, object]:
        """What the job's file holds: the API's view, and what it needs to be taken up again."""
        return {**self.to_json(), "jurisdiction": self.jurisdiction}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Job:
        progress = record.get("progress") or {}
        return cls(id=str(record["id"]), kind=str(record["kind"]), target=str(record["target"]),
                   status=str(record["status"]), created=str(record["created"]),
                   started=record.get("started"), finished=record.get("finished"),
                   stage=record.get("stage"), done=int(progress.get("done", 0)),
                   total=int(progress.get("total", 0)), document=record.get("document"),
                   error=record.get("error"), version=record.get("version"),
                   jurisdiction=record.get("jurisdiction"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class JobQueue:
    """Runs corpus changes one at a time in the background.

    Args:
        corpus: the corpus folder the live index is built from.
        index: the index root new versions are published to.
        cache: the cache folder (parsed documents, embeddings).
        live: the live service, switched when a job publishes.
        work: where uploaded files wait for their job, and replaced files until the job ends.
    """

    def __init__(self, corpus: Path, index: Path, cache: Path, live: LiveService, work: Path,
                 engine: EngineUrl | None = None) -> None:
        self.corpus = CorpusFolder(corpus)
        self.index = index
        self.engine = engine
        self.cache = cache
        self.live = live
        self.work = work
        self.store = work / "jobs"
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()
        self._resume()

    def start(self) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="corpus-jobs", daemon=True)
            self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=60)
            self._worker = None

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def submit_add(self, upload: Path, jurisdiction: str | None) -> Job:
        """Queue the addition of an uploaded file, which moves into the job's scratch folder
        (under its own name, which the corpus records as the document's source)."""
        job = self._new("add", upload.name, jurisdiction)
        scratch = self.work / job.id
        scratch.mkdir(parents=True, exist_ok=True)
        shutil.move(upload, scratch / upload.name)
        self._save(job)
        self._queue.put(job)
        return job

    def submit_remove(self, document_id: str) -> Job:
        """Queue the removal of a document.

        Raises:
            CorpusError: no document has this id (checked now, so the caller can say 404).
        """
        if self.corpus.find(document_id) is None:
            raise CorpusError(f"no document with the id {document_id!r} in the corpus")
        job = self._new("remove", document_id)
        self._save(job)
        self._queue.put(job)
        return job

    def _add(self, job: Job, scratch: Path) -> None:
        upload = scratch / job.target
        if not upload.is_file():
            raise CorpusError("the service stopped before this job finished and its upload is gone: "
                              "send the document again")
        self._stage(job, "reading")
        with self.corpus.lock():
            added = self.corpus.add(upload, job.jurisdiction, keep=scratch / "replaced")
            # Taken up after a restart, the file may be in the corpus already from the first run.
            changed_before = job.resumed and (job.document or {}).get("status") in ("added", "replaced")
            if added.status != "unchanged" or not changed_before:
                job.document = added.to_json()
            if added.status == "unchanged" and not changed_before:
                return
            self._save(job)
            self._publish(job, lambda: self.corpus.restore(scratch / "replaced", added.file),
                          names=[added.file])

    def _remove(self, job: Job, scratch: Path) -> None:
        self._stage(job, "removing")
        with self.corpus.lock():
            name = self.corpus.find(job.target)
            if name is None and not (job.resumed and job.document is not None):
                raise CorpusError(f"no document with the id {job.target!r} in the corpus")
            if name is not None:
                job.document = Added(self.corpus.load(name), "removed", name).to_json()
                self._save(job)
                self.corpus.remove([job.target], keep=scratch / "removed")
            self._publish(job, lambda: self.corpus.restore(scratch / "removed"), removed=[job.target])

    # Running ---------------------------------------------------------------------------------

    def _new(self, kind: str, target: str, jurisdiction: str | None = None) -> Job:
        job = Job(uuid.uuid4().hex[:12], kind, target, jurisdiction=jurisdiction)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        return job

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.status in ("succeeded", "failed")]
        for old in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[old.id]
            (self.store / f"{old.id}.json").unlink(missing_ok=True)

    def _save(self, job: Job) -> None:
        """Write the job's file whole; a full disk is logged, never fails the job."""
        try:
            self.store.mkdir(parents=True, exist_ok=True)
            data = json.dumps(job.to_record(), ensure_ascii=False, indent=1).encode()
            atomic_write(self.store / f"{job.id}.json", data)
        except OSError as error:
            log.warning("could not save job %s: %s", job.id, error)

    def _stage(self, job: Job, stage: str) -> None:
        if job.stage != stage:
            job.stage = stage
            self._save(job)

    def _resume(self) -> None:
        """Read the jobs a previous run left: finished ones are remembered, unfinished ones are
        queued again (oldest first), and scratch no job needs is removed."""
        jobs: list[Job] = []
        for path in sorted(self.store.glob("*.json")) if self.store.is_dir() else []:
            try:
                job = Job.from_record(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
                log.warning("ignoring the damaged job file %s: %s", path.name, error)
                path.unlink(missing_ok=True)
                continue
            if job.kind not in ("add", "remove") or job.status not in STATUSES or job.id != path.stem:
                log.warning("ignoring the job file %s: not a job this service wrote", path.name)
                path.unlink(missing_ok=True)
                continue
            jobs.append(job)
        jobs.sort(key=lambda job: job.created)
        for job in jobs:
            self._jobs[job.id] = job
            if job.status in ("queued", "running"):
                job.status, job.stage, job.resumed = "queued", None, True
                self._save(job)
                self._queue.put(job)
        self._forget_old()
        for path in self.work.iterdir() if self.work.is_dir() else []:
            pending = path.name in self._jobs and self._jobs[path.name].status == "queued"
            if path.is_dir() and path.name != self.store.name and not pending:
                shutil.rmtree(path, ignore_errors=True)

    def _publish(self, job: Job, undo: Callable[[], None], names: Sequence[str] = (),
                 removed: Sequence[str] = ()) -> None:
        """Build and publish a version with the corpus as it now is (the caller holds the lock),
        or with an engine, write the documents ``names`` and remove the documents ``removed``
        (one transaction each: other replicas' documents stay); then wait for the live service
        to switch to it. On failure, undo the corpus change."""
        service = self.live.current
        if service is None:
            undo()
            raise RuntimeError("the service has no index loaded yet: retry once /readyz is 200")
        self._stage(job, "indexing")

        def progress(total: int, missing: int) -> Callable[[int], None]:
            job.total, job.done = missing, 0
            job.stage = "encoding" if missing else "indexing"

            def tick(count: int) -> None:
                job.done += count

            return tick

        try:
            if self.engine is not None:
                apply(self.engine, self.corpus.path, service.index.encoder, service.index.analyzer,
                      self.cache, names, removed, progress)
                job.version = generation(Connections(self.engine))
            else:
                index = PolicyIndex.build(self.corpus.path, self.index, service.index.encoder,
                                          service.index.analyzer, self.cache, progress, locked=True)
                job.version = index.version
        except BaseException:
            undo()
            raise
        self._stage(job, "switching")
        self.live.refresh()

    def _run(self) -> None:
        _lower_priority()
        while True:
            job = self._queue.get()
            if job is None:
                return
            job.status, job.started = "running", job.started or _now()
            self._save(job)
            scratch = self.work / job.id
            scratch.mkdir(parents=True, exist_ok=True)
            try:
                (self._add if job.kind == "add" else self._remove)(job, scratch)
                job.status = "succeeded"
            except Exception as error:
                job.status, job.error = "failed", _message(error)
                if not isinstance(error, CorpusError):
                    log.exception("job %s failed", job.id)
            finally:
                job.finished, job.stage = _now(), None
                self._save(job)  # before the scratch goes: a restart in between finds it finished
                shutil.rmtree(scratch, ignore_errors=True)


def _message(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:500]


def _lower_priority() -> None:
    """Give this thread (Linux schedules threads as tasks) a lower CPU priority than searches."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
