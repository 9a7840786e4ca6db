"""A compiled CORS policy: decides the CORS response to a request, without any I/O.

`Policy` is built once from validated configuration. `Policy.decide` takes the few request values
that CORS depends on and returns a `Decision`: the CORS headers to add, the names to merge into
`Vary`, and whether to answer a preflight directly. Constant decisions are built at construction,
so the request path allocates only where a header echoes the request.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import fetch
from ._matcher import OriginMatcher
from .config import CORSConfig, Problem, ValidConfig, validate
from .origin import ANY_PORT, OriginPattern

Header = tuple[str, str]

# Access-Control-Request-Headers is parsed in the form browsers send it (Fetch, "CORS-preflight
# request"): lowercase-insensitive names, sorted and without duplicates. Intermediaries may add a
# little whitespace or split the field over several lines, so a bounded amount of both is accepted.
MAX_EMPTY_ELEMENTS = 16
MAX_OWS_PER_ELEMENT = 2

# `decide` is a pure function of its arguments, so allowed decisions are memoized per request
# values. Each memo is cleared when it reaches this many entries, so its memory stays bounded whatever
# origins clients send; a request that misses the memo costs what it would without one.
DECISION_MEMO_SIZE = 4096
# Preflights whose Access-Control-Request-Headers value is longer than this are not memoized.
MEMO_MAX_REQUEST_HEADERS_LENGTH = 256


class RequestKind(enum.Enum):
    NOT_CORS = "not-cors"
    ACTUAL = "actual"
    PREFLIGHT = "preflight"


@dataclass(frozen=True, slots=True)
class Decision:
    """What the middleware does with one request.

    `headers` are the CORS response headers to set (Vary excluded); `vary` lists the names to merge
    into the response's `Vary`. When `preflight_status` is set, the middleware answers with that
    status and an empty body instead of calling the app. `reason` says why a CORS request was
    refused, for debug logs.
    """

    kind: RequestKind
    allowed: bool
    headers: tuple[Header, ...] = ()
    vary: tuple[str, ...] = ()
    preflight_status: int | None = None
    reason: str = ""


_VARY_ORIGIN = ("Origin",)


class Policy:
    """A CORS policy compiled from configuration; see `decide`."""

    __slots__ = (
        "_actual_constant",
        "_actual_memo",
        "_actual_tail",
        "_allow_headers_wildcard",
        "_any_header",
        "_any_method",
        "_any_origin",
        "_credentials",
        "_headers",
        "_matcher",
        "_max_request_header_names",
        "_methods",
        "_not_cors",
        "_passthrough",
        "_predicate",
        "_predicate_takes_headers",
        "_preflight_memo",
        "_preflight_status",
        "_preflight_tail",
        "_preflight_vary",
        "_private_network",
        "_refused_actual",
        "_refused_preflight",
        "_valid",
        "config",
        "has_origin_predicate",
    )

    def __init__(self, config: CORSConfig | None = None, /, **options: Any) -> None:
        if config is not None and options:
            raise TypeError("pass either a CORSConfig or keyword options, not both")
        problems: list[Problem] = []
        if config is None:
            config, problems = CORSConfig.split_options(options)
        valid = validate(config, problems)
        self.config = config
        self._valid = valid
        self._matcher = OriginMatcher(valid.origins)
        self._credentials = valid.allow_credentials
        self._any_origin = valid.allow_any_origin
        self._methods = valid.methods
        self._any_method = valid.allow_any_method
        self._headers = valid.headers
        self._any_header = valid.allow_any_header
        self._predicate = valid.origin_predicate
        # A plain attribute rather than a property: adapters read it on every request.
        self.has_origin_predicate = valid.origin_predicate is not None
        self._predicate_takes_headers = valid.predicate_takes_headers
        self._private_network = valid.allow_private_network
        self._passthrough = valid.preflight_passthrough
        self._preflight_status = valid.preflight_status
        exposed: list[Header] = []
        if valid.expose_any_header:
            exposed_names = ("*", *valid.expose_headers)
            exposed.append(("Access-Control-Expose-Headers", ",".join(exposed_names)))
        elif valid.expose_headers:
            exposed.append(("Access-Control-Expose-Headers", ",".join(valid.expose_headers)))
        credentials: tuple[Header, ...] = (
            (("Access-Control-Allow-Credentials", "true"),) if valid.allow_credentials else ()
        )
        # "Any origin without credentials" answers `*` to everyone, so responses need no Vary: Origin.
        origin_varies = not (valid.allow_any_origin and not valid.allow_credentials)
        vary = _VARY_ORIGIN if origin_varies else ()
        self._actual_constant: Decision | None = None
        if not origin_varies:
            self._actual_constant = Decision(
                RequestKind.ACTUAL, True, (("Access-Control-Allow-Origin", "*"), *exposed))
        self._actual_tail = (*credentials, *exposed)
        max_age = () if valid.max_age is None else (("Access-Control-Max-Age", str(valid.max_age)),)
        self._preflight_tail = (*credentials, *max_age)
        self._not_cors = Decision(RequestKind.NOT_CORS, True, (), vary)
        self._refused_actual = Decision(RequestKind.ACTUAL, False, (), vary, None, "origin not allowed")
        self._preflight_vary = (*vary, "Access-Control-Request-Method", "Access-Control-Request-Headers")
        if valid.allow_private_network:
            self._preflight_vary = (*self._preflight_vary, "Access-Control-Request-Private-Network")
        self._refused_preflight = self._refuse_preflight("origin not allowed")
        self._allow_headers_wildcard = "*,authorization" if "authorization" in valid.headers else "*"
        # Without `*`, a request header list that passes has at most one name per allowed header,
        # plus the empty elements that parsing tolerates.
        self._max_request_header_names = (
            None if valid.allow_any_header else len(valid.headers) + MAX_EMPTY_ELEMENTS)
        self._actual_memo: dict[str, Decision] = {}
        self._preflight_memo: dict[tuple[str, str, str | None, str | None], Decision] = {}

    @property
    def allows_credentials(self) -> bool:
        return self._credentials

    @property
    def valid_config(self) -> ValidConfig:
        return self._valid

    def describe(self) -> dict[str, Any]:
        """Return the effective configuration: normalized, sorted, with redundant entries dropped.

        Safelisted methods and response headers, duplicates, and origin patterns covered by a
        broader one do not appear, because they change nothing.
        """
        valid = self._valid
        if valid.allow_any_origin:
            origins = ["*"]
        else:
            broader = _subdomain_ports(valid.origins)
            origins = sorted({p.text for p in valid.origins if not _is_covered(p, broader)})
        description: dict[str, Any] = {
            "allow_origins": origins,
            "allow_credentials": valid.allow_credentials,
            "allow_methods": ["*"] if valid.allow_any_method else sorted(valid.methods),
            "allow_headers": sorted({*valid.headers, *(["*"] if valid.allow_any_header else [])}),
            "expose_headers": sorted({*valid.expose_headers, *(["*"] if valid.expose_any_header else [])}),
            "max_age": valid.max_age,
        }
        return description

    def classify(self, method: str, origin: str | None, request_method: str | None) -> RequestKind:
        """Classify a request: not CORS without Origin; preflight for OPTIONS with ACRM; else actual."""
        if origin is None:
            return RequestKind.NOT_CORS
        if method == "OPTIONS" and request_method is not None:
            return RequestKind.PREFLIGHT
        return RequestKind.ACTUAL

    def is_origin_allowed(self, origin: str) -> bool:
        """Tell whether the configured origins and patterns allow `origin` (the predicate aside)."""
        return self._any_origin or self._matcher.matches(origin)

    def needs_predicate(self, origin: str | None) -> bool:
        """Tell whether the adapter must call the origin predicate before `decide` for `origin`."""
        return self._predicate is not None and origin is not None and not self.is_origin_allowed(origin)

    def call_predicate(self, origin: str, headers: Mapping[str, str]) -> Any:
        """Call the user's origin predicate; the result may be awaitable for ASGI apps."""
        assert self._predicate is not None
        if self._predicate_takes_headers:
            return self._predicate(origin, headers)
        return self._predicate(origin)

    def decide(
        self,
        method: str,
        origin: str | None,
        request_method: str | None = None,
        request_headers: str | None = None,
        private_network: str | None = None,
        *,
        predicate_allows: bool = False,
    ) -> Decision:
        """Decide a request from its method and its first Origin, ACRM and ACRPN values.

        `request_headers` is every Access-Control-Request-Headers line joined with ",". Set
        `predicate_allows` to the origin predicate's result when `needs_predicate` returned True.
        """
        if self._actual_constant is not None and (method != "OPTIONS" or request_method is None
                                                  or origin is None):
            return self._actual_constant
        if origin is None:
            return self._not_cors
        if method != "OPTIONS" or request_method is None:
            decision = self._actual_memo.get(origin)
            if decision is None or (predicate_allows and not decision.allowed):
                decision = self._decide_actual(origin, predicate_allows)
            return decision

        key = (origin, request_method, request_headers, private_network)
        if request_headers is not None and len(request_headers) > MEMO_MAX_REQUEST_HEADERS_LENGTH:
            # Hashing a long value for the memo would cost more than deciding.
            return self._decide_and_remember_preflight(key, predicate_allows)
        decision = self._preflight_memo.get(key)
        if decision is None or (predicate_allows and not decision.allowed):
            decision = self._decide_and_remember_preflight(key, predicate_allows)
        return decision

    def _decide_actual(self, origin: str, predicate_allows: bool) -> Decision:
        configured = self._any_origin or self._matcher.matches(origin)
        if not (configured or predicate_allows):
            _remember(self._actual_memo, origin, self._refused_actual)
            return self._refused_actual
        decision = Decision(RequestKind.ACTUAL, True,
                            (("Access-Control-Allow-Origin", origin), *self._actual_tail), _VARY_ORIGIN)
        # Only what the configuration alone allows is memoized, because a predicate may change.
        if configured:
            _remember(self._actual_memo, origin, decision)
        return decision

    def _decide_and_remember_preflight(self, key: tuple[str, str, str | None, str | None],
                                   predicate_allows: bool) -> Decision:
        origin, request_method, request_headers, private_network = key
        configured = self._any_origin or self._matcher.matches(origin)
        if not (configured or predicate_allows):
            decision = self._refused_preflight
        else:
            decision = self._decide_preflight(origin, request_method, request_headers, private_network)
        if (configured or not decision.allowed) and (
                request_headers is None or len(request_headers) <= MEMO_MAX_REQUEST_HEADERS_LENGTH):
            _remember(self._preflight_memo, key, decision)
        return decision

    def _refuse_preflight(self, reason: str) -> Decision:
        status = None if self._passthrough else 403
        return Decision(RequestKind.PREFLIGHT, False, (), self._preflight_vary, status, reason)

    def _decide_preflight(self, origin: str, request_method: str, request_headers: str | None,
                          private_network: str | None) -> Decision:
        headers: list[Header] = [
            ("Access-Control-Allow-Origin",
             "*" if self._any_origin and not self._credentials else origin),
        ]

        # Fetch, CORS-preflight fetch: the method passes if safelisted or listed (case-sensitive).
        if request_method not in fetch.SAFELISTED_METHODS:
            if request_method in self._methods:
                headers.append(("Access-Control-Allow-Methods", request_method))
            elif self._any_method and fetch.is_token(request_method):
                # Browsers read `*` literally on credentialed requests, so echo the method then.
                value = request_method if self._credentials else "*"
                headers.append(("Access-Control-Allow-Methods", value))
            else:
                return self._refuse_preflight(f"method {request_method[:64]!r} not allowed")

        if request_headers is not None:
            limit = self._max_request_header_names
            if limit is not None and request_headers.count(",") >= limit:
                return self._refuse_preflight("Access-Control-Request-Headers lists more names than "
                                              "the policy allows")
            names, problem = parse_request_headers(request_headers)
            if problem:
                return self._refuse_preflight(problem)
            for name in names:
                if name not in self._headers and (not self._any_header or name == "authorization"):
                    return self._refuse_preflight(f"request header {name[:64]!r} not allowed")
            if names:
                if self._any_header and not self._credentials:
                    headers.append(("Access-Control-Allow-Headers", self._allow_headers_wildcard))
                else:
                    headers.append(("Access-Control-Allow-Headers", ",".join(names)))

        headers.extend(self._preflight_tail)
        if self._private_network and private_network == "true":
            headers.append(("Access-Control-Allow-Private-Network", "true"))
        status = None if self._passthrough else self._preflight_status
        return Decision(RequestKind.PREFLIGHT, True, tuple(headers), self._preflight_vary, status)


def _subdomain_ports(patterns: tuple[OriginPattern, ...]) -> dict[tuple[str, str], set[int | None]]:
    """Map the (scheme, parent domain) of each subdomain pattern to the ports it allows."""
    ports: dict[tuple[str, str], set[int | None]] = {}
    for pattern in patterns:
        if pattern.subdomains:
            ports.setdefault((pattern.scheme, pattern.host), set()).add(pattern.port)
    return ports


def _is_covered(pattern: OriginPattern, broader: dict[tuple[str, str], set[int | None]]) -> bool:
    """Return True when a subdomain pattern of a parent domain matches everything `pattern` does.

    It costs one lookup per parent domain of the pattern's host. So `describe` stays linear in the
    number of configured origins.
    """
    host = pattern.host
    while "." in host:
        host = host.partition(".")[2]
        ports = broader.get((pattern.scheme, host))
        if ports is not None and (pattern.port in ports or ANY_PORT in ports):
            return True
    return False


def _remember(memo: dict[Any, Decision], key: Any, decision: Decision) -> None:
    if len(memo) >= DECISION_MEMO_SIZE:
        memo.clear()
    memo[key] = decision


def parse_request_headers(value: str) -> tuple[list[str], str]:
    """Parse Access-Control-Request-Headers; return the lowercase names, or a problem to refuse on.

    Runs in time linear in `len(value)`: one split, one pass, no regular expression.
    """
    names: list[str] = []
    empty = 0
    previous = ""
    for raw in value.split(","):
        name = raw.strip(fetch.OWS)
        if not name:
            empty += 1
            if empty > MAX_EMPTY_ELEMENTS:
                return [], "too many empty elements in Access-Control-Request-Headers"
            continue
        if len(raw) - len(name) > MAX_OWS_PER_ELEMENT:
            return [], "too much whitespace in Access-Control-Request-Headers"
        if not fetch.is_token(name):
            return [], "Access-Control-Request-Headers holds a name that is not a token"
        name = name.lower()
        if name <= previous:
            return [], "Access-Control-Request-Headers is not sorted and unique, as browsers send it"
        names.append(name)
        previous = name
    return names, ""
