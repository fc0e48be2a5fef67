"""The SQL of the retention numbers (issue 18): set-based, one text for SQLite and PostgreSQL.

One pass over an account's visits (`ix_bookings_retention`: patient then time, read from the index alone)
folds them into one row per patient (`pp`, materialized): last and first completed visit, visits, revenue,
a scheduled visit ahead, and the months she came in as a packed mask (4 bits per month: the count of her
visits that month, 15 months per 64-bit column). The health segments, the cohorts, their returns and the
sources are small aggregates over `pp`, returned together (UNION ALL). A patient with more than 15 visits
in the window (a count could spill into the next month's bits) is counted exactly by a join instead.

Every statement starts with SELECT (a WITH is wrapped): the SQLite store sends only SELECTs to its reader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dm_bot.store.retention_records import MONTH_CHUNK, RetentionScope

DAY_US = 86_400_000_000
BOOKED_AFTER_TOUCH_US = 30 * DAY_US  # a booking this soon after a touch went out counts as what it led to
REBOOKED = "('completed', 'scheduled', 'rescheduled')"  # she came, or is coming


def visits(merged: bool, where: str) -> str:
    """An account's appointments with a patient (`b`), as (pid, status, treatment, booked_for, value,
    created_at), those matching `where`. A merge moves a patient's rows to her survivor; `merged` reads through
    a merged record that still has some (older data), so that she is never counted twice."""
    if not merged:
        return ("SELECT b.patient_id AS pid, b.status, b.treatment, b.booked_for, b.value, b.created_at FROM bookings b"
                f" WHERE b.account_id = :a AND b.patient_id IS NOT NULL AND b.booked_for IS NOT NULL AND {where}")
    return ("SELECT COALESCE(m.merged_into, b.patient_id) AS pid, b.status, b.treatment, b.booked_for, b.value,"
            " b.created_at FROM bookings b LEFT JOIN patients m ON m.id = b.patient_id"
            f" WHERE b.account_id = :a AND b.patient_id IS NOT NULL AND b.booked_for IS NOT NULL AND {where}")


def month_of(column: str, bounds: Sequence[int], leaf: Callable[[int], int] = int, lo: int = 0,
             hi: int | None = None) -> str:
    """`leaf(index)` of the month a time falls in: a binary search as nested CASEs (5 comparisons for 24
    months). Only for times within [bounds[0], bounds[-1])."""
    hi = len(bounds) - 1 if hi is None else hi
    if hi - lo <= 1:
        return str(leaf(lo))
    mid = (lo + hi) // 2
    return (f"CASE WHEN {column} < {int(bounds[mid])} THEN {month_of(column, bounds, leaf, lo, mid)}"
            f" ELSE {month_of(column, bounds, leaf, mid, hi)} END")


def _chunks(scope: RetentionScope) -> int:
    return max(1, (scope.month_count + MONTH_CHUNK - 1) // MONTH_CHUNK)


def _nibble(k: int) -> Callable[[int], int]:
    """Month j's unit in mask column k: 1 in its 4 bits when j is one of the column's months, else 0."""
    return lambda j: 1 << (4 * (j - k * MONTH_CHUNK)) if k * MONTH_CHUNK <= j < (k + 1) * MONTH_CHUNK else 0


def _per_patient(scope: RetentionScope, merged: bool) -> str:
    """One row per patient with a completed visit before as_of (:t) or a visit booked ahead of it."""
    past = "booked_for < :t"
    in_window = f"{past} AND booked_for >= :m0"
    masks = ", ".join(
        f"CAST(SUM(CASE WHEN {in_window} THEN {month_of('booked_for', scope.months, _nibble(k))} ELSE 0 END)"
        f" AS BIGINT) AS mask{k}" for k in range(_chunks(scope)))
    where = (f"((b.status = 'completed' AND b.booked_for < :t)"
             f" OR (b.status IN {REBOOKED} AND b.booked_for >= :t AND b.created_at < :t))")
    return (
        f"SELECT pid, MAX(CASE WHEN {past} THEN booked_for END) AS last,"
        f" MIN(CASE WHEN {past} THEN booked_for END) AS first,"
        f" SUM(CASE WHEN {past} THEN 1 ELSE 0 END) AS n,"
        f" SUM(CASE WHEN {in_window} THEN 1 ELSE 0 END) AS n_window,"
        f" COALESCE(SUM(CASE WHEN {past} THEN value END), 0) AS revenue,"
        f" MAX(CASE WHEN {past} THEN 0 ELSE 1 END) AS ahead, {masks}"
        f" FROM ({visits(merged, where)}) v GROUP BY pid"
    )


_ACTIVE = "(ahead = 1 OR :t - last <= :active OR (n >= :loyal AND :t - last <= :at_risk))"
_SEGMENTS = (f"SUM(CASE WHEN {_ACTIVE} THEN 1 ELSE 0 END),"
             f" SUM(CASE WHEN NOT {_ACTIVE} AND :t - last <= :at_risk THEN 1 ELSE 0 END),"
             f" SUM(CASE WHEN NOT {_ACTIVE} AND :t - last > :at_risk AND :t - last <= :lapsed THEN 1 ELSE 0 END),"
             f" SUM(CASE WHEN NOT {_ACTIVE} AND :t - last > :lapsed THEN 1 ELSE 0 END)")


def _hers(column: str, merged: bool) -> str:
    """The condition that a row's patient id is the patient of `pp`'s row (or a record merged into her)."""
    if not merged:
        return f"{column} = pp.pid"
    return f"{column} IN (SELECT id FROM patients WHERE id = pp.pid OR merged_into = pp.pid)"


def _source(merged: bool) -> str:
    """Her first conversation's recorded source when it started before her first visit (the DM brought her);
    else the source the booking system gave (lower case); else unknown."""
    first_dm = (f"(SELECT c.source_kind FROM conversations c WHERE {_hers('c.patient_id', merged)}"
                " AND c.created_at <= pp.first ORDER BY c.created_at LIMIT 1)")
    return (f"COALESCE({first_dm}, CASE WHEN p.source IS NOT NULL AND TRIM(p.source) <> ''"
            " THEN LOWER(TRIM(p.source)) END, 'unknown')")


def patient_base(scope: RetentionScope, merged: bool) -> tuple[str, dict[str, Any]]:
    """One statement, rows of (part, name, a, b, c, d, x): `segments` (a active, b at risk, c dormant,
    d lapsed) · `patients` (a: records not merged into another) · `cohort` (a month, c patients) · `returned`
    (a cohort, b month, c patients who came that month) · `source` (name; a patients, b visits, c new in the
    period, x revenue). `pc` holds the cohort patients with their first month."""
    chunks = _chunks(scope)
    months = ", ".join(f"({j})" for j in range(scope.month_count))
    nibble = " ".join(f"WHEN mo.j < {(k + 1) * MONTH_CHUNK} THEN (pc.mask{k} >> (4 * (mo.j - {k * MONTH_CHUNK})))"
                      for k in range(chunks))
    masks = ", ".join(f"mask{k}" for k in range(chunks))
    sql = (
        "SELECT * FROM (WITH pp AS MATERIALIZED (" + _per_patient(scope, merged) + "),"
        f" pc AS MATERIALIZED (SELECT pid, n_window, {month_of('first', scope.months)} AS cohort, {masks} FROM pp"
        f" WHERE first >= :m0 AND first < :t), mo(j) AS (VALUES {months})"
        f" SELECT 'segments' AS part, '' AS name, {_SEGMENTS}, 0.0 AS x FROM pp"
        " UNION ALL SELECT 'patients', '', (SELECT COUNT(*) FROM patients WHERE account_id = :a)"
        " - (SELECT COUNT(*) FROM patients WHERE merged_into IS NOT NULL AND account_id = :a), 0, 0, 0, 0.0"
        " UNION ALL SELECT 'cohort', '', cohort, 0, COUNT(*), 0, 0.0 FROM pc GROUP BY cohort"
        " UNION ALL SELECT 'returned', '', pc.cohort, mo.j, COUNT(*), 0, 0.0 FROM pc JOIN mo ON mo.j > pc.cohort"
        f" AND ((CASE {nibble} ELSE 0 END) & 15) > 0 WHERE pc.n_window <= 15 GROUP BY pc.cohort, mo.j"
        f" UNION ALL SELECT 'returned', '', pc.cohort, {month_of('v.booked_for', scope.months)},"
        " COUNT(DISTINCT pc.pid), 0, 0.0 FROM pc CROSS JOIN bookings v WHERE pc.n_window > 15 AND v.account_id = :a"
        f" AND {_hers('v.patient_id', merged).replace('pp.pid', 'pc.pid')} AND v.status = 'completed'"
        " AND v.booked_for >= :m0 AND v.booked_for < :t GROUP BY 3, 4"
        f" UNION ALL SELECT 'source', {_source(merged)}, COUNT(*), SUM(pp.n),"
        " SUM(CASE WHEN pp.first >= :s THEN 1 ELSE 0 END), 0, SUM(pp.revenue) FROM pp JOIN patients p ON p.id = pp.pid"
        " WHERE pp.first IS NOT NULL GROUP BY 2"
        ") retention"
    )
    params = {"a": scope.account_id, "t": scope.as_of, "s": scope.since, "m0": scope.months[0],
              "active": scope.active_us, "at_risk": scope.at_risk_us, "lapsed": scope.lapsed_us,
              "loyal": scope.loyal_visits}
    return sql, params


def rebooking(scope: RetentionScope, merged: bool) -> tuple[str, dict[str, Any]]:
    """Per treatment with a rebooking window: the completed visits whose window (interval + grace) closed in
    [since, as_of), and how many of them the same patient followed with the same treatment within it (came,
    or booked it). The visits judged are found by `ix_bookings_treatment` (treatment, then time: a short
    range of each), the visit after each by `ix_bookings_retention` (hers, in time order)."""
    params: dict[str, Any] = {"a": scope.account_id}
    cases, ranges = [], []
    for i, (treatment, window) in enumerate(sorted(scope.windows.items())):
        params.update({f"tr{i}": treatment, f"w{i}": window, f"lo{i}": scope.since - window,
                       f"hi{i}": scope.as_of - window})
        cases.append(f"WHEN :tr{i} THEN CAST(:w{i} AS BIGINT)")
        where = f"b.status = 'completed' AND b.treatment = :tr{i} AND b.booked_for >= :lo{i} AND b.booked_for < :hi{i}"
        ranges.append(f"SELECT pid, treatment, booked_for FROM ({visits(merged, where)}) r{i}")
    # No account condition: the patient's index (a few rows) decides, not a treatment's whole range.
    hers = "b2.patient_id = v.pid" if not merged else (
        "b2.patient_id IN (SELECT id FROM patients WHERE id = v.pid OR merged_into = v.pid)")
    sql = (
        "SELECT treatment, COUNT(*) AS judged, SUM(again) AS rebooked, COUNT(DISTINCT pid) AS patients FROM ("
        "SELECT v.pid, v.treatment, CASE WHEN EXISTS (SELECT 1 FROM bookings b2 WHERE"
        f" {hers} AND b2.booked_for > v.booked_for AND b2.booked_for <= v.booked_for + v.w"
        f" AND b2.treatment = v.treatment AND b2.status IN {REBOOKED}) THEN 1 ELSE 0 END AS again FROM ("
        f"SELECT pid, treatment, booked_for, CASE treatment {' '.join(cases)} END AS w FROM"
        f" ({' UNION ALL '.join(ranges)}) x) v) y GROUP BY treatment"
    )
    return sql, params


def touches(accounts: Sequence[str], since: int, until: int) -> tuple[str, dict[str, Any]]:
    """Touches due in [since, until), grouped by kind, route, state, reason, outcome and whether a booking
    followed: her outcome says booked, or a booking of hers (not the one the touch follows, not cancelled)
    was made within 30 days after the touch went out (sent: fired_at; done from the Due list: done_at)."""
    params: dict[str, Any] = {"s": since, "u": until, "window": BOOKED_AFTER_TOUCH_US}
    names = []
    for i, account in enumerate(accounts):
        params[f"acc{i}"] = account
        names.append(f":acc{i}")
    went = "CASE WHEN t.state = 'done' THEN t.done_at WHEN t.state = 'sent' THEN t.fired_at END"
    sql = (
        "SELECT * FROM (WITH x AS MATERIALIZED (SELECT t.kind, t.route, t.state,"
        " t.reason, t.outcome, CASE WHEN t.outcome = 'booked' THEN 1"
        f" WHEN ({went}) IS NOT NULL AND EXISTS (SELECT 1 FROM bookings b WHERE b.account_id = t.account_id"
        " AND b.patient_id = t.patient_id AND b.id <> t.booking_id AND b.status <> 'cancelled'"
        f" AND b.created_at - ({went}) > 0 AND b.created_at - ({went}) <= :window) THEN 1 ELSE 0 END AS booked"
        f" FROM touches t WHERE t.account_id IN ({', '.join(names) or 'NULL'}) AND t.due_at >= :s AND t.due_at < :u)"
        " SELECT kind, route, state, reason, outcome, booked, COUNT(*) AS n FROM x"
        " GROUP BY kind, route, state, reason, outcome, booked) touch_groups"
    )
    return sql, params


MERGED_WITH_ROWS = (
    "SELECT p.id FROM patients p WHERE p.merged_into IS NOT NULL AND p.account_id = :a AND"
    " (EXISTS (SELECT 1 FROM bookings b WHERE b.patient_id = p.id)"
    " OR EXISTS (SELECT 1 FROM conversations c WHERE c.patient_id = p.id)) LIMIT 1"
)
