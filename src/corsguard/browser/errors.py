"""Every error id the checker reports, with a plain explanation and the server-side fix.

Ids are Chromium's `CorsError` names where Chromium has one, otherwise corsguard's own names for
failures that browsers show as a bare network error or `TypeError`. Firefox's console reasons
have their own table. Placeholders in braces are filled from the failed fetch: `{origin}` (the
origin the server must respond with), `{page_origin}`, `{url}`, `{method}`, `{value}` (the
offending value) and `{allow_headers}` (the request headers a preflight did not grant, quoted).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """Explanation of an error id and the server-side fix."""

    explanation: str
    fix: str


_ORIGIN_FIX = ("List the page's origin in corsguard's `allow_origins` (for example "
               "`allow_origins=[\"{page_origin}\"]`) so the middleware responds with "
               "`Access-Control-Allow-Origin: {origin}`; make sure error pages, redirects and proxies "
               "in front of the app keep that header.")
_CREDENTIALS_FIX = ("Set `allow_credentials=True` with an explicit `allow_origins` list; corsguard then sends "
                    "`Access-Control-Allow-Credentials: true` with the echoed origin. If the request does not "
                    "need cookies, drop `credentials: \"include\"` (or `withCredentials`) in the client.")
_WILDCARD_FIX = ("Replace `*` with the exact origin: corsguard's `allow_origins=[\"{page_origin}\"]` with "
                 "`allow_credentials=True` echoes `Access-Control-Allow-Origin: {origin}` and adds "
                 "`Vary: Origin`. If the request does not need cookies, drop `credentials: \"include\"`.")
_MULTIPLE_FIX = ("Send exactly one `Access-Control-Allow-Origin` line holding one origin. Usually two layers "
                 "both add CORS headers (a proxy and the app, or two middlewares); keep only corsguard's "
                 "middleware, which echoes the single matching origin from `allow_origins`.")
_INVALID_ORIGIN_FIX = ("Send the origin exactly as the browser serializes it (`{origin}`: scheme, host and "
                       "port, no quotes, path or trailing slash); corsguard's `allow_origins` validates "
                       "entries and echoes the request's own `Origin` value.")

CHROMIUM_ERRORS: dict[str, ErrorInfo] = {
    # CORS check of an actual or redirect response.
    "MissingAllowOriginHeader": ErrorInfo(
        "The response has no `Access-Control-Allow-Origin` header, so the browser hides it from the page.",
        _ORIGIN_FIX),
    "MultipleAllowOriginValues": ErrorInfo(
        "`Access-Control-Allow-Origin` contains more than one value ({value!r}): several lines, or a "
        "comma- or space-separated list. Browsers accept exactly one origin or `*`.",
        _MULTIPLE_FIX),
    "InvalidAllowOriginValue": ErrorInfo(
        "`Access-Control-Allow-Origin` is {value!r}, which is not an origin at all, so it cannot match "
        "`{origin}`.",
        _INVALID_ORIGIN_FIX),
    "AllowOriginMismatch": ErrorInfo(
        "`Access-Control-Allow-Origin` is {value!r} but the request's origin is `{origin}`; the two must "
        "be equal byte for byte (scheme, host, port and case).",
        _ORIGIN_FIX),
    "WildcardOriginNotAllowed": ErrorInfo(
        "The request is credentialed (`credentials: \"include\"`) and the response sends "
        "`Access-Control-Allow-Origin: *`. Browsers never share a credentialed response under the wildcard.",
        _WILDCARD_FIX),
    "InvalidAllowCredentials": ErrorInfo(
        "The request is credentialed (`credentials: \"include\"`), so the response must also say "
        "`Access-Control-Allow-Credentials: true` (exactly that, lower case); it says {value!r}.",
        _CREDENTIALS_FIX),
    # Preflight.
    "PreflightMissingAllowOriginHeader": ErrorInfo(
        "The preflight (OPTIONS) response has no `Access-Control-Allow-Origin` header.",
        "Answer the preflight with corsguard's middleware in front of everything else (routing, "
        "authentication, trailing-slash redirects), with the page's origin in `allow_origins` (for example "
        "`allow_origins=[\"{page_origin}\"]`); it replies 204 with the grant headers."),
    "PreflightMultipleAllowOriginValues": ErrorInfo(
        "The preflight response's `Access-Control-Allow-Origin` contains more than one value ({value!r}).",
        _MULTIPLE_FIX),
    "PreflightInvalidAllowOriginValue": ErrorInfo(
        "The preflight response's `Access-Control-Allow-Origin` is {value!r}, which is not an origin.",
        _INVALID_ORIGIN_FIX),
    "PreflightAllowOriginMismatch": ErrorInfo(
        "The preflight response's `Access-Control-Allow-Origin` is {value!r} but the request's origin is "
        "`{origin}`.",
        _ORIGIN_FIX),
    "PreflightWildcardOriginNotAllowed": ErrorInfo(
        "The actual request will be credentialed, and the preflight response sent `Access-Control-Allow-Origin: *`, "
        "which never covers credentialed requests.",
        _WILDCARD_FIX),
    "PreflightInvalidAllowCredentials": ErrorInfo(
        "The actual request will be credentialed, so the preflight response must say "
        "`Access-Control-Allow-Credentials: true`; it says {value!r}.",
        _CREDENTIALS_FIX),
    "PreflightInvalidStatus": ErrorInfo(
        "The preflight (OPTIONS) response has status {value}; browsers need a 2xx status (200 or 204).",
        "Let corsguard's middleware answer preflights before routing and authentication run: it replies 204 "
        "(or `preflight_status=200`). A 401 usually means an auth layer rejected the OPTIONS request, which "
        "never carries credentials; a 404 or 405 means no route handles OPTIONS."),
    "PreflightDisallowedRedirect": ErrorInfo(
        "The preflight (OPTIONS) response is a redirect; browsers never follow redirects for preflights.",
        "Serve the preflight at the URL the page requests, without redirecting (a trailing-slash redirect, an "
        "http-to-https redirect or a login redirect all cause this); corsguard's middleware answers the "
        "preflight before the app can redirect, or call the final URL from the client."),
    "InvalidAllowMethodsPreflightResponse": ErrorInfo(
        "The preflight response's `Access-Control-Allow-Methods` ({value!r}) contains an element that is "
        "not an HTTP token, so the whole preflight fails.",
        "Send a comma-separated list of method names; corsguard's `allow_methods=[...]` validates the names "
        "and writes the header for you."),
    "InvalidAllowHeadersPreflightResponse": ErrorInfo(
        "The preflight response's `Access-Control-Allow-Headers` ({value!r}) contains an element that is "
        "not an HTTP token, so the whole preflight fails.",
        "Send a comma-separated list of header names; corsguard's `allow_headers=[...]` validates the names "
        "and echoes the requested ones."),
    "MethodDisallowedByPreflightResponse": ErrorInfo(
        "The preflight response does not allow the method `{value}`: it is missing from "
        "`Access-Control-Allow-Methods`, which is compared case-sensitively, and `*` only counts for "
        "requests without credentials.",
        "Add the method, spelled exactly as the page sends it, to corsguard's `allow_methods` (for example "
        "`allow_methods=[\"GET\", \"POST\", \"{value}\"]`)."),
    "HeaderDisallowedByPreflightResponse": ErrorInfo(
        "The preflight response does not allow the request header `{value}`: it is missing from "
        "`Access-Control-Allow-Headers`. `*` covers no header on credentialed requests and never covers "
        "`Authorization` in the Fetch standard.",
        "Add the header to corsguard's `allow_headers` (for example `allow_headers=[{allow_headers}]`); list "
        "`Authorization` by name even when `allow_headers` contains `*`. If the client sets the header by "
        "mistake (a response header such as Access-Control-Allow-Origin, or an option such as "
        "withCredentials), remove it from the request instead."),
    # Redirects.
    "RedirectContainsCredentials": ErrorInfo(
        "A redirect points at a URL with a user name or password (`user:pass@host`), which a cross-origin "
        "fetch may not follow.",
        "Redirect to a URL without credentials in it, and authenticate with a cookie or an `Authorization` "
        "header allowed through `allow_headers`."),
    "RedirectModeError": ErrorInfo(
        "The server responded with a redirect and the request was made with `redirect: \"error\"`, so the "
        "fetch fails (a network error, not a CORS error).",
        "Serve the resource at the requested URL, or let the client use `redirect: \"follow\"`."),
    "TooManyRedirects": ErrorInfo(
        "The fetch followed more than {value} redirects and gave up.",
        "Break the redirect loop on the server; send the final URL directly."),
    "InvalidRedirectLocation": ErrorInfo(
        "A redirect's `Location` ({value!r}) is not a valid http or https URL.",
        "Send an absolute or relative http(s) URL in `Location`."),
    # Request-time failures.
    "DisallowedByMode": ErrorInfo(
        "The request uses `mode: \"same-origin\"` and the URL ({value}) is on another origin, so nothing is sent.",
        "This is a client setting: use `mode: \"cors\"` for cross-origin requests. No server header changes it."),
    "CorsDisabledScheme": ErrorInfo(
        "CORS requests only go to http and https URLs; this URL uses `{value}:`.",
        "Serve the resource over http or https."),
    "NoCorsRedirectModeNotFollow": ErrorInfo(
        "A `no-cors` request to another origin must use `redirect: \"follow\"`; it used {value!r}.",
        "This is a client setting: use `redirect: \"follow\"`, or `mode: \"cors\"` with a server that sends "
        "CORS headers (corsguard's `allow_origins`)."),
    "NoCorsMethodNotSafelisted": ErrorInfo(
        "A `no-cors` request may only use GET, HEAD or POST; `fetch()` throws a TypeError for `{value}` "
        "before sending anything.",
        "Use `mode: \"cors\"` and allow the method on the server with corsguard's `allow_methods`."),
    "InvalidURL": ErrorInfo(
        "The URL {value!r} is not a valid absolute URL, so `fetch()` throws a TypeError.",
        "Fix the URL in the client."),
    "URLContainsCredentials": ErrorInfo(
        "The URL {value!r} contains a user name or password, so `fetch()` throws a TypeError.",
        "Remove `user:pass@` from the URL and send credentials in a cookie or an `Authorization` header "
        "(listed in corsguard's `allow_headers`)."),
    "InvalidMethod": ErrorInfo(
        "The method {value!r} is not an HTTP token, so `fetch()` throws a TypeError.",
        "Use a valid method name in the client."),
    "ForbiddenMethod": ErrorInfo(
        "Script may not send `{value}` (CONNECT, TRACE and TRACK are forbidden methods); `fetch()` throws a "
        "TypeError.",
        "Use another method; no server setting can allow a forbidden method."),
    "InvalidHeaderName": ErrorInfo(
        "The request header in {value!r} has a name that is not an HTTP token; `fetch()` throws a TypeError.",
        "Fix the header name in the client."),
    "InvalidHeaderValue": ErrorInfo(
        "The request header {value!r} has a value with NUL, CR, LF or non-Latin-1 characters; `fetch()` "
        "throws a TypeError.",
        "Fix the header value in the client (encode non-ASCII text, for example as percent-encoding)."),
    "NetworkError": ErrorInfo(
        "No HTTP response came back from {value} (connection refused, reset, timed out or no recorded "
        "response). Browsers report this as a network error; the console may still blame CORS.",
        "Check that the server is running and reachable at that URL, and that it does not crash on the "
        "request (a crash before the CORS middleware runs looks the same)."),
}

FIREFOX_REASONS: dict[str, ErrorInfo] = {
    "CORSMissingAllowOrigin": CHROMIUM_ERRORS["MissingAllowOriginHeader"],
    "CORSMultipleAllowOriginNotAllowed": CHROMIUM_ERRORS["MultipleAllowOriginValues"],
    "CORSAllowOriginNotMatchingOrigin": CHROMIUM_ERRORS["AllowOriginMismatch"],
    "CORSNotSupportingCredentials": CHROMIUM_ERRORS["WildcardOriginNotAllowed"],
    "CORSMissingAllowCredentials": CHROMIUM_ERRORS["InvalidAllowCredentials"],
    "CORSPreflightDidNotSucceed": CHROMIUM_ERRORS["PreflightInvalidStatus"],
    "CORSExternalRedirectNotAllowed": CHROMIUM_ERRORS["PreflightDisallowedRedirect"],
    "CORSInvalidAllowMethod": CHROMIUM_ERRORS["InvalidAllowMethodsPreflightResponse"],
    "CORSInvalidAllowHeader": CHROMIUM_ERRORS["InvalidAllowHeadersPreflightResponse"],
    "CORSMethodNotFound": CHROMIUM_ERRORS["MethodDisallowedByPreflightResponse"],
    "CORSMissingAllowHeaderFromPreflight": CHROMIUM_ERRORS["HeaderDisallowedByPreflightResponse"],
    "CORSRequestNotHttp": CHROMIUM_ERRORS["CorsDisabledScheme"],
    "CORSDidNotSucceed": CHROMIUM_ERRORS["NetworkError"],
    "CORSDisabled": ErrorInfo(
        "CORS is switched off in this Firefox profile (`content.cors.disable`), so every cross-origin "
        "request fails.",
        "Nothing on the server fixes this; re-enable CORS in the browser's configuration."),
    "CORSOriginHeaderNotAdded": ErrorInfo(
        "Firefox could not add the `Origin` header (this happens for requests made with an extension's "
        "expanded principal).",
        "Nothing on the server fixes this; send the request from a regular page."),
}

# Reasons a cookie was not stored or not sent, keyed by Chromium's DevTools name.
COOKIE_REASONS: dict[str, ErrorInfo] = {
    "InvalidDomain": ErrorInfo(
        "its `Domain` attribute does not domain-match the host that set it (a `Domain` contains a bare host "
        "name such as `example.com`, never a URL, a scheme or a port), so the whole Set-Cookie is ignored",
        "Omit `Domain` to get a host-only cookie, or set it to the API's own registrable domain."),
    "SecureOnly": ErrorInfo(
        "it is `Secure` and the URL is plain http on a host that is not loopback",
        "Serve the API over https (loopback hosts such as 127.0.0.1 and localhost count as secure)."),
    "InvalidPrefix": ErrorInfo(
        "its `__Secure-` or `__Host-` name prefix requires attributes it lacks (`Secure`; for `__Host-` "
        "also `Path=/` and no `Domain`)",
        "Give a `__Secure-` cookie `Secure`; give a `__Host-` cookie `Secure` and `Path=/` and no `Domain`; "
        "or rename the cookie."),
    "InvalidPartitioned": ErrorInfo(
        "it is `Partitioned` but not `Secure`",
        "Add `Secure` to the Partitioned cookie."),
    "NoCookieContent": ErrorInfo(
        "the Set-Cookie line has neither a name nor a value",
        "Make the server's `Set-Cookie` line start with `name=value`, then the attributes."),
    "UserPreferences": ErrorInfo(
        "the browser blocks third-party cookies and the API is on another site than the page (another "
        "registrable domain, or another scheme)",
        "Serve the API from the page's site (for example api.example.com for app.example.com), or mark the "
        "cookie `Partitioned; Secure; SameSite=None` so it is kept per top-level site."),
    "ThirdPartyCookiePartitioned": ErrorInfo(
        "Firefox keeps a separate cookie jar for each top-level site (Total Cookie Protection), so a cookie "
        "stored while the API was the top-level site is not sent from another site's page",
        "Set the cookie from a credentialed response to this page's requests (`SameSite=None; Secure`), so "
        "it lands in this site's partition, or serve the API from the page's site."),
    "SameSiteNoneInsecure": ErrorInfo(
        "it sets `SameSite=None` without `Secure`, which current browsers reject",
        "Add `Secure` to every `SameSite=None` cookie (it works on https and on loopback hosts)."),
    "SchemefulSameSiteStrict": ErrorInfo(
        "it is `SameSite=Strict` and the request is cross-site",
        "Use `SameSite=None; Secure` for cookies that cross-site requests must carry, or put the API on "
        "the page's site."),
    "SchemefulSameSiteLax": ErrorInfo(
        "it is `SameSite=Lax` and the request is a cross-site subresource request",
        "Use `SameSite=None; Secure` for cookies that cross-site requests must carry, or put the API on "
        "the page's site."),
    "SchemefulSameSiteUnspecifiedTreatedAsLax": ErrorInfo(
        "it has no `SameSite` attribute, so browsers treat it as `SameSite=Lax`, and the request is cross-site",
        "Set `SameSite=None; Secure` explicitly on cookies that cross-site requests must carry, or put the "
        "API on the page's site."),
}
