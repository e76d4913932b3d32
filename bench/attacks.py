#!/usr/bin/env python3
"""What the attack shapes cost a release server, beside a plain request in the same run.

Starts the release `api` on the embedded default (its own data dir, a free port) and prints:
- fragment fan-out (2^22, 2^26, 2^40 fields in ~1 KB): time to refusal, two at once, and the
  slowest /healthz answer meanwhile, beside a `{ __typename }` request;
- 60 parallel wrong guesses for one phone: how many were checked, and the right password after;
- 20 requests of 10 batched operations x 30 aliased logins: how they are answered and how long;
- 40 concurrent logins for different phones: login latencies, UNAVAILABLE answers, and a
  public read's latency during the flood beside the same read idle.

Usage: python3 bench/attacks.py [path/to/api]   (default: the deployed build, cargo build --profile deploy -p api)
"""

import concurrent.futures as cf
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
API = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TARGET, "deploy", "api")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()


def post(body, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    started = time.perf_counter()
    conn.request("POST", "/graphql", json.dumps(body), {"content-type": "application/json"})
    answer = json.loads(conn.getresponse().read())
    conn.close()
    return answer, time.perf_counter() - started


def health_ms():
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    started = time.perf_counter()
    conn.request("GET", "/healthz")
    conn.getresponse().read()
    conn.close()
    return (time.perf_counter() - started) * 1000


def code(answer):
    if isinstance(answer, list):
        return [code(a) for a in answer]
    errors = answer.get("errors") or [{}]
    return errors[0].get("extensions", {}).get("code", "OK")


def fan_out(levels):
    lines = ["query FanOut { ...F0 }"]
    lines += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    lines.append(f"fragment F{levels} on Query {{ __typename }}")
    return "\n".join(lines)


class HealthProbe:
    """Probes /healthz every 5 ms until stopped; keeps the slowest answer."""

    def __enter__(self):
        self.slowest, self.stop = 0.0, threading.Event()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()
        time.sleep(0.02)
        return self

    def run(self):
        while not self.stop.is_set():
            self.slowest = max(self.slowest, health_ms())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def ms(seconds):
    return f"{seconds * 1000:.2f} ms"


def main():
    data_dir = tempfile.mkdtemp(prefix="dt-attacks-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET")}
    env.update(RUST_LOG="warn", LOG_FORMAT="json")
    server = subprocess.Popen(
        [API, "serve", "--port", str(PORT), "--host", "127.0.0.1", "--data-dir", data_dir,
         "--seeds-dir", os.path.join(ROOT, "seeds"), "--client-dir", data_dir,
         "--rate-limit-ip-per-sec", "100000", "--rate-limit-ip-burst", "100000",
         "--rate-limit-account-per-sec", "100000", "--rate-limit-account-burst", "100000"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                health_ms()
                break
            except OSError:
                time.sleep(0.1)
        profile = os.path.basename(os.path.dirname(API))
        print(f"# attack costs, {profile} build ({API}), embedded default, {os.cpu_count()} cores")

        plain = sorted(post({"query": "{ __typename }"})[1] for _ in range(50))
        print(f"baseline: {{ __typename }} median {ms(statistics.median(plain))}")
        for levels in (22, 26, 40):
            query = fan_out(levels)
            times, codes = [], set()
            with HealthProbe() as probe, cf.ThreadPoolExecutor(2) as pool:
                for _ in range(20):
                    for answer, took in pool.map(lambda _: post({"query": query}), range(2)):
                        times.append(took)
                        codes.add(code(answer))
            print(f"fan-out 2^{levels} ({len(query)} bytes), two at once x20: median {ms(statistics.median(times))}, "
                  f"max {ms(max(times))}, answers {sorted(codes)}; slowest /healthz meanwhile {probe.slowest:.2f} ms")

        guess = lambda i: post({"query": f'mutation {{ login(phone: "13900000001", password: "Guess@{i:04}") {{ accessToken }} }}'})[0]
        with cf.ThreadPoolExecutor(60) as pool:
            codes = [code(a) for a in pool.map(guess, range(60))]
        right = code(post({"query": 'mutation { login(phone: "13900000001", password: "Demo@2026") { accessToken } }'})[0])
        print(f"60 parallel guesses for one phone: {codes.count('UNAUTHENTICATED')} checked, "
              f"{codes.count('RATE_LIMITED')} refused unchecked; the right password after: {right}")

        aliased = " ".join(f'a{i}: login(phone: "1380000{i:04}", password: "Demo@2026") {{ accessToken }}' for i in range(30))
        batch = [{"query": f"mutation {{ {aliased} }}"}] * 10
        with cf.ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda _: post(batch), range(20)))
        took = max(t for _, t in answers)
        kinds = {tuple(code(a)) for a, _ in answers}
        print(f"20 requests x 10 operations x 30 aliased logins: slowest {ms(took)}, answers {kinds}")

        idle = sorted(post({"query": "{ towns { edges { node { name } } } }"})[1] for _ in range(20))
        login = lambda i: post({"query": f'mutation {{ login(phone: "1370000{i:04}", password: "Wrong@{i}x") {{ accessToken }} }}'})
        with cf.ThreadPoolExecutor(41) as pool:
            flood = [pool.submit(login, i) for i in range(40)]
            time.sleep(0.05)
            during = [post({"query": "{ towns { edges { node { name } } } }"})[1] for _ in range(10)]
            results = [f.result() for f in flood]
        latencies = sorted(t for _, t in results)
        codes = [code(a) for a, _ in results]
        print(f"40 concurrent logins: p50 {ms(latencies[19])}, max {ms(latencies[-1])}, "
              f"{codes.count('UNAVAILABLE')} UNAVAILABLE; a public read idle median {ms(statistics.median(idle))}, "
              f"during the flood median {ms(statistics.median(during))} max {ms(max(during))}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
