"""Hypothesis properties of the policy core: the invariants no configuration or request may break."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corsguard import Policy, RequestKind, parse_origin
from corsguard.config import ConfigError
from corsguard.origin import parse_pattern
from corsguard.policy import parse_request_headers

pytestmark = pytest.mark.filterwarnings("ignore::corsguard.ConfigWarning")

LABEL = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=8).filter(
    lambda label: not label[0].isdigit())
HOST = st.lists(LABEL, min_size=1, max_size=4).map(".".join)
PORT = st.one_of(st.none(), st.integers(min_value=1, max_value=65535).filter(lambda port: port not in (80, 443)))


@st.composite
def origins(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["https", "http"]))
    host = draw(st.one_of(HOST, st.just("localhost"), st.just("127.0.0.1")))
    port = draw(PORT)
    return f"{scheme}://{host}" + (f":{port}" if port else "")


@st.composite
def patterns(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["exact", "subdomains", "any-port", "any"]))
    if kind == "any":
        return "*"
    if kind == "subdomains":
        return f"https://*.{draw(HOST)}.example"
    if kind == "any-port":
        return f"http://{draw(st.sampled_from(['localhost', '127.0.0.1']))}:*"
    return draw(origins())


# Request header values as an attacker could send them: any characters a server decodes as latin-1.
HOSTILE = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=200)
METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "patch", "X-CUSTOM"])


@st.composite
def policies(draw: st.DrawFn) -> Policy | None:
    try:
        return Policy(
            allow_origins=draw(st.lists(patterns(), min_size=1, max_size=5)),
            allow_credentials=draw(st.booleans()),
            allow_methods=draw(st.lists(st.sampled_from(["PUT", "DELETE", "PATCH", "*"]), max_size=3)),
            allow_headers=draw(st.lists(st.sampled_from(["X-Foo", "Content-Type", "Authorization", "*"]),
                                        max_size=3)),
            max_age=draw(st.one_of(st.none(), st.integers(0, 86400))),
            dangerously_allow_insecure_origins=draw(st.booleans()),
        )
    except ConfigError:
        return None


def _headers(decision_headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {name.lower(): value for name, value in decision_headers}


@settings(max_examples=300, deadline=None)
@given(policies(), st.one_of(st.none(), origins(), HOSTILE), METHODS,
       st.one_of(st.none(), METHODS, HOSTILE), st.one_of(st.none(), HOSTILE, st.just("x-foo")))
def test_decisions_keep_the_invariants(policy: Policy | None, origin: str | None, method: str,
                                       request_method: str | None, request_headers: str | None) -> None:
    if policy is None:
        return
    decision = policy.decide(method, origin, request_method, request_headers)
    headers = _headers(decision.headers)
    acao = headers.get("access-control-allow-origin")

    # Never `*` together with credentials.
    if "access-control-allow-credentials" in headers:
        assert acao is not None and acao != "*"
    # Never an origin that the policy does not allow.
    if acao is not None and acao != "*":
        assert origin is not None and acao == origin
        assert policy.is_origin_allowed(origin)
    # Vary: Origin whenever the answer depends on the origin.
    if not policy.describe()["allow_origins"] == ["*"]:
        assert "Origin" in decision.vary
    if decision.kind is RequestKind.PREFLIGHT:
        assert "Access-Control-Request-Headers" in decision.vary
        assert "Access-Control-Request-Method" in decision.vary


@settings(max_examples=500, deadline=None)
@given(HOSTILE)
def test_origin_parsing_never_raises(text: str) -> None:
    origin = parse_origin(text)
    if origin is not None:
        assert origin.serialize() == text


@settings(max_examples=300, deadline=None)
@given(origins())
def test_origin_serialization_round_trips(text: str) -> None:
    origin = parse_origin(text)
    assert origin is not None
    assert origin.serialize() == text


@settings(max_examples=500, deadline=None)
@given(HOSTILE)
def test_pattern_parsing_never_raises(text: str) -> None:
    pattern, problems = parse_pattern(text)
    assert (pattern is None) == bool(problems)


@settings(max_examples=500, deadline=None)
@given(HOSTILE)
def test_request_header_parsing_never_raises(text: str) -> None:
    names, problem = parse_request_headers(text)
    if problem:
        assert names == []
    assert names == sorted(set(names))


@settings(max_examples=200, deadline=None)
@given(st.lists(HOST, min_size=1, max_size=20), HOST)
def test_exact_origins_match_only_themselves(hosts: list[str], other: str) -> None:
    allowed = [f"https://{host}" for host in hosts]
    policy = Policy(allow_origins=allowed, allow_credentials=True)
    for origin in allowed:
        assert policy.is_origin_allowed(origin)
    assert policy.is_origin_allowed(f"https://{other}") == (f"https://{other}" in allowed)
    assert not policy.is_origin_allowed(f"http://{hosts[0]}")
