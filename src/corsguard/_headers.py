"""Helpers shared by the ASGI and WSGI adapters to apply a `Decision` to response headers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, Protocol, TypeVar

from .policy import Decision, Header

# Plans are cached per decision object; a cache is cleared when it reaches this size.
PLAN_CACHE_SIZE = 8192
# The adapters also keep plans by raw request header values, in stores cleared at this size.
STORE_SIZE = 8192
# Request header values longer than this in total are decided again on every request rather than
# kept, so that a client cannot fill memory with long values. A serialized origin has at most 326.
MAX_STORED_KEY_BYTES = 1024


def merge_vary(existing: Iterable[str], names: tuple[str, ...]) -> str:
    """Return one Vary value holding the existing names plus `names`, each once, in order.

    An existing `*` already varies on everything and is kept alone.
    """
    merged: list[str] = []
    seen: set[str] = set()
    for value in existing:
        for raw in value.split(","):
            name = raw.strip(" \t")
            if name == "*":
                return "*"
            if name and name.lower() not in seen:
                seen.add(name.lower())
                merged.append(name)
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            merged.append(name)
    return ", ".join(merged)


def apply_to_str_headers(headers: list[tuple[str, str]], cors: tuple[Header, ...],
                         vary: tuple[str, ...]) -> list[tuple[str, str]]:
    """Return `headers` with the CORS headers set (replacing the app's) and Vary merged."""
    replaced = {name.lower() for name, _ in cors}
    if vary:
        replaced.add("vary")
    kept = [(name, value) for name, value in headers if name.lower() not in replaced]
    kept.extend(cors)
    if vary:
        existing = [value for name, value in headers if name.lower() == "vary"]
        kept.append(("Vary", merge_vary(existing, vary)))
    return kept


class StrHeaderPlan:
    """A decision's response headers as WSGI `(str, str)` pairs, built once per decision object.

    `tail` contains the CORS headers followed by `Vary: <names>`. It is appended as is when no
    response header name has the length of one of those names, a test that needs no lower-casing.
    Otherwise `apply_to_str_headers` replaces and merges by name.
    """

    __slots__ = ("conflict_lengths", "decision", "tail")

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        vary = [("Vary", ", ".join(decision.vary))] if decision.vary else []
        self.tail = (*decision.headers, *vary)
        self.conflict_lengths = frozenset(len(name) for name, _ in self.tail)

    def apply(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        lengths = self.conflict_lengths
        for name, _ in headers:
            if len(name) in lengths:
                return apply_to_str_headers(headers, self.decision.headers, self.decision.vary)
        return [*headers, *self.tail]


class HeaderPlan(Protocol):
    """A decision's response headers prepared for one adapter."""

    decision: Decision


PlanT = TypeVar("PlanT", bound=HeaderPlan)


class PlanCache(Generic[PlanT]):
    """Header plans per decision: by identity, or by shape for decisions without CORS headers.

    The ASGI adapter builds bytes plans and the WSGI adapter `str` plans; `build` makes one.
    """

    __slots__ = ("_build", "_by_id", "_by_shape")

    def __init__(self, build: Callable[[Decision], PlanT]) -> None:
        self._build = build
        self._by_id: dict[int, PlanT] = {}
        self._by_shape: dict[tuple[tuple[str, ...], int | None], PlanT] = {}

    def plan(self, decision: Decision) -> PlanT:
        if not decision.headers:
            shape = (decision.vary, decision.preflight_status)
            plan = self._by_shape.get(shape)
            if plan is None:
                plan = self._by_shape[shape] = self._build(decision)
            return plan
        plan = self._by_id.get(id(decision))
        if plan is not None and plan.decision is decision:
            return plan
        plan = self._build(decision)
        if len(self._by_id) >= PLAN_CACHE_SIZE:
            self._by_id.clear()
        self._by_id[id(decision)] = plan
        return plan
