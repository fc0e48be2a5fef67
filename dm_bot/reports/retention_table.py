"""The Retention block of `dm-bot stats` (plain text): the patient base, rebooking, cohorts, LTV, touches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dm_bot.reports.format import money, percent

SEGMENT_NAMES = (("active", "Active"), ("at_risk", "At risk"), ("dormant", "Dormant"), ("lapsed", "Lapsed"))


def retention_block(figures: Mapping[str, Any], table: Any) -> list[str]:
    """A few short tables; `table` is reports.table.table (headers, rows) -> lines."""
    base, seg = figures["patient_base"], figures["patients"]
    lines = [f"Retention: the patient base as of {base['as_of'][:16].replace('T', ' ')} UTC"
             f" ({base['patients']} patients, {base['without_visit']} without a completed visit)"]
    counted = sum(seg.values())
    rows = [(label, seg[key], percent(seg[key] / counted if counted else None)) for key, label in SEGMENT_NAMES]
    lines += table(("Patients", "count", "share"), rows)
    rebook = [(t, r["visits"], r["rebooked"], percent(r["rate"]), f"{r['interval_days']}+{r['grace_days']} d")
              for t, r in figures["rebooking_rate_by_treatment"].items() if r["visits"]]
    if rebook:
        lines += table(("Rebooked within the interval", "visits", "rebooked", "rate", "window"), rebook)
    ltv = [(s, r["patients"], money(r["revenue"]), money(r["ltv"] or 0), r["new_patients"])
           for s, r in figures["ltv_by_source"].items()]
    if ltv:
        lines += table(("Lifetime value by first source", "patients", "revenue", "per patient", "new"), ltv)
    cohorts = [(m, c["patients"], *(percent(s) for s in c["share"][:6]))
               for m, c in figures["cohort_retention"].items() if c["patients"]]
    if cohorts:
        lines += table(("Cohort (first visit)", "patients", "m+1", "m+2", "m+3", "m+4", "m+5", "m+6"),
                       [(*row, *[""] * (8 - len(row))) for row in cohorts])
    t = figures["touches"]
    lines.append(f"Touches due in the period: {t['total']} ({t['sent']} sent, {t['done']} done from the Due list,"
                 f" {t['due']} due, {t['pending']} pending, {t['skipped']} skipped, {t['cancelled']} cancelled);"
                 f" of the {t['went_out']} that went out, {t['replied']} replied and {t['booked']} booked"
                 f" ({percent(t['booking_rate'])}).")
    return lines
