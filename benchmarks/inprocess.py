"""In-process benchmark: the time each CORS layer adds to the same app, measured with pyperf.

For every stack (an app and the layers that can wrap it), every origin set and every request, the
bare app and each layer are timed back to back; "added" is the layer's median minus the bare
app's median. pyperf calibrates the loop count so that one value lasts `min_time`, and takes
several runs of several values each, all in this process (`--in-process`).
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyperf

from . import asgi_stacks, wsgi_stacks
from .scenarios import OriginSet, Request, hostile_requests, origin_sets, standard_requests

# A single call slower than this is timed with fewer values; slower than SKIP_SECONDS, it is
# reported from one probe call and not repeated, since a run would take minutes.
SLOW_CALL_SECONDS = 0.005
SKIP_SECONDS = 1.0
# Each app is timed ROUNDS times in turn with the others; each round takes VALUES_PER_ROUND values
# of at least MIN_TIME_SECONDS each, after one warm-up value.
ROUNDS = 5
VALUES_PER_ROUND = 5
MIN_TIME_SECONDS = 0.02

Factory = Callable[[OriginSet], Any]


@dataclass(frozen=True)
class Stack:
    """An app and the CORS layers that wrap it, all timed with the same request driver."""

    name: str
    bare: Callable[[], Any]
    corsguard: Factory
    peers: tuple[tuple[str, Factory], ...]
    time_function: Callable[[Any, Request], Callable[[int], float]]
    respond: Callable[[Any, Request], tuple[int, dict[str, str]]]


def build_stacks() -> list[Stack]:
    raw = asgi_stacks.bare_app
    return [
        Stack("ASGI", lambda: raw, lambda o: asgi_stacks.corsguard_layer(raw, o),
              (("no-op middleware", lambda o: asgi_stacks.NoopMiddleware(raw)),
               ("Starlette CORSMiddleware", lambda o: asgi_stacks.starlette_layer(raw, o))),
              asgi_stacks.time_function, asgi_stacks.respond),
        Stack("WSGI", lambda: wsgi_stacks.bare_app,
              lambda o: wsgi_stacks.corsguard_layer(wsgi_stacks.bare_app, o), (),
              wsgi_stacks.time_function, wsgi_stacks.respond),
        Stack("Litestar", asgi_stacks.litestar_app,
              lambda o: asgi_stacks.corsguard_layer(asgi_stacks.litestar_app(), o),
              (("Litestar CORSConfig", asgi_stacks.litestar_app),),
              asgi_stacks.time_function, asgi_stacks.respond),
        Stack("Flask", wsgi_stacks.flask_app,
              lambda o: wsgi_stacks.corsguard_layer(wsgi_stacks.flask_app(), o),
              (("flask-cors", wsgi_stacks.flask_app),),
              wsgi_stacks.time_function, wsgi_stacks.respond),
        Stack("Django", wsgi_stacks.django_app,
              lambda o: wsgi_stacks.corsguard_layer(wsgi_stacks.django_app(), o),
              (("django-cors-headers", wsgi_stacks.django_app),),
              wsgi_stacks.time_function, wsgi_stacks.respond),
    ]


@dataclass
class Timing:
    """The median time of one request through one app, in seconds, and how it was taken."""

    median: float
    values: int
    repeated: bool = True


@dataclass
class Row:
    stack: str
    origins: str
    request: str
    bare: Timing
    corsguard: Timing
    peer: str
    peer_timing: Timing | None


class Harness:
    """Run pyperf benchmarks in this process, one at a time, with settings chosen per call.

    The apps compared on one request are timed in turns, `rounds` times over: a burst of load
    from elsewhere on the machine then lands on all of them instead of on one, and the median
    of the pooled values per app is reported.
    """

    def __init__(self, quick: bool, verbose: bool) -> None:
        self.quick = quick
        self.rounds = 1 if quick else ROUNDS
        self.runner = pyperf.Runner()
        arguments = ["--in-process", "--quiet", "--processes", "1", "--warmups", "1"]
        if quick:
            arguments += ["--values", "1", "--loops", "1", "--min-time", "0.000001"]
        else:
            arguments += ["--values", str(VALUES_PER_ROUND), "--min-time", str(MIN_TIME_SECONDS)]
        self.runner.parse_args(arguments)
        self.verbose = verbose
        self._count = 0

    def measure(self, label: str, apps: list[tuple[str, Any]], request: Request,
                time_function: Callable[[Any, Request], Callable[[int], float]]) -> dict[str, Timing]:
        """Time each app on `request`; return the timing of each, by name."""
        runs = {name: _without_gc(time_function(app, request)) for name, app in apps}
        timings: dict[str, Timing] = {}
        values: dict[str, list[float]] = {}
        loops: dict[str, int] = {}
        for name, run in runs.items():
            probe = run(1)
            if probe > SKIP_SECONDS and not self.quick:
                timings[name] = Timing(probe, 1, repeated=False)
            elif probe > SLOW_CALL_SECONDS and not self.quick:
                benchmark = self._bench(f"{label} | {name}", run, loops=1, values=3)
                timings[name] = Timing(benchmark.median(), len(benchmark.get_values()))
            else:
                values[name] = []

        for _ in range(self.rounds):
            for name, pooled in values.items():
                benchmark = self._bench(f"{label} | {name}", runs[name], loops=loops.get(name, 0))
                loops[name] = benchmark.get_loops()
                pooled.extend(benchmark.get_values())
        for name, pooled in values.items():
            timings[name] = Timing(statistics.median(pooled), len(pooled))
            if self.verbose:
                print(f"  {label} | {name}: {timings[name].median * 1e6:,.2f} µs", flush=True)
        return timings

    def _bench(self, label: str, run: Callable[[int], float], loops: int,
               values: int | None = None) -> pyperf.Benchmark:
        args = self.runner.args
        saved = (args.values, args.loops)
        if not self.quick:
            args.loops = loops
            if values is not None:
                args.values = values
        self._count += 1
        try:
            # pyperf prints each result; keep stdout for the table.
            with contextlib.redirect_stdout(sys.stderr):
                return self.runner.bench_time_func(f"{self._count} {label}", run)
        finally:
            args.values, args.loops = saved


def _without_gc(run: Callable[[int], float]) -> Callable[[int], float]:
    """Return `run` with the garbage collector collected before and paused during each call.

    A collection lands on whichever call crosses the allocation threshold, so it put swings of
    several microseconds into the framework rows. `timeit` pauses the collector for this reason.
    """

    def run_without_gc(loops: int) -> float:
        gc.collect()
        gc.disable()
        try:
            return run(loops)
        finally:
            gc.enable()

    return run_without_gc


def check_response(stack: Stack, layer: str, app: Any, request: Request) -> None:
    """Fail loudly when a layer does not answer as configured, so that no row times an error."""
    status, headers = stack.respond(app, request)
    if request.expect_allow_origin is None:
        return
    has_allow_origin = "access-control-allow-origin" in headers
    if request.expect_allow_origin and not has_allow_origin:
        raise RuntimeError(f"{stack.name} {layer}: no Access-Control-Allow-Origin on {request.name!r} "
                           f"(status {status})")


def run(quick: bool = False, verbose: bool = False, progress: Callable[[str], None] = print) -> list[Row]:
    """Measure every stack, origin set and request; return one row per layer and request."""
    harness = Harness(quick, verbose)
    rows: list[Row] = []
    sets = origin_sets(quick)
    for stack in build_stacks():
        bare = stack.bare()
        for index, origins in enumerate(sets):
            started = time.perf_counter()
            corsguard = stack.corsguard(origins)
            peers = [(name, factory(origins)) for name, factory in stack.peers]
            progress(f"{stack.name}, {origins.label}: built in {time.perf_counter() - started:.1f} s")
            requests = standard_requests(origins)
            if index == 0:
                requests += hostile_requests(origins)
            for request in requests:
                rows.extend(_measure_request(harness, stack, origins, request, bare, corsguard, peers))
    return rows


def _measure_request(harness: Harness, stack: Stack, origins: OriginSet, request: Request, bare: Any,
                     corsguard: Any, peers: list[tuple[str, Any]]) -> list[Row]:
    check_response(stack, "corsguard", corsguard, request)
    for name, app in peers:
        if name != "no-op middleware":
            check_response(stack, name, app, request)

    label = f"{stack.name} | {origins.label} | {request.name}"
    with_noop = origins == origin_sets(harness.quick)[0]
    measured = [(name, app) for name, app in peers if name != "no-op middleware" or with_noop]
    timings = harness.measure(label, [("bare", bare), ("corsguard", corsguard), *measured], request,
                              stack.time_function)
    if not measured:
        return [Row(stack.name, origins.label, request.name, timings["bare"], timings["corsguard"], "—",
                    None)]
    rows = []
    for name, _ in measured:
        origins_label = "any" if name == "no-op middleware" else origins.label
        rows.append(Row(stack.name, origins_label, request.name, timings["bare"], timings["corsguard"],
                        name, timings[name]))
    return rows
