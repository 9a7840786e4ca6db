"""`corsguard explain` and the recording parsers, offline: HAR layouts, raw HTTP text, bad files.

The two hand-written HAR files under tests/browser/data/ follow the layouts of the browsers'
exports: Firefox records preflights as OPTIONS entries and keeps the headers of blocked
responses; Chrome's DevTools marks preflights with `_resourceType: "preflight"`, writes HTTP/2
pseudo-headers, and gives a blocked request status 0 with `_error`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from corsguard.browser.har import parse_har
from corsguard.browser.http_text import parse_http_text
from corsguard.browser.recording import RecordingError, check_recorded
from corsguard.cli.explain import explain

DATA = Path(__file__).parent / "data"


def run_explain(*args: str) -> Result:
    return CliRunner().invoke(explain, list(args))


def explain_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run_explain(*args, "--json")
    return result.exit_code, json.loads(result.output)


def outcomes(report: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    rows = []
    for fetch in report["fetches"]:
        error = fetch["verdict"]["error"]
        rows.append((fetch["request"]["url"], fetch["outcome"], error["chromium"] if error else None))
    return rows


# HAR layouts


def test_firefox_har_verdicts() -> None:
    exit_code, report = explain_json(str(DATA / "firefox-style.har"))

    assert exit_code == 1
    assert report["profile"] == "firefox"
    assert outcomes(report) == [
        ("https://api.example.com/items/7", "allowed", None),
        ("https://api.example.com/me", "blocked", "WildcardOriginNotAllowed"),
        ("https://cdn.example.net/fonts/brand.woff2", "blocked", "MissingAllowOriginHeader"),
        ("https://api.example.com/items/7/archive", "blocked", "MethodDisallowedByPreflightResponse"),
    ]


def test_firefox_har_skips_navigation_and_same_origin() -> None:
    _, report = explain_json(str(DATA / "firefox-style.har"))

    urls = [fetch["request"]["url"] for fetch in report["fetches"]]
    assert "https://app.example.com/" not in urls
    assert "https://app.example.com/api/session" not in urls


def test_firefox_har_uses_recorded_preflight() -> None:
    _, report = explain_json(str(DATA / "firefox-style.har"))

    put = report["fetches"][0]
    assert put["verdict"]["preflight_needed"] is True
    assert not any("not recorded" in note for note in put["notes"])
    preflight = put["verdict"]["exchanges"][0]
    assert preflight["method"] == "OPTIONS"
    assert ["Access-Control-Allow-Headers", "Content-Type"] in preflight["response"]["headers"]


def test_har_credentials_inferred_from_cookie() -> None:
    _, report = explain_json(str(DATA / "firefox-style.har"))

    me = report["fetches"][1]
    assert me["request"]["credentials"] == "include"
    assert me["verdict"]["credentials_attached"]["actual"] is True


def test_chrome_har_verdicts() -> None:
    exit_code, report = explain_json(str(DATA / "chrome-style.har"))

    assert exit_code == 1
    assert report["profile"] == "chromium"
    assert outcomes(report) == [
        ("https://api.example.com/reports?year=2026", "blocked", "HeaderDisallowedByPreflightResponse"),
        ("https://api.example.com/public/status", "allowed", None),
        ("https://api.example.com/old-path", "blocked", "AllowOriginMismatch"),
    ]


def test_chrome_har_drops_browser_headers() -> None:
    _, report = explain_json(str(DATA / "chrome-style.har"))

    status = report["fetches"][1]
    # Pragma and Cache-Control "no-cache" come from DevTools' "Disable cache", not from script.
    assert status["verdict"]["preflight_needed"] is False
    assert status["verdict"]["visible_headers"] == ["content-type", "x-build"]


def test_chrome_har_joins_redirect_hops() -> None:
    _, report = explain_json(str(DATA / "chrome-style.har"))

    redirected = report["fetches"][2]
    assert redirected["entries"] == [3, 4]
    assert redirected["verdict"]["origin_header"] == "null"


def test_profile_option_overrides_har_browser() -> None:
    _, report = explain_json(str(DATA / "chrome-style.har"), "--profile", "spec")

    assert report["profile"] == "spec"


def test_credentials_option_overrides_inference() -> None:
    _, report = explain_json(str(DATA / "firefox-style.har"), "--credentials", "omit")

    me = report["fetches"][1]
    assert me["request"]["credentials"] == "omit"
    assert me["outcome"] == "allowed"


def test_har_all_allowed_exits_zero(tmp_path: Path) -> None:
    document = json.loads((DATA / "chrome-style.har").read_text())
    document["log"]["entries"] = [document["log"]["entries"][2]]
    path = tmp_path / "allowed.har"
    path.write_text(json.dumps(document))

    result = run_explain(str(path))

    assert result.exit_code == 0, result.output
    assert "1 cross-origin fetch: 1 allowed" in result.output


def test_orphan_preflight_rebuilds_fetch() -> None:
    document = json.loads((DATA / "firefox-style.har").read_text())
    document["log"]["entries"] = [document["log"]["entries"][6]]  # the DELETE preflight alone

    fetches = parse_har(json.dumps(document))

    assert len(fetches) == 1
    assert fetches[0].request.method == "DELETE"
    result = check_recorded(fetches[0], "chromium")
    assert result.outcome == "blocked"
    assert result.verdict.error is not None
    assert result.verdict.error.chromium == "MethodDisallowedByPreflightResponse"


def test_plain_output_has_summary_table() -> None:
    result = run_explain(str(DATA / "firefox-style.har"))

    assert "Profile: firefox" in result.output
    assert "why:" in result.output
    assert "fix:" in result.output
    assert "4 cross-origin fetches: 1 allowed, 3 blocked" in result.output
    header = next(line for line in result.output.splitlines() if line.startswith("#"))
    assert header.split() == ["#", "method", "url", "page", "origin", "verdict", "stage", "error"]


# Malformed and truncated HAR files


BAD_HAR_FILES = [
    ("empty", b"", "is empty"),
    ("not-json", b"{log: nope}", "is not valid JSON"),
    ("truncated", b'{"log": {"entries": [{"request": {"method": "GET", "url": "http://', "is truncated"),
    ("extra-data", b'{"log": {"entries": []}}x', "is not valid JSON: Extra data"),
    ("top-level-list", b"[1, 2]", "not a HAR file"),
    ("no-entries", b'{"log": {"version": "1.2"}}', "log.entries is missing"),
    ("entry-not-object", b'{"log": {"entries": [42]}}', "entry 0 is not an object"),
    ("no-request", b'{"log": {"entries": [{"response": {}}]}}', "entry 0 has no request object"),
    ("no-url", b'{"log": {"entries": [{"request": {"method": "GET"}}]}}', "request.url is missing"),
    ("bad-headers", (b'{"log": {"entries": [{"request": {"method": "GET", "url": "http://a.test/", '
                    b'"headers": {"Origin": "x"}}}]}}'), "request.headers is not a list"),
    ("bad-header-pair", (b'{"log": {"entries": [{"request": {"method": "GET", "url": "http://a.test/", '
                        b'"headers": [{"name": 1}]}}]}}'), "is not a {name, value} pair"),
    ("bad-status", (b'{"log": {"entries": [{"request": {"method": "GET", "url": "http://a.test/"}, '
                   b'"response": {"status": "200"}}]}}'), "response.status '200' is not an integer"),
    ("not-utf8", b'{"log": \xff}', "is not UTF-8 text"),
]


@pytest.mark.parametrize(("label", "content", "message"), BAD_HAR_FILES, ids=[row[0] for row in BAD_HAR_FILES])
def test_bad_har_is_one_line_error(tmp_path: Path, label: str, content: bytes, message: str) -> None:
    path = tmp_path / f"{label}.har"
    path.write_bytes(content)

    result = run_explain(str(path))

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_truncated_real_har_names_the_problem(tmp_path: Path) -> None:
    recorded = (DATA / "chromium-run.har").read_bytes()
    path = tmp_path / "cut.har"
    path.write_bytes(recorded[: len(recorded) // 2])

    result = run_explain(str(path))

    assert result.exit_code == 2
    assert "is truncated" in result.output


def test_missing_file_is_usage_error(tmp_path: Path) -> None:
    result = run_explain(str(tmp_path / "absent.har"))

    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_two_har_files_rejected() -> None:
    har = str(DATA / "chrome-style.har")

    result = run_explain(har, har)

    assert result.exit_code == 2
    assert "pass a single HAR file" in result.output


def test_invalid_origin_option_rejected() -> None:
    result = run_explain(str(DATA / "chrome-style.har"), "--origin", "https://app.example.com/")

    assert result.exit_code == 2
    assert "invalid --origin" in result.output


# Raw HTTP text


PREFLIGHTED_REQUEST = """PUT /items/7 HTTP/1.1
Host: api.example.com:443
Origin: https://app.example.com
Content-Type: application/json

{"name": "seven"}
"""

PREFLIGHT_EXCHANGE = """OPTIONS https://api.example.com:443/items/7 HTTP/1.1
Access-Control-Request-Method: PUT
Origin: https://app.example.com

HTTP/1.1 204 No Content
Access-Control-Allow-Origin: https://app.example.com
Access-Control-Allow-Methods: PUT
Access-Control-Allow-Headers: content-type
"""

ACTUAL_RESPONSE = """HTTP/1.1 200 OK
Access-Control-Allow-Origin: https://app.example.com
Content-Type: application/json
X-Request-Id: 9

{"ok": true}
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_http_text_request_and_responses(tmp_path: Path) -> None:
    request = write(tmp_path, "request.http", PREFLIGHTED_REQUEST)
    preflight = write(tmp_path, "preflight.http", PREFLIGHT_EXCHANGE)
    actual = write(tmp_path, "actual.http", ACTUAL_RESPONSE)

    exit_code, report = explain_json(request, preflight, actual)

    assert exit_code == 0
    fetch = report["fetches"][0]
    assert fetch["request"]["url"] == "https://api.example.com:443/items/7"
    assert fetch["outcome"] == "allowed"
    assert fetch["verdict"]["preflight_needed"] is True
    assert fetch["verdict"]["visible_headers"] == ["content-type"]


def test_http_text_responses_in_order(tmp_path: Path) -> None:
    preflight_response = PREFLIGHT_EXCHANGE.split("\n\n", 1)[1]
    text = PREFLIGHTED_REQUEST + "\n" + preflight_response + "\n" + ACTUAL_RESPONSE

    fetch = parse_http_text([("exchange.http", text)])
    result = check_recorded(fetch, "spec")

    assert result.outcome == "allowed"
    assert not fetch.preflight_recorded


def test_http_text_blocked_preflight(tmp_path: Path) -> None:
    bad_preflight = PREFLIGHT_EXCHANGE.replace("Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Methods: put")
    files = [write(tmp_path, "request.http", PREFLIGHTED_REQUEST), write(tmp_path, "preflight.http", bad_preflight),
             write(tmp_path, "actual.http", ACTUAL_RESPONSE)]

    exit_code, report = explain_json(*files)

    assert exit_code == 1
    error = report["fetches"][0]["verdict"]["error"]
    assert error["stage"] == "preflight"
    assert error["chromium"] == "MethodDisallowedByPreflightResponse"


def test_http_text_origin_option(tmp_path: Path) -> None:
    request = write(tmp_path, "request.http", "GET http://api.example.com/x HTTP/1.1\n\n")
    response = write(tmp_path, "response.http", "HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\n")

    missing = run_explain(request, response)
    given = run_explain(request, response, "--origin", "https://app.example.com")

    assert missing.exit_code == 2
    assert "no Origin or Referer header; pass --origin" in missing.output
    assert given.exit_code == 0, given.output


BAD_HTTP_TEXT = [
    ("garbage-start", "hello there\n", "is not an HTTP request or status line"),
    ("bad-header-line", "GET http://a.test/ HTTP/1.1\nOrigin https://b.test\n", "is not a header line"),
    ("response-first", "HTTP/1.1 200 OK\n", "the first message must be the request"),
    ("no-response", "GET http://a.test/ HTTP/1.1\nOrigin: https://b.test\n", "no HTTP response follows"),
    ("relative-no-host", "GET /x HTTP/1.1\nOrigin: https://b.test\n\nHTTP/1.1 200 OK\n", "has a relative target"),
    ("empty", "", "contains no HTTP message"),
]


@pytest.mark.parametrize(("label", "text", "message"), BAD_HTTP_TEXT, ids=[row[0] for row in BAD_HTTP_TEXT])
def test_bad_http_text_is_one_line_error(tmp_path: Path, label: str, text: str, message: str) -> None:
    result = run_explain(write(tmp_path, f"{label}.http", text))

    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_parse_har_raises_recording_error() -> None:
    with pytest.raises(RecordingError, match="is truncated"):
        parse_har('{"log": {"entries": [')


def har_document(*entries: dict[str, Any]) -> str:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}})


def har_entry(url: str, status: int, response_headers: list[tuple[str, str]], failure: str | None = None,
              redirect_url: str = "") -> dict[str, Any]:
    request_headers = [{"name": "Origin", "value": "http://127.0.0.1:3000"},
                       {"name": "Sec-Fetch-Mode", "value": "cors"}]
    response: dict[str, Any] = {"status": status, "headers": [{"name": n, "value": v} for n, v in response_headers],
                                "redirectURL": redirect_url}
    if failure:
        response["_failureText"] = failure
    return {"request": {"method": "GET", "url": url, "headers": request_headers}, "response": response}


def test_aborted_location_means_manual_redirect() -> None:
    first = har_entry("http://127.0.0.1:8001/a", 302, [("Access-Control-Allow-Origin", "*"),
                                                       ("Location", "http://127.0.0.1:8002/b")],
                      redirect_url="http://127.0.0.1:8002/b")
    second = har_entry("http://127.0.0.1:8002/b", -1, [], failure="net::ERR_ABORTED")

    fetches = parse_har(har_document(first, second))
    result = check_recorded(fetches[0], "chromium")

    assert fetches[0].request.redirect == "manual"
    assert result.outcome == "opaqueredirect"


def test_failed_location_stays_blocked() -> None:
    first = har_entry("http://127.0.0.1:8001/a", 302, [("Access-Control-Allow-Origin", "*"),
                                                       ("Location", "http://127.0.0.1:8002/b")])
    second = har_entry("http://127.0.0.1:8002/b", -1, [], failure="net::ERR_FAILED")

    fetches = parse_har(har_document(first, second))
    result = check_recorded(fetches[0], "chromium")

    assert fetches[0].request.redirect == "follow"
    assert result.outcome == "blocked-unrecorded"


def test_location_fragment_matches_recorded_url() -> None:
    first = har_entry("http://127.0.0.1:8001/a", 302, [("Access-Control-Allow-Origin", "*"),
                                                       ("Location", "http://127.0.0.1:8002/b#part")])
    second = har_entry("http://127.0.0.1:8002/b", 200, [("Access-Control-Allow-Origin", "*")])

    fetches = parse_har(har_document(first, second))
    result = check_recorded(fetches[0], "chromium")

    assert len(fetches) == 1
    assert result.outcome == "allowed"


def test_corsguard_group_runs_explain() -> None:
    from corsguard.cli import main

    listing = CliRunner().invoke(main, ["--help"])
    result = CliRunner().invoke(main, ["explain", str(DATA / "firefox-style.har")])

    assert "explain" in listing.output
    assert result.exit_code == 1
    assert "MissingAllowOriginHeader" in result.output


def test_http_fixture_files_credentialed_put() -> None:
    files = [str(DATA / "http" / name) for name in ("request.http", "preflight.http", "response.http")]

    exit_code, report = explain_json(*files)

    assert exit_code == 1
    fetch = report["fetches"][0]
    assert fetch["request"]["url"] == "https://api.example.com/api/profile"
    assert fetch["request"]["credentials"] == "include"
    assert fetch["verdict"]["error"]["stage"] == "preflight"
    assert fetch["verdict"]["error"]["chromium"] == "PreflightWildcardOriginNotAllowed"


def test_http_fixture_without_cookie_is_allowed(tmp_path: Path) -> None:
    request = (DATA / "http" / "request.http").read_text().replace("Cookie: session=abc123\n", "")
    files = [write(tmp_path, "request.http", request),
             str(DATA / "http" / "preflight.http"), str(DATA / "http" / "response.http")]

    exit_code, report = explain_json(*files)

    assert exit_code == 0
    assert report["fetches"][0]["outcome"] == "allowed"


def test_headers_without_status_are_checked() -> None:
    entry = har_entry("http://127.0.0.1:8001/a", 0, [("Access-Control-Allow-Origin", "http://127.0.0.1:9")],
                      failure="net::ERR_FAILED")

    fetches = parse_har(har_document(entry))
    result = check_recorded(fetches[0], "chromium")

    assert result.outcome == "blocked"
    assert result.verdict.error is not None
    assert result.verdict.error.chromium == "AllowOriginMismatch"
    assert any("no status recorded" in note for note in result.notes)


def test_origin_source_named_in_notes() -> None:
    entry = har_entry("http://127.0.0.1:8001/a", 200, [("Access-Control-Allow-Origin", "*")])
    entry["request"]["headers"] = [{"name": "Origin", "value": "not an origin"},
                                   {"name": "Referer", "value": "http://127.0.0.1:3000/page"}]

    fetch = parse_har(har_document(entry))[0]

    assert fetch.request.origin == "http://127.0.0.1:3000"
    assert "page origin http://127.0.0.1:3000 from the Referer request header" in fetch.notes
