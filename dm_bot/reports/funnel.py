"""The funnel of a slice of the period's conversations (issue 15, item 7), and the small numbers every figure uses.

`funnel_figures` is the one place a breakdown's funnel is counted: the whole period, a channel, a treatment, a
location, a source, a day all go through it (figures.Slicer.block), so each stage is a subset of the one before
in every one of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import and_, itemgetter, or_
from typing import Any

from dm_bot.reports.business_time import seconds
from dm_bot.store.stats_records import ConversationColumns


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def spread(values: list[int]) -> tuple[float | None, float | None]:
    """Median (mean of the middle two for an even count) and p90 by nearest rank, in seconds."""
    if not values:
        return None, None
    ordered = sorted(values)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return seconds(median), seconds(ordered[max(0, math.ceil(0.9 * n) - 1)])


def _pick(column: Sequence[Any], rows: Sequence[int] | None) -> Sequence[Any]:
    """The column's values at `rows` (None: the whole column), picked at C speed."""
    if rows is None:
        return column
    if isinstance(rows, range):
        return column[rows.start:rows.stop]
    if len(rows) == 1:
        return [column[rows[0]]]
    return itemgetter(*rows)(column) if rows else ()


def funnel_stages(lead: Sequence[bool], sent: Sequence[int], clicked: Sequence[int],
                  booked: Sequence[int]) -> dict[str, int]:
    """The funnel of people, each stage a subset of the one before (issue 15, item 7): conversations, leads,
    link sent, clicked, booked. Each stage counts who reached it or a later one, so everyone who booked is in
    `booked` (service-contract.md's `bookings`) and in every stage before it: a booking by phone or marked by
    staff passed the link and the click in effect. How many did so without a clicked link is
    `booked_other_ways`, beside the funnel."""
    booked_any = list(map(bool, booked))
    clicked_link = list(map(and_, map(bool, sent), map(bool, clicked)))
    reached_click = list(map(or_, clicked_link, booked_any))
    reached_link = list(map(or_, map(bool, sent), reached_click))
    leads = sum(map(or_, lead, reached_link))  # a link goes to a lead (the store's rule; kept whatever the facts)
    booked_n = sum(booked_any)
    return {"conversations": len(booked_any), "leads": leads, "link_sent": sum(reached_link),
            "clicked": sum(reached_click), "booked": booked_n,
            "booked_other_ways": booked_n - sum(map(and_, clicked_link, booked_any))}


def funnel_figures(cols: ConversationColumns, rows: Sequence[int] | None = None) -> dict[str, Any]:
    """The funnel and the counts beside it of any slice of the period's conversations (all of them, a channel,
    a treatment, a source, a day): the one place a breakdown's funnel is counted."""
    sent, clicked, booked = (_pick(c, rows) for c in (cols.links_sent, cols.links_clicked, cols.bookings))
    stages = funnel_stages(_pick(cols.lead, rows), sent, clicked, booked)
    other = stages.pop("booked_other_ways")
    qualified = sum(_pick(cols.qualified, rows))
    median, p90 = spread([t for t in _pick(cols.first_response_us, rows) if t is not None])
    return {
        # service-contract.md's keys, each a funnel stage (people); qualification is an attribute beside it
        "conversations": stages["conversations"], "new_leads": stages["leads"], "qualified_leads": qualified,
        "booking_links_sent": stages["link_sent"], "booking_link_clicks": stages["clicked"],
        "bookings": stages["booked"], "booked_other_ways": other,
        # the events behind the stages: links, clicks and bookings however many per person
        "booking_links_sent_total": sum(sent), "booking_link_clicks_total": sum(_pick(cols.clicks, rows)),
        "bookings_total": sum(booked), "bookings_with_value": sum(_pick(cols.valued_bookings, rows)),
        "revenue": round(math.fsum(_pick(cols.revenue, rows)), 2),
        "opt_outs": sum(_pick(cols.opted_out, rows)), "spam": sum(_pick(cols.spam, rows)),
        "median_first_response_seconds": median, "p90_first_response_seconds": p90,
        "funnel": stages,
        "conversion": {
            "conversation_to_lead": ratio(stages["leads"], stages["conversations"]),
            "lead_to_qualified": ratio(qualified, stages["leads"]),
            "lead_to_link": ratio(stages["link_sent"], stages["leads"]),
            "link_to_click": ratio(stages["clicked"], stages["link_sent"]),
            "click_to_booking": ratio(stages["booked"], stages["clicked"]),
            "conversation_to_booking": ratio(stages["booked"], stages["conversations"]),
        },
    }
