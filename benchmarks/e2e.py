"""End to end: uvicorn on 127.0.0.1 serving the same app behind corsguard and behind Starlette.

The server runs in this process, as one uvicorn worker in a thread started by
`corsguard.servers.serve_asgi`. The load comes from a second process, wrk (Debian package `wrk`),
over loopback. wrk
keeps a fixed number of connections busy for a fixed time and reports requests per second and
latency percentiles.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from corsguard.servers import serve_asgi

from . import asgi_stacks
from .scenarios import OriginSet

CONNECTIONS = 16
THREADS = 1
# Each server is loaded ROUNDS times, in turns with the others, for SECONDS_PER_ROUND each. The
# round with the median rate is reported, so a burst of load from elsewhere does not pick a winner.
ROUNDS = 3
SECONDS_PER_ROUND = 5

# Sends each request from the next of `count` distinct allowed origins, so that a long run also
# exercises the bounded memos of the policy and of the middleware.
ROTATING_ORIGINS_SCRIPT = """
local counter = 0
request = function()
  counter = (counter + 1) %% %(count)d
  wrk.headers["Origin"] = "https://t" .. counter .. ".tenant0.example.com"
  return wrk.format("GET", "/")
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str, seconds: int, origin: str | None = None, script: str | None = None) -> dict[str, Any]:
    """Load `url` with wrk for `seconds`; return requests per second and p50/p99 latency in ms."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if origin is not None:
        command += ["-H", f"Origin: {origin}"]
    with tempfile.TemporaryDirectory() as directory:
        if script is not None:
            path = Path(directory) / "script.lua"
            path.write_text(script)
            command += ["-s", str(path)]
        completed = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                                   timeout=seconds + 30)
    return parse_wrk_output(completed.stdout)


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk_output(text: str) -> dict[str, Any]:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if rate is None or p50 is None or p99 is None:
        raise RuntimeError(f"could not read wrk's output:\n{text}")
    return {
        "requests_per_second": float(rate.group(1)),
        "p50_ms": _milliseconds(*p50.groups()),
        "p99_ms": _milliseconds(*p99.groups()),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Serve the bare app, corsguard and Starlette in turns; report the median round of each."""
    if not wrk_available():
        print("e2e: skipped, wrk is not installed (apt-get install -y wrk)")
        return {"skipped": "wrk is not installed"}
    seconds = 1 if quick else SECONDS_PER_ROUND
    rounds = 1 if quick else ROUNDS
    origins = OriginSet(1_000, False)
    apps = {
        "no CORS layer": asgi_stacks.bare_app,
        "corsguard": asgi_stacks.corsguard_layer(asgi_stacks.bare_app, origins),
        "Starlette CORSMiddleware": asgi_stacks.starlette_layer(asgi_stacks.bare_app, origins),
    }
    measured: dict[str, list[dict[str, Any]]] = {name: [] for name in apps}
    for _ in range(rounds):
        for name, app in apps.items():
            with serve_asgi(app) as url:
                run_wrk(url + "/", 1, origins.allowed_origin)  # warm up the server and the connections
                measured[name].append(run_wrk(url + "/", seconds, origins.allowed_origin))

    results: dict[str, Any] = {"seconds": seconds, "rounds": rounds, "connections": CONNECTIONS,
                               "origins": origins.label, "origin": origins.allowed_origin}
    for name, runs in measured.items():
        runs.sort(key=lambda run: run["requests_per_second"])
        results[name] = {**runs[len(runs) // 2], "rounds_requests_per_second":
                         [run["requests_per_second"] for run in runs]}
    print(e2e_table(results), flush=True)
    return results


def e2e_table(results: dict[str, Any]) -> str:
    lines = [
        (f"uvicorn, wrk -t{THREADS} -c{CONNECTIONS} -d{results['seconds']}s, "
         f"{'median of ' + str(results['rounds']) + ' rounds' if results['rounds'] > 1 else 'one round'}, "
         f"actual request from an allowed origin ({results['origins']} configured)"),
        "",
        "| Layer | Requests/s | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ("no CORS layer", "corsguard", "Starlette CORSMiddleware"):
        row = results[name]
        lines.append(f"| {name} | {row['requests_per_second']:,.0f} | {row['p50_ms']:.2f} | "
                     f"{row['p99_ms']:.2f} | {row['non_2xx']} |")
    return "\n".join(lines)
