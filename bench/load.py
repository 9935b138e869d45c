"""Load on a real server: many clients, a mix of endpoints, unique or repeated questions.

Usage::

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--questions zipf|unique] [--impatient]
        [--mix search=6,compare=1,similar=1,chat=1,cheap=3] [--url http://127.0.0.1:8000]

Without --url it starts `policy-qa serve` on a free loopback port over a corpus of the default
documents in var/bench/ (building its index first when it is missing or stale; the server's log
goes to var/bench/serve.log) and samples the server's memory. Each client loops for --seconds:
it picks an endpoint by the --mix weights and a public-set question, repeated ones drawn from a
Zipf distribution (as portals see the same questions again and again) or made unique; after a 503
it waits the Retry-After the server sent, unless --impatient (a hostile client). It prints
every route's status counts and latency percentiles, the share of heavy requests shed (503 with
Retry-After), the cheap routes' p99, the latency of 500-character queries on an idle server, and
server memory.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_latency import free_port, wait_ready  # noqa: E402
from qa.evaluation import load_questions  # noqa: E402

CHEAP = ("/healthz", "/readyz", "/v1/info", "/v1/documents", "/v1/cite?ref=苏政办发〔2021〕75号（十一）")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


class Questions:
    def __init__(self, questions: list[str], mode: str, seed: int) -> None:
        self.questions = questions
        self.mode = mode
        self.random = random.Random(seed)
        ranks = range(1, len(questions) + 1)
        self.weights = [1 / rank ** 1.1 for rank in ranks]  # Zipf, s = 1.1
        self.count = 0

    def next(self) -> str:
        self.count += 1
        if self.mode == "unique":
            return f"{self.random.choice(self.questions)} 第{self.count}{self.random.randrange(10**6)}问"
        return self.random.choices(self.questions, self.weights)[0]


def request(client: httpx.Client, kind: str, questions: Questions) -> tuple[str, int, str | None]:
    if kind == "cheap":
        path = questions.random.choice(CHEAP)
        response = client.get(path)
        return path.split("?")[0], response.status_code, None
    question = questions.next()
    if kind == "search":
        response = client.post("/v1/search", json={"query": question, "top_k": 5})
    elif kind == "compare":
        response = client.post("/v1/compare", json={"query": question})
    elif kind == "similar":
        response = client.post("/v1/similar", json={"text": question * 4, "top_k": 5})
    else:
        messages = [{"role": "user", "content": question}]
        response = client.post("/v1/chat/completions", json={"messages": messages})
    return f"/v1/{kind}", response.status_code, response.headers.get("Retry-After")


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], str]:
    """Start `policy-qa serve` on a free loopback port; wait (up to 30 min, for a first build) until ready."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = args.index.parent / "serve.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [str(Path(sys.executable).parent / "policy-qa"), "serve", "--port", str(port),
               "--corpus", str(args.corpus), "--index", str(args.index), "--cache", str(args.cache)]
    with log_path.open("wb") as log:
        environment = {**os.environ, "POLICY_QA_API_KEY": ""}
        server = subprocess.Popen(command, stdout=log, stderr=log, env=environment)
    deadline = time.monotonic() + 1800
    while server.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.kill()
    tail = log_path.read_text(errors="replace")[-2000:]
    sys.exit(f"the server did not become ready; the end of {log_path}:\n{tail}")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--mix", default="search=6,compare=1,similar=1,chat=1,cheap=3")
    parser.add_argument("--questions", choices=["zipf", "unique"], default="zipf")
    parser.add_argument("--impatient", action="store_true",
                        help="ask again at once after a 503 instead of waiting its Retry-After")
    parser.add_argument("--corpus", type=Path, default=ROOT / "var" / "bench" / "corpus")
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "bench" / "index")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "cache")
    args = parser.parse_args()
    mix = {name: float(weight) for name, weight in (part.split("=") for part in args.mix.split(","))}
    kinds, weights = list(mix), list(mix.values())
    questions = [q.question for q in load_questions(ROOT / "qa" / "eval" / "public.jsonl")]
    server = None
    base = args.url
    if base is None:
        server, base = start_server(args)
    try:
        wait_ready(base, 60)
        manners = "asking again at once after 503" if args.impatient else "honouring Retry-After"
        print(f"{base}: {args.clients} clients for {args.seconds:.0f} s ({manners}), mix {args.mix}, "
              f"{args.questions} questions (public set, {len(questions)})\n")
        results: list[tuple[str, int, str | None, float]] = []
        memory: list[float] = []
        stop = time.monotonic() + args.seconds

        def client_loop(seed: int) -> None:
            chooser = Questions(questions, args.questions, seed)
            with httpx.Client(base_url=base, timeout=120) as client:
                while time.monotonic() < stop:
                    kind = chooser.random.choices(kinds, weights)[0]
                    started = time.monotonic()
                    try:
                        route, status, retry = request(client, kind, chooser)
                    except httpx.HTTPError as error:
                        route, status, retry = f"/v1/{kind}", 0, type(error).__name__
                    results.append((route, status, retry, time.monotonic() - started))
                    if status == 503 and retry and retry.isdigit() and not args.impatient:
                        time.sleep(max(0.0, min(int(retry), stop - time.monotonic())))

        threads = [threading.Thread(target=client_loop, args=(seed,)) for seed in range(args.clients)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            if server is not None:
                memory.append(rss_mib(server.pid))
            time.sleep(1)
        for thread in threads:
            thread.join()
        report(results, args.seconds)
        with httpx.Client(base_url=base, timeout=60) as client:
            long_query = ("请问新建住宅小区配套建设养老服务用房和托育服务用房的面积标准是多少，" * 20)[:500]
            client.post("/v1/search", json={"query": long_query})
            timings = []
            for n in range(5):
                started = time.monotonic()
                client.post("/v1/search", json={"query": long_query[n:] + "托育"[:n]})
                timings.append(time.monotonic() - started)
            print(f"\n500-character queries on the idle server: median "
                  f"{statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms")
        if memory:
            print(f"server RSS: {memory[0]:.0f} MiB at start, {max(memory):.0f} MiB at most")
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()


def report(results: list[tuple[str, int, str | None, float]], seconds: float) -> None:
    by_route: dict[str, list[tuple[int, str | None, float]]] = defaultdict(list)
    for route, status, retry, took in results:
        by_route[route].append((status, retry, took))
    columns = f"{'requests':>9}{'200':>7}{'503':>7}{'other':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    print(f"{'route':22}{columns}")
    heavy_ok: list[float] = []
    cheap_all: list[float] = []
    heavy, shed, bad_retry, other = 0, 0, 0, Counter[int]()
    for route in sorted(by_route):
        rows = by_route[route]
        ok = [took for status, _, took in rows if status == 200]
        counts = Counter(status for status, _, _ in rows)
        statuses_other = sum(n for status, n in counts.items() if status not in (200, 503))
        print(f"{route:22}{len(rows):>9}{counts[200]:>7}{counts[503]:>7}{statuses_other:>7}"
              f"{percentile(ok, 0.5) * 1000:>9.0f}{percentile(ok, 0.99) * 1000:>9.0f}"
              f"{max(ok, default=float('nan')) * 1000:>9.0f}")
        if route in ("/v1/search", "/v1/compare", "/v1/similar", "/v1/chat"):
            heavy += len(rows)
            shed += counts[503]
            bad_retry += sum(1 for status, retry, _ in rows if status == 503 and not retry)
            if route == "/v1/search":
                heavy_ok += ok
        else:
            cheap_all += [took for _, _, took in rows]
        other.update({status: n for status, n in counts.items() if status not in (200, 503)})
    print(f"\n{len(results)} requests in {seconds:.0f} s ({len(results) / seconds:.0f}/s); responses other "
          f"than 200 or 503: {sum(other.values())} {dict(other) if other else ''}")
    print(f"heavy requests shed (503 with Retry-After): {shed}/{heavy} = {shed / max(1, heavy):.1%}"
          f"{f'; {bad_retry} without Retry-After' if bad_retry else ''}")
    print(f"admitted searches: p50 {percentile(heavy_ok, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(heavy_ok, 0.99) * 1000:.0f} ms; "
          f"cheap routes p99 {percentile(cheap_all, 0.99) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
