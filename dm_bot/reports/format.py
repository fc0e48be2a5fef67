"""How the owners' numbers read: durations, percentages and money, for the `dm-bot stats` table and /stats."""

from __future__ import annotations


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def money(value: float) -> str:
    """Dollars; cents only when there are some ($650, $99.50)."""
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"
