# Locust's FastHttpUser sending what the project's load generator sends (a pool of random UINT8
# [1,3,32,32] V2 requests, no wait), for tools/bench/loadgen.bench.ts. At the end it prints one JSON
# line: requests, failures and the CPU seconds Locust spent while the load ran.
import json
import os
import random
import resource

from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("BENCH_PATH", "/seldon/seldon/cifar10/v2/models/cifar10-pytorch/infer")
POOL = [
    json.dumps({"inputs": [{"name": "image__0", "datatype": "UINT8", "shape": [1, 3, 32, 32],
                            "data": [random.randrange(256) for _ in range(3072)]}]}, separators=(",", ":"))
    for _ in range(256)
]
_cpu_at_start = [0.0]


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@events.test_start.add_listener
def _started(environment, **_kwargs):
    _cpu_at_start[0] = _cpu_seconds()


@events.quitting.add_listener
def _report(environment, **_kwargs):
    total = environment.stats.total
    print("BENCH " + json.dumps({"requests": total.num_requests, "failures": total.num_failures,
                                 "cpuSeconds": _cpu_seconds() - _cpu_at_start[0]}), flush=True)


class V2User(FastHttpUser):
    wait_time = constant(0)
    _next = 0

    @task
    def infer(self):
        V2User._next = (V2User._next + 1) % len(POOL)
        with self.client.post(PATH, data=POOL[V2User._next], headers={"Content-Type": "application/json"},
                              catch_response=True) as response:
            if response.status_code != 200 or "probs__0" not in response.text:
                response.failure(f"HTTP {response.status_code}")
