"""The benchmark scripts still run: `python -m benchmarks --quick` on every stack.

No timing is asserted here; `--quick` takes one value per timing, so its numbers mean nothing.
The test checks that every stack builds and responds to each request as configured, and that the
table and the JSON file are written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_quick_in_process_run(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "inprocess", "--json", str(output)],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "| Stack | Origins | Request |" in completed.stdout

    records = json.loads(output.read_text())["inprocess"]
    stacks = {record["stack"] for record in records}
    assert stacks == {"ASGI", "WSGI", "Litestar", "Flask", "Django"}
    peers = {record["peer"] for record in records}
    assert {"Starlette CORSMiddleware", "Litestar CORSConfig", "flask-cors",
            "django-cors-headers", "no-op middleware"} <= peers
    requests = {record["request"] for record in records}
    assert any(request.startswith("hostile: preflight") for request in requests)
    assert any(request.startswith("hostile: actual") for request in requests)
    assert "preflight, refused" in requests


def test_wrk_output_parsing() -> None:
    from benchmarks.e2e import parse_wrk_output

    text = """Running 1s test @ http://127.0.0.1:5000/
  Latency Distribution
     50%    1.86ms
     75%    2.10ms
     90%    3.00ms
     99%  812.00us
  7740 requests in 1.00s, 1.10MB read
Requests/sec:   7740.12
"""
    parsed = parse_wrk_output(text)
    assert parsed["requests_per_second"] == 7740.12
    assert parsed["p50_ms"] == 1.86
    assert parsed["p99_ms"] == 0.812
    assert parsed["non_2xx"] == 0


def test_rotating_origins_reach_the_app() -> None:
    from benchmarks import asgi_stacks
    from benchmarks.scenarios import OriginSet, Request

    origins = OriginSet(3, False)
    request = Request("rotating", "GET", (("origin", origins.allowed_origin),), True,
                      tuple(origins.allowed_origin_at(i) for i in range(3)))
    seen = [dict(variant.headers)["origin"] for variant in request.variants()]
    assert seen == [origins.allowed_origin_at(i) for i in range(3)]

    app = asgi_stacks.corsguard_layer(asgi_stacks.bare_app, origins)
    assert asgi_stacks.time_function(app, request)(6) > 0
    for variant in request.variants():
        status, headers = asgi_stacks.respond(app, variant)
        assert status == 200
        assert headers["access-control-allow-origin"] == dict(variant.headers)["origin"]


def test_missing_packages_stop_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    from benchmarks.__main__ import main

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "pyperf" else real_find_spec(name, *args))
    assert main(["--quick", "--only", "inprocess"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "missing packages (pyperf)" in error
    assert "pip install -e '.[test]'" in error
