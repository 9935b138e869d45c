"""HTTP latency of POST /v1/search under 8 concurrent clients, against a real server process.

Usage (after `policy-qa build`):

    .venv/bin/python bench/http_latency.py [--requests 800] [--clients 8] [--url http://127.0.0.1:8000]

Without --url it starts `policy-qa serve --no-build` on a free loopback port with the index in
var/index and stops it afterwards. Traffic stays on 127.0.0.1; the run is bounded by --requests.
"""

from __future__ import annotations

import argparse
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from qa.evaluation import load_questions


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} never became ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--questions", type=Path, default=Path("qa/eval/public.jsonl"))
    args = parser.parse_args()
    process = None
    base = args.url
    if base is None:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        script = Path(sys.executable).parent / "policy-qa"
        process = subprocess.Popen([str(script), "serve", "--no-build", "--port", str(port),
                                    "--index", str(args.index)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(base)
        questions = [q.question for q in load_questions(args.questions)]
        latencies: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()
        counter = iter(range(args.requests))

        def client() -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                for number in counter:
                    body = {"query": questions[number % len(questions)], "top_k": 5}
                    start = time.perf_counter()
                    response = http.post("/v1/search", json=body)
                    elapsed = time.perf_counter() - start
                    with lock:
                        latencies.append(elapsed * 1000)
                        if response.status_code != 200:
                            errors.append(response.status_code)

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        print(f"{len(latencies)} POST /v1/search, {args.clients} concurrent clients, {base}")
        print(f"latency ms: median {statistics.median(latencies):.1f}  p99 {p99:.1f}  max {ordered[-1]:.1f}")
        print(f"throughput {len(latencies) / wall:.1f} requests/s; non-200 responses: {len(errors)}")
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            process.wait(10)


if __name__ == "__main__":
    main()
