# Locust's FastHttpUser sending what the project's load generator sends (a pool of random UINT8
# [1,3,32,32] V2 requests), for tools/bench/loadgen.bench.ts, with the waits BENCH_MIN_WAIT_MS and
# BENCH_MAX_WAIT_MS (0 and 0: none). At the end it prints one JSON line: requests, failures, and the
# CPU seconds and peak memory of the whole process, start-up included.
import json
import os
import random
import resource

from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("BENCH_PATH", "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer")
MIN_WAIT = float(os.environ.get("BENCH_MIN_WAIT_MS", "0")) / 1000
MAX_WAIT = float(os.environ.get("BENCH_MAX_WAIT_MS", "0")) / 1000
POOL = [
    json.dumps({"inputs": [{"name": "image__0", "datatype": "UINT8", "shape": [1, 3, 32, 32],
                            "data": [random.randrange(256) for _ in range(3072)]}]}, separators=(",", ":"))
    for _ in range(256)
]


@events.quitting.add_listener
def _report(environment, **_kwargs):
    total = environment.stats.total
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print("BENCH " + json.dumps({"requests": total.num_requests, "failures": total.num_failures,
                                 "cpuSeconds": usage.ru_utime + usage.ru_stime,
                                 "maxRssMB": round(usage.ru_maxrss / 1024)}), flush=True)


class V2User(FastHttpUser):
    wait_time = between(MIN_WAIT, MAX_WAIT) if MAX_WAIT > 0 else constant(0)
    _next = 0

    @task
    def infer(self):
        V2User._next = (V2User._next + 1) % len(POOL)
        with self.client.post(PATH, data=POOL[V2User._next], headers={"Content-Type": "application/json"},
                              catch_response=True) as response:
            if response.status_code != 200 or "probs__0" not in response.text:
                response.failure(f"HTTP {response.status_code}")
