"""Corpus maintenance over HTTP: upload a document, remove one, follow the job that does it.

Every route needs the admin key (``POLICY_QA_ADMIN_KEY``). A change runs as a background job
(:mod:`qa.jobs`): the request answers ``202`` with the job at once, and ``GET /v1/jobs/{id}`` says
when the document is live. What can be told without reading the document (no file, an empty
one, one over the limit, one already in the corpus, an unknown id) is refused at once.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile

from api import schemas
from api.app import get_jobs
from api.problems import Problem
from api.routes import PROBLEM
from corpus import CorpusError
from qa.jobs import KEEP_FINISHED, JobQueue

Jobs = Annotated[JobQueue, Depends(get_jobs)]
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {**PROBLEM, "description": description} for status, description in {
        401: "No admin key, or a wrong one", 403: "A read key, or writes disabled (no admin key set)",
        404: "No such document or job", 409: "The document is already in the corpus",
        413: "Upload over the limit", 422: "No file, or an empty one"}.items()}
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff〔〕（）()]+")


def _safe_name(name: str | None) -> str:
    """The upload's own name (the corpus records it as the document's source), without any path."""
    base = FilePath((name or "").replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip("._")[:120]
    return cleaned or "upload"


def _receive(file: UploadFile, folder: FilePath, limit: int) -> FilePath:
    """Save an upload under its own name, refusing an empty one or one over ``limit`` bytes."""
    path = folder / _safe_name(file.filename)
    size = 0
    with path.open("wb") as out:
        while chunk := file.file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise Problem(413, f"the upload is over the limit of {limit // 2**20} MiB",
                              "/problems/too-large")
            out.write(chunk)
    if size == 0:
        raise Problem(422, "the uploaded file is empty", "/problems/empty-upload")
    return path


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["maintenance"], responses=ERRORS)

    @router.post("/documents", status_code=202, response_model=schemas.JobOut,
                 openapi_extra={"requestBody": {"content": {"multipart/form-data": {}}}})
    def upload(request: Request, response: Response, jobs: Jobs,
               file: Annotated[UploadFile, File(description="The document: text, Markdown, HTML, "
                                                            ".docx, .doc, .wps, PDF or OFD.")],
               jurisdiction: Annotated[str | None, Form(max_length=50, description=(
                   "The place it belongs to, when its issuer, title and 文号 do not say."))] = None,
               ) -> Any:
        """Add a document (or a new version of one) to the corpus. Answers 202 with a job; the
        document is searchable when the job has `status: succeeded`."""
        settings = request.app.state.settings
        work = FilePath(settings.work) / "uploads"
        work.mkdir(parents=True, exist_ok=True)
        folder = FilePath(tempfile.mkdtemp(dir=work))
        try:
            path = _receive(file, folder, settings.max_upload_bytes)
            existing = jobs.corpus.holding(path.read_bytes())
            if existing is not None:
                raise Problem(409, f"this file is already in the corpus as {existing}", "/problems/duplicate")
            place = jurisdiction.strip() if jurisdiction and jurisdiction.strip() else None
            job = jobs.submit_add(path, place)  # the job takes the file
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        response.headers["Location"] = f"/v1/jobs/{job.id}"
        return job.to_json()

    @router.delete("/documents/{document_id}", status_code=202, response_model=schemas.JobOut)
    def remove(response: Response, jobs: Jobs,
               document_id: Annotated[str, Path(max_length=100, examples=["guangzhou-2022-4e0d61"])]
               ) -> Any:
        """Remove a document from the corpus. Answers 202 with a job; the document is gone from
        searches when the job has `status: succeeded`."""
        try:
            job = jobs.submit_remove(document_id)
        except CorpusError as error:
            raise Problem(404, str(error), "/problems/not-found") from error
        response.headers["Location"] = f"/v1/jobs/{job.id}"
        return job.to_json()

    @router.get("/jobs/{job_id}", response_model=schemas.JobOut)
    def job(jobs: Jobs, job_id: Annotated[str, Path(max_length=40)]) -> Any:
        """A job: `status` (queued, running, succeeded, failed), `stage`, `progress` of encoding,
        the document's metadata once read, and the error if it failed."""
        found = jobs.get(job_id)
        if found is None:
            raise Problem(404, f"no job {job_id!r} (the last {KEEP_FINISHED} finished jobs are kept)",
                          "/problems/not-found")
        return found.to_json()

    return router
