"""The Retention section of /stats (issue 18): the retention figures shaped for its charts and tables."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dm_bot.domain.playbook import Playbook
from dm_bot.domain.replies import capitalized

SEGMENTS = (("active", "Active"), ("at_risk", "At risk"), ("dormant", "Dormant"), ("lapsed", "Lapsed"))
ROUTE_NAMES = {"bot_dm": "Bot DM", "reopen": "When she wrote again", "due_list": "Due list", "none": "No route"}
STATE_NAMES = (("sent", "Sent"), ("done", "Done from the Due list"), ("due", "Due now"), ("pending", "Pending"),
               ("skipped", "Skipped"), ("cancelled", "Cancelled"))
CURVES = 6  # the most recent cohorts with 3 months after them, drawn as curves (every one is in the table)


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def treatment_names(playbooks: Mapping[str, Playbook]) -> dict[str, str]:
    """Each treatment id by the name the playbooks give it ("Laser hair removal", not laser_hair_removal)."""
    names: dict[str, str] = {}
    for pb in playbooks.values():
        for tid, offer in pb.treatments.items():
            names.setdefault(tid, capitalized(offer.name.en))
    return names


def retention_charts(figures: Mapping[str, Any], treatments: Mapping[str, str] | None = None,
                     sources: Mapping[str, str] | None = None) -> str:
    """The numbers the Retention charts draw, as JSON for a data attribute (read by stats.js); bars are labelled
    by the names of `treatments` and `sources`, not their ids."""
    treatments, sources = treatments or {}, sources or {}
    cohorts = [(month, c) for month, c in figures["cohort_retention"].items() if c["patients"] and c["share"]]
    longest = max((len(c["share"]) for _, c in cohorts), default=0)
    rebooking = {t: r for t, r in figures["rebooking_rate_by_treatment"].items() if r["visits"]}
    routes = figures["touches"]["by_route"]
    data = {
        "health": {"labels": [label for _, label in SEGMENTS], "values": [figures["patients"][k] for k, _ in SEGMENTS]},
        "cohorts": {"labels": [f"+{k}" for k in range(1, longest + 1)],
                    "series": [{"label": month, "values": [_pct(s) for s in c["share"]]}
                               for month, c in [(m, c) for m, c in cohorts if len(c["share"]) >= 3][-CURVES:]]},
        "rebooking": {"labels": [treatments.get(t, t.replace("_", " ")) for t in rebooking],
                      "values": [_pct(r["rate"]) for r in rebooking.values()]},
        "ltv": {"labels": [sources.get(s, capitalized(s.replace("_", " "))) for s in figures["ltv_by_source"]],
                "values": [r["ltv"] for r in figures["ltv_by_source"].values()]},
        "touches": {"labels": [ROUTE_NAMES.get(r, r) for r in routes],
                    "went_out": [v["went_out"] for v in routes.values()],
                    "replied": [v["replied"] for v in routes.values()],
                    "booked": [v["booked"] for v in routes.values()]},
    }
    return json.dumps(data, separators=(",", ":"))


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


RETENTION_HELPERS: dict[str, Any] = {"segment_names": SEGMENTS, "route_names": ROUTE_NAMES,
                                     "state_names": STATE_NAMES, "share": share}
