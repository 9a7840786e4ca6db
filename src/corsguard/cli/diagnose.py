"""Find which part of a refused preflight the server rejects, with corsguard's own follow-up preflights.

A strict CORS middleware such as corsguard's responds to a preflight it does not grant with an
error status and no CORS headers at all, so the browser cannot tell whether the origin, the method or a
request header was rejected. `diagnose_preflight` sends the same URL preflights that differ from
the refused one in one element each, and judges every response with the browser's own preflight
validation:

1. the origin and the method alone, without Access-Control-Request-Headers;
2. when that is accepted, each requested header alone with the method;
3. when it is refused, the origin with method GET, which tells a refused origin from a refused
   method; when GET is accepted, each requested header alone with GET.

That is at most 1 + (number of requested headers) + 1 requests. A browser never sends these
requests, and the command line shows them apart from the browser's exchanges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..fetch import ACRH, ACRM, ORIGIN, split_list

if TYPE_CHECKING:
    from ..browser import Exchange, FetchRequest, RecordedResponse, Verdict
    from ..browser.model import HeaderLines
    from ..browser.profiles import Profile
    from ..browser.transports import Transport

ACCEPTED = "accepted"
REFUSED = "refused"
UNTESTED = "untested"
NOTE = ("corsguard sent these preflights itself to find which element the server rejects; "
        "a browser does not send them")


@dataclass(frozen=True, slots=True)
class Probe:
    """One diagnostic preflight: what it varies, what was sent and how the server responded."""

    purpose: str
    url: str
    request_headers: HeaderLines
    response: RecordedResponse | None
    accepted: bool | None  # None when no response came
    error: str | None = None  # why no response came


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Result of the follow-up preflights: each element's result, a finding and a narrow fix.

    `fix` is empty when the probes do not point at one setting; the verdict's fix then applies.
    """

    origin: str
    method: str
    origin_result: str
    method_result: str
    header_results: tuple[tuple[str, str], ...]  # (lowercase name, result) in the requested order
    probes: tuple[Probe, ...]
    finding: str
    fix: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form that `check --json` prints under the `diagnosis` key."""
        return {
            "note": NOTE,
            "origin": {"value": self.origin, "result": self.origin_result},
            "method": {"value": self.method, "result": self.method_result},
            "headers": [{"value": name, "result": result} for name, result in self.header_results],
            "finding": self.finding,
            "fix": self.fix or None,
            "probes": [_probe_dict(probe) for probe in self.probes],
        }


def _probe_dict(probe: Probe) -> dict[str, Any]:
    response = probe.response
    return {
        "purpose": probe.purpose,
        "method": "OPTIONS",
        "url": probe.url,
        "request_headers": [[name, value] for name, value in probe.request_headers],
        "response": None if response is None else {
            "status": response.status,
            "headers": [[name, value] for name, value in response.headers],
        },
        "accepted": probe.accepted,
        "error": probe.error,
    }


def refused_preflight(verdict: Verdict) -> Exchange | None:
    """Return the preflight exchange to diagnose, or None when the verdict is not that case.

    The case is a fetch blocked at the preflight whose response carries no CORS header at all and
    is no redirect: the server refused the whole preflight without saying why.
    """
    if verdict.verdict != "blocked" or verdict.error is None or verdict.error.stage != "preflight":
        return None
    if verdict.error.code == "PreflightDisallowedRedirect":
        return None
    preflights = [exchange for exchange in verdict.exchanges if exchange.stage == "preflight"]
    if not preflights:
        return None
    exchange = preflights[-1]
    response = exchange.response
    if response is None or any(name.lower().startswith("access-control-") for name, _ in response.headers):
        return None
    return exchange


class _Prober:
    """Send probes that copy the refused preflight and change only ACRM and ACRH."""

    def __init__(self, exchange: Exchange, transport: Transport, credentials: bool, profile: Profile) -> None:
        self.exchange = exchange
        self.transport = transport
        self.credentials = credentials
        self.profile = profile
        self.origin = _header(exchange.request_headers, ORIGIN) or "null"
        self.probes: list[Probe] = []
        self.failed = False

    def send(self, purpose: str, method: str, header_name: str | None) -> bool | None:
        """Send one probe; return whether the browser would accept its response, None without one."""
        from ..browser.preflight import validate_preflight
        from ..browser.transports import TransportError

        headers = _probe_headers(self.exchange.request_headers, method, header_name)
        try:
            response = self.transport.send("OPTIONS", self.exchange.url, headers)
        except TransportError as error:
            self.probes.append(Probe(purpose, self.exchange.url, headers, None, None, str(error)))
            self.failed = True
            return None
        unsafe = [] if header_name is None else [header_name]
        outcome = validate_preflight(response, self.origin, method, unsafe, self.credentials, self.profile)
        accepted = outcome.failure is None
        self.probes.append(Probe(purpose, self.exchange.url, headers, response, accepted))
        return accepted

    def test_headers(self, method: str, names: list[str]) -> list[tuple[str, str]]:
        """Probe each header alone with `method`; stop, marking the rest untested, on a network error."""
        results = []
        for name in names:
            accepted = None if self.failed else self.send(f"header {name} alone, method {method}", method, name)
            results.append((name, _result(accepted)))
        return results


def _result(accepted: bool | None) -> str:
    if accepted is None:
        return UNTESTED
    return ACCEPTED if accepted else REFUSED


def diagnose_preflight(request: FetchRequest, verdict: Verdict, transport: Transport) -> Diagnosis | None:
    """Probe the server when the verdict is a preflight refused without CORS headers; else return None."""
    from ..browser.profiles import get_profile

    exchange = refused_preflight(verdict)
    if exchange is None:
        return None
    sent = exchange.request_headers
    method = _header(sent, ACRM) or request.method
    names = [name.lower() for name in split_list(_header(sent, ACRH) or "")]
    names = list(dict.fromkeys(names))
    prober = _Prober(exchange, transport, request.credentials == "include", get_profile(verdict.profile))

    origin_result = method_result = UNTESTED
    header_results = [(name, UNTESTED) for name in names]
    # Without requested headers the refused preflight already was the method-alone preflight.
    bare = prober.send(f"method {method} alone", method, None) if names else False
    if bare:
        origin_result = method_result = ACCEPTED
        header_results = prober.test_headers(method, names)
    elif bare is False and method == "GET":
        origin_result = REFUSED
    elif bare is False:
        get_accepted = prober.send("method GET alone", "GET", None)
        if get_accepted:
            origin_result, method_result = ACCEPTED, REFUSED
            header_results = prober.test_headers("GET", names)
        elif get_accepted is False:
            origin_result = REFUSED

    finding, fix = describe(prober.origin, method, origin_result, method_result, header_results,
                            prober.probes, _script_names(request))
    return Diagnosis(prober.origin, method, origin_result, method_result, tuple(header_results),
                     tuple(prober.probes), finding, fix)


def _header(headers: HeaderLines, name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _probe_headers(original: HeaderLines, method: str, header_name: str | None) -> HeaderLines:
    """Copy the refused preflight's request headers with ACRM set to `method` and ACRH to `header_name`."""
    headers: list[tuple[str, str]] = []
    for name, value in original:
        lower = name.lower()
        if lower == ACRH:
            continue
        headers.append((name, method) if lower == ACRM else (name, value))
        if lower == ACRM and header_name is not None:
            headers.append((ACRH, header_name))
    return tuple(headers)


def _script_names(request: FetchRequest) -> dict[str, str]:
    """Map lowercase request header names to the spelling script used, for the fix."""
    return {name.lower(): name for name, _ in request.headers}




def describe(origin: str, method: str, origin_result: str, method_result: str,
             header_results: list[tuple[str, str]], probes: list[Probe],
             script_names: dict[str, str]) -> tuple[str, str]:
    """Return the finding sentence and the fix that names only the refused settings."""
    failed = next((number for number, probe in enumerate(probes, 1) if probe.response is None), None)
    if failed is not None:
        error = probes[failed - 1].error
        return (f"The diagnosis is incomplete because diagnostic preflight {failed} got no response: {error}.",
                "")
    if origin_result == REFUSED:
        return _origin_finding(origin, method), _origin_fix(origin)

    refused_headers = [name for name, result in header_results if result == REFUSED]
    accepted_headers = [name for name, result in header_results if result == ACCEPTED]
    refused = ([f"method {method}"] if method_result == REFUSED else []) + (
        [_headers_phrase(refused_headers)] if refused_headers else [])
    accepted = [f"origin {origin}"] + ([f"method {method}"] if method_result == ACCEPTED else []) + (
        [_headers_phrase(accepted_headers)] if accepted_headers else [])
    if not refused:
        return ((f"The server accepts origin {origin}, method {method} and each requested header alone, but "
                "refuses the full preflight. It may limit how many headers one preflight can request, or "
                "something other than the CORS settings rejects the preflight."), "")

    verb = "is" if len(accepted) == 1 else "are"
    finding = f"The server refuses {_join(refused)}; {_join(accepted)} {verb} accepted."
    if method_result == REFUSED and accepted_headers + refused_headers:
        finding += f" The headers were tested with method GET because the server refuses {method}."
    return finding, _settings_fix(method if method_result == REFUSED else None,
                                  [script_names.get(name) or _title_case(name) for name in refused_headers])


def _origin_finding(origin: str, method: str) -> str:
    untested = "the request headers" if method == "GET" else f"method {method} and the request headers"
    return (f"The server refuses every preflight from origin {origin}, even one for GET without request "
            f"headers, so {untested} could not be tested. Most likely the origin is not allowed. "
            "Otherwise the server grants no preflight at this URL at all.")


def _origin_fix(origin: str) -> str:
    if origin == "null":
        return ("The page has the opaque origin `null` (a sandboxed frame, a `file:` page or a request "
                "redirected across origins), which corsguard's `allow_origins` rejects: serve the page "
                "from a real origin and allow that origin.")
    # NOTE: preflights alone cannot tell these causes apart; only an actual request could, and the
    # diagnosis sends none.
    return (f'Add {origin} to the allowed origins (with corsguard: `allow_origins=[..., "{origin}"]`). '
            "If the server already allows it, it grants no preflight here: a CORS middleware that "
            "runs after routing or authentication never sees the preflight.")


def _settings_fix(method: str | None, headers: list[str]) -> str:
    changes = []
    if method is not None:
        changes.append(f'add {method} to the allowed methods (with corsguard: `allow_methods=[..., "{method}"]`)')
    if headers:
        quoted = ", ".join(f'"{name}"' for name in headers)
        changes.append(f"add {_join(headers)} to the allowed request headers "
                       f"(with corsguard: `allow_headers=[..., {quoted}]`)")
    unchanged = "The origin is" if method is not None else "The origin and method are"
    text = " and ".join(changes)
    return f"{text[0].upper()}{text[1:]}. {unchanged} already allowed."


def _headers_phrase(names: list[str]) -> str:
    return ("request header " if len(names) == 1 else "request headers ") + _join(names)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _title_case(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))
