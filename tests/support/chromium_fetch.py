"""Run generated behaviours' fetch calls in headless Chromium and read each outcome.

Each page kind (same-site page, cross-site page, sandboxed iframe) gets one page. All of a page's
fetch calls run in order inside one `evaluate` call, so the whole batch costs one round trip. Chromium's
reasons come from the DevTools protocol: `Network.loadingFailed` carries `corsErrorStatus` with the
`CorsError` name and its `failedParameter`. Script-visible results (response type, status, header
names) come from the page itself.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tests.browser.generator import CROSS_SITE, OPAQUE, SAME_SITE, Behaviour
from tests.support.behaviour_server import BehaviourServers

CASE_PATH = re.compile(r"/c/(?P<id>[a-z0-9-]+)/\d+")
FETCH_TIMEOUT_MS = 5000
# DevTools events arrive on their own session, so some may land after `evaluate` returns: wait at
# least EVENT_SETTLE_MS, then until every failed call's Network.loadingFailed is in, or the timeout.
EVENT_SETTLE_MS = 200
EVENT_POLL_MS = 50
EVENT_TIMEOUT_SECONDS = 5.0

# Runs every fetch in order and reports what script could see. Bodies are read to the end so a
# response counts as finished before the next fetch starts.
BATCH_SCRIPT = """
async (calls) => {
  const results = [];
  for (const [url, init, delay] of calls) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      const response = await fetch(url, {...init, signal: AbortSignal.timeout(TIMEOUT_MS)});
      await response.arrayBuffer();
      results.push({type: response.type, status: response.status,
                    headers: [...response.headers.keys()]});
    } catch (error) {
      results.push({error: String(error)});
    }
  }
  return results;
}
""".replace("TIMEOUT_MS", str(FETCH_TIMEOUT_MS))


@dataclass(frozen=True)
class ChromiumOutcome:
    """What one fetch call did in Chromium."""

    verdict: str  # allowed | blocked | opaque | opaqueredirect
    status: int | None
    visible_headers: tuple[str, ...] | None
    cors_error: str | None
    failed_parameter: str | None
    network_request: bool  # False when Chromium rejected the call before any network activity
    thrown: str | None
    # Set-Cookie lines Chromium refused, as (cookie name, blocked reasons), from
    # `Network.responseReceivedExtraInfo`.
    rejected_cookies: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass
class _Events:
    """DevTools events of one page, grouped per behaviour."""

    request_order: dict[str, list[str]]
    failures: dict[str, dict[str, Any]]
    blocked_cookies: dict[str, list[tuple[str, tuple[str, ...]]]]

    @classmethod
    def empty(cls) -> _Events:
        return cls(defaultdict(list), {}, defaultdict(list))


def _listen(cdp: Any, events: _Events) -> None:
    def on_request(event: dict[str, Any]) -> None:
        request = event["request"]
        match = CASE_PATH.search(request["url"])
        # Preflights are separate DevTools requests whose initiator type is "preflight".
        is_preflight = (event.get("initiator") or {}).get("type") == "preflight"
        if match is None or is_preflight or event.get("redirectResponse"):
            return
        order = events.request_order[match.group("id")]
        if event["requestId"] not in order:
            order.append(event["requestId"])

    def on_failed(event: dict[str, Any]) -> None:
        events.failures[event["requestId"]] = event

    def on_response_extra(event: dict[str, Any]) -> None:
        for blocked in event.get("blockedCookies", []):
            name = (blocked.get("cookie") or {}).get("name") or blocked["cookieLine"].split("=", 1)[0]
            events.blocked_cookies[event["requestId"]].append((name.strip(), tuple(blocked["blockedReasons"])))

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.loadingFailed", on_failed)
    cdp.on("Network.responseReceivedExtraInfo", on_response_extra)


def _fetch_call(servers: BehaviourServers, behaviour: Behaviour, index: int) -> list[Any]:
    """Return the batch script's arguments for one call: URL, fetch() options, pause in ms."""
    fetch = behaviour.fetches[index]
    init: dict[str, Any] = {"method": fetch.method, "mode": fetch.mode, "credentials": fetch.credentials,
                            "redirect": fetch.redirect}
    if fetch.headers:
        # A list of pairs keeps repeated names, which `Headers` then combines as browsers do.
        init["headers"] = [[name, value] for name, value in fetch.headers]
    if fetch.method.upper() == "POST":
        init["body"] = "x"
    return [servers.hop_url(behaviour, fetch.start), init, fetch.delay_ms]


def _outcome(result: dict[str, Any], failure: dict[str, Any] | None, sent: bool,
             rejected_cookies: list[tuple[str, tuple[str, ...]]]) -> ChromiumOutcome:
    if "error" not in result:
        kind = result["type"]
        verdict = {"cors": "allowed", "basic": "allowed"}.get(kind, kind)
        headers = None if verdict in ("opaque", "opaqueredirect") else tuple(sorted(result["headers"]))
        return ChromiumOutcome(verdict, result["status"], headers, None, None, sent, None,
                               tuple(rejected_cookies))
    status = (failure or {}).get("corsErrorStatus") or {}
    return ChromiumOutcome(
        verdict="blocked",
        status=None,
        visible_headers=None,
        cors_error=status.get("corsError"),
        failed_parameter=status.get("failedParameter") or None,
        network_request=sent,
        thrown=result["error"],
        rejected_cookies=tuple(rejected_cookies),
    )


def _failures_pending(results: dict[tuple[str, int], dict[str, Any]], events: _Events) -> bool:
    """Tell whether a call that failed after reaching the network still lacks its failure event."""
    for (case_id, index), result in results.items():
        request_ids = events.request_order.get(case_id, [])
        if "error" in result and index < len(request_ids) and request_ids[index] not in events.failures:
            return True
    return False


def _run_page(frame: Any, servers: BehaviourServers, behaviours: list[Behaviour],
              events: _Events, wait: Any) -> dict[tuple[str, int], ChromiumOutcome]:
    calls = []
    keys = []
    for behaviour in behaviours:
        for index in range(len(behaviour.fetches)):
            calls.append(_fetch_call(servers, behaviour, index))
            keys.append((behaviour.id, index))
    results = dict(zip(keys, frame.evaluate(BATCH_SCRIPT, calls)))
    wait(EVENT_SETTLE_MS)
    deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
    while _failures_pending(results, events) and time.monotonic() < deadline:
        wait(EVENT_POLL_MS)

    outcomes: dict[tuple[str, int], ChromiumOutcome] = {}
    for behaviour in behaviours:
        request_ids = events.request_order.get(behaviour.id, [])
        for index in range(len(behaviour.fetches)):
            result = results[(behaviour.id, index)]
            # Fetch calls of one behaviour run in order, so the n-th request id is the n-th call,
            # unless an earlier call never reached the network (then no later one did either).
            sent = index < len(request_ids)
            failure = events.failures.get(request_ids[index]) if sent else None
            cookies = events.blocked_cookies.get(request_ids[index], []) if sent else []
            outcomes[(behaviour.id, index)] = _outcome(result, failure, sent, cookies)
    return outcomes


def run_in_chromium(browser: Any, servers: BehaviourServers, behaviours: list[Behaviour],
                    har_path: str | None = None,
                    cookies: tuple[dict[str, str], ...] = ()) -> dict[tuple[str, int], ChromiumOutcome]:
    """Run every behaviour's fetch calls; return outcomes keyed by (behaviour id, call index).

    `har_path` records the run as a HAR file (Playwright's recorder); `cookies` are put in the
    browser's jar first, in Playwright's `add_cookies` form.
    """
    context = browser.new_context(record_har_path=har_path) if har_path else browser.new_context()
    if cookies:
        context.add_cookies(list(cookies))
    outcomes: dict[tuple[str, int], ChromiumOutcome] = {}
    try:
        for kind in (SAME_SITE, CROSS_SITE, OPAQUE):
            selected = [behaviour for behaviour in behaviours if behaviour.page == kind]
            if not selected:
                continue
            page = context.new_page()
            if kind == OPAQUE:
                # `goto` waits for the load event, which includes the iframe's document. The
                # sandboxed frame runs in its own renderer, so it needs its own DevTools session.
                page.goto(servers.page_origin(SAME_SITE) + "/sandbox")
                frame = page.frames[1]
            else:
                page.goto(servers.page_origin(kind) + "/")
                frame = page
            events = _Events.empty()
            cdp = context.new_cdp_session(frame)
            cdp.send("Network.enable")
            _listen(cdp, events)
            outcomes.update(_run_page(frame, servers, selected, events, page.wait_for_timeout))
            page.close()
    finally:
        context.close()
    return outcomes
