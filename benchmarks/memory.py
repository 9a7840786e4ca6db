"""Memory: the size of a compiled policy, and the server's memory over a long load.

The policy's size is what tracemalloc still sees allocated after building it (garbage from
validation collected). The long run serves corsguard with uvicorn in this process while wrk sends
each request from a different allowed origin, and samples this process's resident set size.
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from typing import Any

from corsguard import Policy
from corsguard.servers import serve_asgi

from . import asgi_stacks, e2e
from .scenarios import ALLOW_HEADERS, ALLOW_METHODS, EXPOSE_HEADERS, OriginSet

ROTATING_ORIGIN_COUNT = 20_000


def policy_size_bytes(origins: OriginSet) -> int:
    """Return the bytes a Policy for `origins` keeps allocated, the pattern strings excluded."""
    patterns = origins.patterns()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    policy = Policy(allow_origins=patterns, allow_credentials=True, allow_methods=list(ALLOW_METHODS),
                    allow_headers=list(ALLOW_HEADERS), expose_headers=list(EXPOSE_HEADERS))
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del policy
    return after - before


def resident_set_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def long_run(seconds: int) -> dict[str, Any]:
    """Load corsguard with rotating origins for `seconds`; sample RSS every tenth of the run."""
    app = asgi_stacks.corsguard_layer(asgi_stacks.bare_app, OriginSet(1_000, True))
    samples: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(max(seconds / 10, 0.2)):
            samples.append(resident_set_bytes())

    script = e2e.ROTATING_ORIGINS_SCRIPT % {"count": ROTATING_ORIGIN_COUNT}
    with serve_asgi(app) as url:
        e2e.run_wrk(url + "/", 1, script=script)
        samples.append(resident_set_bytes())
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        load = e2e.run_wrk(url + "/", seconds, script=script)
        stop.set()
        sampler.join()
    return {"seconds": seconds, "distinct_origins": ROTATING_ORIGIN_COUNT, "load": load,
            "rss_mib": [round(value / 2**20, 1) for value in samples]}


def run(quick: bool = False) -> dict[str, Any]:
    sets = [OriginSet(1_000, False)] if quick else [OriginSet(100_000, False), OriginSet(100_000, True)]
    results: dict[str, Any] = {"policy_bytes": {}}
    lines = ["| Compiled policy | Size (tracemalloc) |", "|---|---:|"]
    for origins in sets:
        size = policy_size_bytes(origins)
        results["policy_bytes"][origins.label] = size
        lines.append(f"| {origins.label} | {size / 2**20:,.1f} MiB |")
    print("\n".join(lines), flush=True)

    if not e2e.wrk_available():
        print("memory: long run skipped, wrk is not installed (apt-get install -y wrk)")
        return results
    started = time.monotonic()
    results["long_run"] = run_result = long_run(2 if quick else 60)
    rss = run_result["rss_mib"]
    print(f"\nLong run: {run_result['load']['requests_per_second'] * run_result['seconds']:,.0f} requests "
          f"in {time.monotonic() - started:.0f} s from {ROTATING_ORIGIN_COUNT:,} rotating origins; "
          f"RSS samples (MiB): {', '.join(map(str, rss))}", flush=True)
    return results
