"""`corsguard explain` on HAR files that Playwright recorded from headless Chromium.

The live test records a HAR of a Chromium run over every generated behaviour with one fetch call
(from the same-site page, the cross-site page and the sandboxed iframe), and checks that
`corsguard explain` reaches Chromium's verdict on every fetch that reached the network. The offline test does the same
with a HAR committed under tests/browser/data/, next to the Chromium outcomes of the run that
recorded it. Regenerate both with `python -m tests.browser.test_har_chromium`.

Playwright's HAR keeps the responses of fetches Chromium allowed, but of a blocked fetch only the
request and the error text (`net::ERR_FAILED`): for those, explain can only confirm "blocked".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from corsguard.cli.explain import explain
from tests.browser.generator import SAME_SITE, Behaviour, behaviours

DATA = Path(__file__).parent / "data"
RECORDED_HAR = DATA / "chromium-run.har"
RECORDED_OUTCOMES = DATA / "chromium-run-outcomes.json"
CASE_URL = re.compile(r"/c/(?P<id>[a-z0-9-]+)/0$")

# The committed recording: one fetch each, covering allowed, blocked at each stage, redirects,
# exposure and no-cors.
HAR_CASE_IDS = (
    "acao-exact-include", "acao-star-omit", "acao-star-include", "acao-absent-omit", "acao-two-lines-omit",
    "acac-absent-include", "acam-put-exact", "acam-put-star-include", "acah-authorization-star-omit",
    "acah-json-content-type", "preflight-status-404", "preflight-cors-star-include", "aceh-star-omit",
    "aceh-one-name-include", "redirect-cross-origin-star", "redirect-no-acao-on-redirect",
    "redirect-to-initiator-null", "mode-no-cors-get", "status-500-no-acao", "status-404-star",
)
# Include-mode fetches carry this cookie, so explain can tell them from the others.
SESSION_COOKIE = {"name": "har_session", "value": "1", "domain": "127.0.0.1", "path": "/"}


def single_fetch_behaviours() -> list[Behaviour]:
    """Return the behaviours with one fetch call."""
    return [behaviour for behaviour in behaviours() if len(behaviour.fetches) == 1]


def record_run(har_path: Path, cases: list[Behaviour]) -> dict[str, dict[str, Any]]:
    """Run `cases` in Chromium, recording `har_path`; return Chromium's outcome per case.

    Cases whose fetch call Chromium rejected before any network activity leave no HAR entry and
    are left out.
    """
    from tests.support.behaviour_server import serve_behaviours
    from tests.support.chromium import launch_chromium
    from tests.support.chromium_fetch import run_in_chromium

    with serve_behaviours(cases) as servers, launch_chromium() as browser:
        outcomes = run_in_chromium(browser, servers, cases, har_path=str(har_path), cookies=(SESSION_COOKIE,))
    return {
        case_id: {"verdict": outcome.verdict, "cors_error": outcome.cors_error, "status": outcome.status,
                  "visible_headers": None if outcome.visible_headers is None else list(outcome.visible_headers)}
        for (case_id, _), outcome in outcomes.items()
        if outcome.network_request
    }


def explain_har(path: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    """Run `corsguard explain --json` on a HAR file; return the exit code and results per case."""
    result = CliRunner().invoke(explain, [str(path), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    report = json.loads(result.output)
    by_case = {}
    for fetch in report["fetches"]:
        match = CASE_URL.search(fetch["request"]["url"])
        if match:
            by_case[match.group("id")] = fetch
    return result.exit_code, by_case


def disagreements(chromium: dict[str, dict[str, Any]], explained: dict[str, dict[str, Any]]) -> list[str]:
    """List every case where explain's verdict differs from Chromium's."""
    problems = []
    for case_id, outcome in chromium.items():
        fetch = explained.get(case_id)
        if fetch is None:
            problems.append(f"{case_id}: not found in the HAR by explain")
            continue
        verdict = fetch["verdict"]
        if outcome["verdict"] == "blocked":
            if fetch["outcome"] not in ("blocked", "blocked-unrecorded"):
                problems.append(f"{case_id}: Chromium blocked ({outcome['cors_error']}), explain {fetch['outcome']}")
            elif fetch["outcome"] == "blocked" and verdict["error"]["chromium"] != outcome["cors_error"]:
                problems.append(f"{case_id}: Chromium {outcome['cors_error']}, explain {verdict['error']['chromium']}")
        elif fetch["outcome"] != outcome["verdict"]:
            problems.append(f"{case_id}: Chromium {outcome['verdict']}, explain {fetch['outcome']}")
        elif outcome["verdict"] == "allowed":
            if verdict["status"] != outcome["status"]:
                problems.append(f"{case_id}: status {outcome['status']} in Chromium, {verdict['status']} in explain")
            if sorted(verdict["visible_headers"]) != outcome["visible_headers"]:
                problems.append(f"{case_id}: Chromium exposed {outcome['visible_headers']}, "
                                f"explain {sorted(verdict['visible_headers'])}")
    return problems


@pytest.mark.browser
@pytest.mark.server
def test_explain_matches_live_chromium_har(tmp_path: Path) -> None:
    har_path = tmp_path / "run.har"
    chromium = record_run(har_path, single_fetch_behaviours())
    exit_code, explained = explain_har(har_path)

    assert len(chromium) >= 250
    assert not disagreements(chromium, explained)
    assert exit_code == 1  # some fetches were blocked
    decided = [case_id for case_id, fetch in explained.items() if fetch["outcome"] != "blocked-unrecorded"]
    assert len(decided) >= 100


def test_explain_matches_recorded_chromium_har() -> None:
    chromium = json.loads(RECORDED_OUTCOMES.read_text())
    exit_code, explained = explain_har(RECORDED_HAR)

    assert set(chromium) == set(HAR_CASE_IDS)
    assert not disagreements(chromium, explained)
    assert exit_code == 1


def test_recorded_har_infers_credentials_and_preflight() -> None:
    _, explained = explain_har(RECORDED_HAR)

    include = explained["acao-exact-include"]
    assert include["request"]["credentials"] == "include"
    assert include["verdict"]["credentials_attached"]["actual"] is True
    omitted = explained["acao-star-omit"]
    assert omitted["request"]["credentials"] == "same-origin"
    preflighted = explained["acam-put-exact"]
    assert preflighted["verdict"]["preflight_needed"] is True
    assert any("preflight" in note and "not recorded" in note for note in preflighted["notes"])


def main() -> None:
    """Record a fresh HAR and Chromium outcomes into tests/browser/data/."""
    cases = [behaviour for behaviour in single_fetch_behaviours()
             if behaviour.id in HAR_CASE_IDS and behaviour.page == SAME_SITE]
    outcomes = record_run(RECORDED_HAR, cases)
    RECORDED_OUTCOMES.write_text(json.dumps(outcomes, indent=2, sort_keys=True) + "\n")
    print(f"wrote {RECORDED_HAR} and {RECORDED_OUTCOMES}")


if __name__ == "__main__":
    main()
