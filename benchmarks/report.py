"""Format benchmark results as Markdown tables, ready to paste into docs/benchmarks.md."""

from __future__ import annotations

from collections.abc import Sequence

from .inprocess import Row, Timing

# Below this, corsguard's added time is within the noise of the subtraction, so the ratio of total
# times is shown instead.
RATIO_FLOOR_SECONDS = 0.05e-6


def _microseconds(timing: Timing) -> str:
    text = f"{timing.median * 1e6:,.2f}"
    return text if timing.repeated else f"~{text}"


def _added(timing: Timing, bare: Timing) -> float:
    return timing.median - bare.median


def _format_added(timing: Timing, bare: Timing) -> str:
    text = f"{_added(timing, bare) * 1e6:+,.2f}"
    return text if timing.repeated else f"~{text}"


def _ratio(row: Row) -> str:
    """Return the peer's added time over corsguard's, or the ratio of totals when that is unusable.

    A layer that responds to a preflight itself skips the app, so its added time can be negative.
    Comparing totals is then the fair comparison, and the ratio is marked "total".
    """
    if row.peer_timing is None:
        return "–"
    peer = _added(row.peer_timing, row.bare)
    ours = _added(row.corsguard, row.bare)
    if ours >= RATIO_FLOOR_SECONDS and peer > 0:
        return f"{peer / ours:,.1f}×"
    return f"{row.peer_timing.median / row.corsguard.median:,.1f}× total"


def in_process_table(rows: Sequence[Row]) -> str:
    """Return one Markdown table: per stack, origin set and request, what corsguard and a peer add."""
    lines = [
        "| Stack | Origins | Request | App alone µs | corsguard adds µs | Peer | Peer adds µs | Peer ÷ corsguard |",
        "|---|---|---|---:|---:|---|---:|---:|",
    ]
    for row in rows:
        peer_added = "–" if row.peer_timing is None else _format_added(row.peer_timing, row.bare)
        lines.append(
            f"| {row.stack} | {row.origins} | {row.request} | {_microseconds(row.bare)} | "
            f"{_format_added(row.corsguard, row.bare)} | {row.peer} | {peer_added} | {_ratio(row)} |"
        )
    return "\n".join(lines)


def rows_as_records(rows: Sequence[Row]) -> list[dict[str, object]]:
    """Return the rows as plain dictionaries (times in microseconds), for a JSON file."""
    records = []
    for row in rows:
        peer = row.peer_timing
        records.append({
            "stack": row.stack,
            "origins": row.origins,
            "request": row.request,
            "bare_us": row.bare.median * 1e6,
            "corsguard_us": row.corsguard.median * 1e6,
            "corsguard_added_us": _added(row.corsguard, row.bare) * 1e6,
            "peer": row.peer,
            "peer_us": None if peer is None else peer.median * 1e6,
            "peer_added_us": None if peer is None else _added(peer, row.bare) * 1e6,
            "peer_repeated": None if peer is None else peer.repeated,
        })
    return records
