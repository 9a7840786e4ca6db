"""Helpers shared by the ASGI and WSGI adapters to apply a `Decision` to response headers."""

from __future__ import annotations

from collections.abc import Iterable

from .policy import Header


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
