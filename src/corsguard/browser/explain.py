"""Turn a failure or a success into a plain explanation, a server-side fix and warnings."""

from __future__ import annotations

from typing import Any

from ..fetch import ACAC, ACAH, ACAM, ACAO, CORS_RESPONSE_HEADER_NAMES, VARY, split_list
from .errors import CHROMIUM_ERRORS, COOKIE_REASONS, ErrorInfo
from .model import CookieOutcome, CorsFailure, RecordedResponse, get_header

_STAGES = {
    "request": "Before sending {method} {url}",
    "preflight": "At the preflight for {method} {url}",
    "redirect": "At a redirect of {method} {url}",
    "actual": "At the response to {method} {url}",
}


def error_info(code: str) -> ErrorInfo:
    """Return the explanation and fix for an error id; raise KeyError for an unknown id."""
    return CHROMIUM_ERRORS[code]


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def explain_failure(failure: CorsFailure, context: dict[str, Any]) -> tuple[str, str]:
    """Return (explanation, fix) for a blocked fetch."""
    info = error_info(failure.code)
    fields = _Fields(context)
    fields["value"] = failure.failed_parameter if failure.failed_parameter is not None else ""
    stage = _STAGES.get(failure.stage, failure.stage).format_map(fields)
    explanation = f"{stage}: " + info.explanation.format_map(fields)
    if context.get("tainted"):
        explanation += (" The request was redirected from one origin to another, so its origin is now "
                        "`null`: the final server must respond with `Access-Control-Allow-Origin: null` or `*` "
                        "(`*` only without credentials).")
    hint = _client_header_hint(failure)
    if hint:
        explanation += " " + hint

    response = context.get("response")
    if context.get("tainted") and failure.chromium is not None and "Origin" in failure.chromium:
        fix = ("Avoid the cross-origin redirect: let the page call the final URL directly, or have the first "
               "server fetch the resource itself. Otherwise the final server must send "
               "`Access-Control-Allow-Origin: null` (or `*` without credentials), and `null` grants every "
               "sandboxed page and every redirected request, so corsguard's `allow_origins` rejects it.")
        return explanation, fix
    if failure.stage == "preflight" and isinstance(response, RecordedResponse) and _is_rejected_preflight(response):
        explanation += " " + _rejection_sentence(response, context)
        fix = info.fix.format_map(fields) + " " + _rejection_fix(context)
        return explanation, fix

    extras = _further_preflight_problems(failure, context)
    if extras:
        explanation += " Also: " + " ".join(extras)
    missing = _missing_headers(response, context) if isinstance(response, RecordedResponse) else []
    fields["allow_headers"] = ", ".join(f'"{name}"' for name in missing or [fields["value"]])
    fix = info.fix.format_map(fields)
    return explanation, fix


def _is_rejected_preflight(response: RecordedResponse) -> bool:
    """Tell whether a preflight response carries no CORS header at all, as a refusal does."""
    return not any(name.lower().startswith("access-control-") for name, _ in response.headers) and not (
        200 <= response.status <= 399)


def _rejection_sentence(response: RecordedResponse, context: dict[str, Any]) -> str:
    requested = f"method {context.get('method')}"
    unsafe = context.get("unsafe_headers") or []
    if unsafe:
        requested += (" and header " if len(unsafe) == 1 else " and headers ") + ", ".join(unsafe)
    return (f"The server responded to the preflight with status {response.status} and no CORS headers at all, "
            f"so it rejected the whole preflight, which requested {requested}. A strict CORS middleware such as "
            "corsguard's does this when the origin, the method or one of the headers is not allowed; an "
            "authentication layer or a router without an OPTIONS handler does it too.")


def _rejection_fix(context: dict[str, Any]) -> str:
    settings = [f"`allow_origins` contains `{context.get('page_origin')}`"]
    method = context.get("method")
    if method not in ("GET", "HEAD", "POST"):
        settings.append(f"`allow_methods` contains `{method}`")
    unsafe = context.get("unsafe_headers") or []
    if unsafe:
        settings.append("`allow_headers` contains " + ", ".join(f"`{name}`" for name in unsafe))
    return "With corsguard, check that " + ", ".join(settings[:-1]) + (
        " and " if len(settings) > 1 else "") + settings[-1] + "."


def _client_header_hint(failure: CorsFailure) -> str:
    """Point out request headers that clients send by mistake."""
    if failure.code != "HeaderDisallowedByPreflightResponse" or failure.failed_parameter is None:
        return ""
    name = failure.failed_parameter
    if name in CORS_RESPONSE_HEADER_NAMES:
        return (f"`{name}` is a response header: the client sends it by mistake and should drop it, since "
                "only the server can grant access.")
    if name == "withcredentials":
        return ("`withCredentials` is an XMLHttpRequest and axios option, not a header: the client should set "
                "the option (or `credentials: \"include\"` with fetch) instead of sending a header.")
    return ""


def explain_cookies(outcomes: tuple[CookieOutcome, ...] | list[CookieOutcome]) -> tuple[list[str], list[str]]:
    """Return sentences about cookies the browser rejected or withheld, and their fixes."""
    sentences: list[str] = []
    fixes: list[str] = []
    for outcome in outcomes:
        if outcome.action not in ("rejected", "not-sent") or outcome.reason not in COOKIE_REASONS:
            continue
        info = COOKIE_REASONS[outcome.reason]
        verb = "rejected the Set-Cookie for" if outcome.action == "rejected" else "did not send"
        sentences.append(f"The browser {verb} cookie `{outcome.name}` ({outcome.reason}): {info.explanation}.")
        if info.fix not in fixes:
            fixes.append(info.fix)
    return sentences, fixes


def _missing_headers(response: RecordedResponse, context: dict[str, Any]) -> list[str]:
    """Return the request's unsafe header names that the preflight response does not grant."""
    allowed = {name.lower() for name in split_list(get_header(response.headers, ACAH) or "")}
    wildcard = "*" in allowed and context.get("credentials") != "include"
    return [
        name for name in context.get("unsafe_headers", [])
        if name not in allowed and not (wildcard and name != "authorization")
    ]


def _further_preflight_problems(failure: CorsFailure, context: dict[str, Any]) -> list[str]:
    """Name problems of a failed preflight that the browser stopped before reporting."""
    response = context.get("response")
    if failure.stage != "preflight" or not isinstance(response, RecordedResponse):
        return []
    problems = []
    failed_cors_check = failure.code.startswith("Preflight") and failure.code not in (
        "PreflightInvalidStatus", "PreflightDisallowedRedirect")
    if failed_cors_check and not 200 <= response.status <= 299:
        problems.append(f"the preflight status {response.status} is not 2xx either.")

    method = str(context.get("method", ""))
    allowed_methods = split_list(get_header(response.headers, ACAM) or "")
    method_granted = method in ("GET", "HEAD", "POST") or method in allowed_methods or (
        "*" in allowed_methods and context.get("credentials") != "include")
    if failure.code != "MethodDisallowedByPreflightResponse" and not method_granted:
        problems.append(f"`Access-Control-Allow-Methods` does not list {method}.")

    missing = [name for name in _missing_headers(response, context) if name != failure.failed_parameter]
    if missing:
        names = ", ".join(missing)
        if failure.code == "HeaderDisallowedByPreflightResponse":
            problems.append(f"{names} {'is' if len(missing) == 1 else 'are'} not allowed either.")
        else:
            problems.append(f"`Access-Control-Allow-Headers` does not list {names}.")
    return problems


def explain_success(verdict: str, context: dict[str, Any]) -> tuple[str, str]:
    """Return (explanation, fix) for a fetch that was not blocked; the fix is empty."""
    if verdict == "opaque":
        explanation = ("The request was sent in `no-cors` mode: the browser sends it without a CORS check, "
                       "and the page gets an opaque response (status 0, no headers, no body) it cannot read.")
        return explanation, ""
    if verdict == "opaqueredirect":
        explanation = ("The server responded with a redirect and the request used `redirect: \"manual\"`, so "
                       "the page gets an opaque-redirect response (status 0) and cannot read where it points.")
        return explanation, ""
    explanation = (f"Allowed: the page at {context['page_origin']} can read the response of "
                   f"{context['method']} {context['url']} ({_credentials_phrase(context)}).")
    if context.get("preflight_from_cache"):
        explanation += " A cached preflight result covered the request, so no preflight was sent."
    elif context.get("preflight_sent"):
        explanation += " A preflight (OPTIONS) granted the request first."
    hidden = list(context.get("hidden_headers") or [])
    if hidden:
        listed = ", ".join(hidden[:5]) + (f" and {len(hidden) - 5} more" if len(hidden) > 5 else "")
        pronoun = "it" if len(hidden) == 1 else "them"
        explanation += (f" Script cannot read {listed}: list {pronoun} in `Access-Control-Expose-Headers` "
                        f"(corsguard's `expose_headers`) to make {pronoun} readable.")
    return explanation, ""


def _credentials_phrase(context: dict[str, Any]) -> str:
    """Say whether the request went with cookies, with credentials but no cookie, or without either."""
    if context.get("cookies_sent"):
        return "with cookies"
    if context.get("credentials_attached"):
        return f"with credentials: credentials mode {context.get('credentials')}, but no cookie was sent"
    return "without credentials"


def success_warnings(response: RecordedResponse, origin: str, credentials: bool) -> list[str]:
    """Flag responses that pass the CORS check but are dangerous to serve."""
    warnings = []
    allow_origin = get_header(response.headers, ACAO)
    if allow_origin == "null":
        warnings.append(
            "Access-Control-Allow-Origin is `null`, which matches every sandboxed iframe, `data:` and "
            "`file:` document and every redirected request; allow real origins instead (corsguard rejects "
            "`null` in `allow_origins`).")
    if allow_origin == "*" and get_header(response.headers, ACAC) == "true":
        warnings.append(
            "The response combines `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: "
            "true`, which never works: requests without credentials ignore the second header and "
            "credentialed requests fail. Echo allowed origins instead (corsguard's `allow_origins` with "
            "`allow_credentials=True`).")
    vary = {name.lower() for name in split_list(get_header(response.headers, VARY) or "")}
    if credentials and allow_origin == origin and origin != "null" and not vary & {"origin", "*"}:
        warnings.append(
            "The response echoes the origin with credentials but has no `Vary: Origin`, so a shared cache "
            "may serve it to another origin; corsguard's middleware always adds `Vary: Origin`.")
    return warnings
