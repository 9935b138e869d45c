"""A document uploaded to, then removed from, a running service under a continuous search load:
how long until each change is answerable, and whether any search failed during the switch-overs.

Usage::

    .venv/bin/python bench/live_update.py [--clients 4] [--document FILE] [--rounds 2]

It copies the working corpus (var/corpus, the default documents if missing) and its index into
a temporary folder, starts `policy-qa serve` on them with an admin key on a free loopback port,
and while --clients threads send POST /v1/search continuously (public-set questions), uploads
--document (default: a real national law from tests/data/national, which no corpus holds) over HTTP,
waits for its job, checks the document is answered, removes it and waits again; --rounds times.
It prints the time from upload to searchable and from removal to gone, the search latency and
the statuses of every search, and the server's memory (RSS) before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_latency import free_port, wait_ready  # noqa: E402
from qa.evaluation import load_questions  # noqa: E402

ADMIN = {"X-API-Key": "bench-admin"}
NATIONAL = ROOT / "tests" / "data" / "national" / "shehui-baoxian-fa-2018.md"
# Answered by the national law once it is live: the one question the probe asks after each upload.
PROBE = {"query": "职工基本养老保险费由谁缴纳", "jurisdiction": "北京市", "top_k": 1}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Load:
    def __init__(self, base: str, clients: int, questions: list[str]) -> None:
        self.results: list[tuple[float, int, float]] = []  # (time, status, seconds)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(base, questions[i::clients]), daemon=True)
                         for i in range(clients)]

    def _run(self, base: str, questions: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            index = 0
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    status = client.post("/v1/search", json={"query": questions[index % len(questions)],
                                                             "top_k": 5}).status_code
                except httpx.HTTPError:
                    status = 0
                self.results.append((started, status, time.monotonic() - started))
                index += 1

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def wait_job(client: httpx.Client, response: httpx.Response) -> dict[str, object]:
    if response.status_code != 202:
        raise SystemExit(f"the service refused the change: {response.status_code} {response.text}")
    while True:
        job: dict[str, object] = client.get(response.headers["Location"], headers=ADMIN).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--document", type=Path, default=NATIONAL)
    parser.add_argument("--probe", default=PROBE["query"], help="a question the document answers")
    parser.add_argument("--jurisdiction", default=PROBE["jurisdiction"], help="the place to ask it for")
    parser.add_argument("--corpus", type=Path, default=ROOT / "var" / "corpus")
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "cache")
    args = parser.parse_args()
    questions = [q.question for q in load_questions(ROOT / "qa" / "eval" / "public.jsonl")]
    work = Path(tempfile.mkdtemp(prefix="live-update-"))
    script = Path(sys.executable).parent / "policy-qa"
    if args.corpus.is_dir():
        shutil.copytree(args.corpus, work / "corpus")
    if args.index.is_dir():
        shutil.copytree(args.index, work / "index", symlinks=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "POLICY_QA_ADMIN_KEY": ADMIN["X-API-Key"], "POLICY_QA_API_KEY": "",
           "POLICY_QA_WATCH_SECONDS": "1", "POLICY_QA_WORK": str(work / "work")}
    server = subprocess.Popen([str(script), "serve", "--port", str(port), "--corpus", str(work / "corpus"),
                               "--index", str(work / "index"), "--cache", str(args.cache)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop_load = None
    try:
        wait_ready(base, 900)
        with httpx.Client(base_url=base, timeout=120) as client:
            info = client.get("/v1/info").json()
            counts = info["counts"]
            print(f"corpus: {counts['documents']} documents, {counts['provisions']} provisions "
                  f"(index version {info['version']}); document: {args.document.name}; "
                  f"{args.clients} clients searching continuously\n")
            memory = [rss_mib(server.pid)]
            load = Load(base, args.clients, questions)
            load.start()
            stop_load = load.stop
            time.sleep(3)
            for round_ in range(1, args.rounds + 1):
                started = time.monotonic()
                with args.document.open("rb") as handle:
                    response = client.post("/v1/documents", headers=ADMIN,
                                           files={"file": (args.document.name, handle)})
                job = wait_job(client, response)
                live = time.monotonic() - started
                if job["status"] != "succeeded":
                    raise SystemExit(f"upload failed: {job['error']}")
                document = job["document"]
                assert isinstance(document, dict)
                probe = {"query": args.probe, "jurisdiction": args.jurisdiction, "top_k": 1}
                top = client.post("/v1/search", json=probe).json()["hits"][0]["document"]["id"]
                memory.append(rss_mib(server.pid))
                print(f"round {round_}: upload → searchable in {live:5.1f} s "
                      f"(job {job['progress']}, version {job['version']}); probe's top hit is the new "
                      f"document: {top == document['id']}")
                started = time.monotonic()
                job = wait_job(client, client.delete(f"/v1/documents/{document['id']}", headers=ADMIN))
                gone = time.monotonic() - started
                ids = {d["id"] for d in client.get("/v1/documents").json()["documents"]}
                print(f"round {round_}: removal → gone in {gone:5.1f} s; "
                      f"still listed: {document['id'] in ids}")
                time.sleep(2)
            load.stop()
            memory.append(rss_mib(server.pid))
        statuses = [status for _, status, _ in load.results]
        seconds = sorted(s for _, _, s in load.results)
        failed = sum(1 for status in statuses if status != 200)
        print(f"\nsearches during the run: {len(statuses)}, non-200 or failed: {failed}")
        print(f"search latency: median {statistics.median(seconds) * 1000:.0f} ms, "
              f"p99 {seconds[int(len(seconds) * 0.99) - 1] * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms")
        print("server RSS (MiB): " + ", ".join(f"{m:.0f}" for m in memory)
              + "  (start, after each upload, end)")
    finally:
        if stop_load is not None:
            stop_load()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
