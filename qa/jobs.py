"""Changes to a running service's corpus, as background jobs: add a document, remove one.

A job changes the corpus folder, builds and publishes a new index version (only what changed is
parsed and encoded again), and waits until the live service has switched to it: when a job
says ``succeeded`` the change is answerable. Jobs run one at a time on one worker thread, at a
lower CPU priority than the threads that answer searches, and a job that fails puts the corpus
back as it was, so a failed job changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import queue
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import CorpusError, CorpusFolder
from corpus.folder import Added
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

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "target": self.target, "status": self.status,
                "created": self.created, "started": self.started, "finished": self.finished,
                "stage": self.stage, "progress": {"done": self.done, "total": self.total},
                "document": self.document, "error": self.error, "version": self.version}


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

    def __init__(self, corpus: Path, index: Path, cache: Path, live: LiveService, work: Path) -> None:
        self.corpus = CorpusFolder(corpus)
        self.index = index
        self.cache = cache
        self.live = live
        self.work = work
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[tuple[Job, Callable[[Job, Path], None]] | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()

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
        job = self._new("add", upload.name)
        scratch = self.work / job.id
        scratch.mkdir(parents=True, exist_ok=True)
        upload = Path(shutil.move(upload, scratch / upload.name))

        def add(job: Job, scratch: Path) -> None:
            job.stage = "reading"
            with self.corpus.lock():
                added = self.corpus.add(upload, jurisdiction, keep=scratch / "replaced")
                job.document = added.to_json()
                if added.status == "unchanged":
                    return
                self._publish(job, lambda: self.corpus.restore(scratch / "replaced", added.file))

        self._queue.put((job, add))
        return job

    def submit_remove(self, document_id: str) -> Job:
        """Queue the removal of a document.

        Raises:
            CorpusError: no document has this id (checked now, so the caller can say 404).
        """
        if self.corpus.find(document_id) is None:
            raise CorpusError(f"no document with the id {document_id!r} in the corpus")
        job = self._new("remove", document_id)

        def remove(job: Job, scratch: Path) -> None:
            job.stage = "removing"
            with self.corpus.lock():
                name = self.corpus.find(document_id)
                if name is None:
                    raise CorpusError(f"no document with the id {document_id!r} in the corpus")
                job.document = Added(self.corpus.load(name), "removed", name).to_json()
                self.corpus.remove([document_id], keep=scratch / "removed")
                self._publish(job, lambda: self.corpus.restore(scratch / "removed"))

        self._queue.put((job, remove))
        return job

    # Running ---------------------------------------------------------------------------------

    def _new(self, kind: str, target: str) -> Job:
        job = Job(uuid.uuid4().hex[:12], kind, target)
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.status in ("succeeded", "failed")]
            for old in finished[:max(0, len(finished) - KEEP_FINISHED)]:
                del self._jobs[old.id]
        return job

    def _publish(self, job: Job, undo: Callable[[], None]) -> None:
        """Build and publish a version with the corpus as it now is (the caller holds the lock),
        then wait for the live service to switch to it; on failure, undo the corpus change."""
        service = self.live.current
        if service is None:
            undo()
            raise RuntimeError("the service has no index loaded yet: retry once /readyz is 200")
        job.stage = "indexing"

        def progress(total: int, missing: int) -> Callable[[int], None]:
            job.total, job.done = missing, 0
            job.stage = "encoding" if missing else "indexing"

            def tick(count: int) -> None:
                job.done += count

            return tick

        try:
            index = PolicyIndex.build(self.corpus.path, self.index, service.index.encoder,
                                      service.index.analyzer, self.cache, progress, locked=True)
        except BaseException:
            undo()
            raise
        job.version = index.version
        job.stage = "switching"
        self.live.refresh()

    def _run(self) -> None:
        _lower_priority()
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, work = item
            job.status, job.started = "running", _now()
            scratch = self.work / job.id
            scratch.mkdir(parents=True, exist_ok=True)
            try:
                work(job, scratch)
                job.status = "succeeded"
            except Exception as error:
                job.status, job.error = "failed", _message(error)
                if not isinstance(error, CorpusError):
                    log.exception("job %s failed", job.id)
            finally:
                job.finished, job.stage = _now(), None
                shutil.rmtree(scratch, ignore_errors=True)


def _message(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:500]


def _lower_priority() -> None:
    """Give this thread (Linux schedules threads as tasks) a lower CPU priority than searches."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
