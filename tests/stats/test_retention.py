"""The retention numbers (issue 18) on small hand-built data, every figure worked out by hand: segments by
recency and frequency, rebooking per treatment, cohorts, LTV by first source, touches and what they led to;
the period and account filters; merged patients counted once. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dm_bot.playbooks import load_playbooks
from dm_bot.reports.numbers import make_period, stats
from dm_bot.reports.retention import grace_days, month_starts, retention
from dm_bot.store import SqlStore, codec

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # noon in Chicago, the demo spa's time zone
PLAYBOOKS = load_playbooks(ROOT / "playbooks")


def ago(days: float) -> int:
    return codec.to_us(NOW - timedelta(days=days))


class Data:
    def __init__(self, store: SqlStore) -> None:
        self.store, self.booking = store, 0

    async def patient(self, pid: int, source: str | None, account: str = "demo-spa", merged: int | None = None) -> int:
        await self.store.db.execute(
            "INSERT INTO patients (id, account_id, name, source, created_at, updated_at, merged_into)"
            " VALUES (:i, :a, :n, :s, :t, :t, :m)",
            {"i": pid, "a": account, "n": f"P{pid}", "s": source, "t": ago(1), "m": merged})
        return pid

    async def visit(self, pid: int, treatment: str, days: float, value: float | None = None,
                    status: str = "completed", made: float | None = None, account: str = "demo-spa") -> int:
        self.booking += 1
        await self.store.db.execute(
            "INSERT INTO bookings (id, account_id, treatment, value, booked_for, source, created_at, status,"
            " patient_id) VALUES (:i, :a, :tr, :v, :bf, 'import', :c, :st, :p)",
            {"i": self.booking, "a": account, "tr": treatment, "v": value, "bf": ago(days),
             "c": ago(days if made is None else made), "st": status, "p": pid})
        return self.booking

    async def conversation(self, cid: int, pid: int, source: str, days: float) -> None:
        await self.store.db.execute(
            "INSERT INTO conversations (id, account_id, channel, platform_account_id, contact_id, state, created_at,"
            " updated_at, source_kind, patient_id)"
            " VALUES (:i, 'demo-spa', 'instagram', 'biz', :c, '{}', :t, :t, :s, :p)",
            {"i": cid, "c": f"c{cid}", "t": ago(days), "s": source, "p": pid})

    async def touch(self, pid: int, booking: int, kind: str, due: float, state: str, route: str | None = None,
                    reason: str | None = None, fired: float | None = None, done: float | None = None,
                    outcome: str | None = None, account: str = "demo-spa") -> None:
        await self.store.db.execute(
            "INSERT INTO touches (account_id, patient_id, booking_id, kind, due_at, state, route, reason, fired_at,"
            " done_at, outcome, created_at) VALUES (:a, :p, :b, :k, :d, :s, :r, :re, :f, :dn, :o, :d)",
            {"a": account, "p": pid, "b": booking, "k": kind, "d": ago(due), "s": state, "r": route, "re": reason,
             "f": None if fired is None else ago(fired), "dn": None if done is None else ago(done), "o": outcome})


async def _base(store: SqlStore) -> Data:
    """P1 active (30 days), P2 active (booked ahead), P3 active (3 visits, 150 days), P4 at risk, P5 dormant,
    P6 lapsed, P7 never came, P8 merged into P1, P10 active and rebooked; a patient of another spa."""
    d = Data(store)
    await d.patient(1, "Instagram ")
    await d.visit(1, "neurotoxin", 30, 400)
    await d.patient(2, "ad")
    p2 = await d.visit(2, "facial", 300, 200)
    p2_next = await d.visit(2, "neurotoxin", -10, 450, status="scheduled", made=5)
    await d.patient(3, "referral")
    for days in (400, 280, 150):
        p3 = await d.visit(3, "neurotoxin", days, 300)
    await d.patient(4, "referral")
    await d.visit(4, "neurotoxin", 150, 350)
    await d.patient(5, None)
    p5 = await d.visit(5, "lip_filler", 300, 650)
    await d.conversation(1, 5, "story_reply", 310)  # before her first visit: the DM brought her
    await d.patient(6, "google")
    p6 = await d.visit(6, "facial", 420, 200)
    await d.conversation(2, 6, "ad", 5)  # long after her first visit: not how she came
    await d.patient(7, "ad")
    await d.visit(7, "neurotoxin", 20, None, status="cancelled")
    await d.patient(8, "ad", merged=1)
    await d.patient(10, "instagram")
    p10 = await d.visit(10, "neurotoxin", 140, 300)
    await d.visit(10, "neurotoxin", 40, 300)
    await d.patient(11, "instagram", account="lakeside-spa")
    lake = await d.visit(11, "neurotoxin", 10, 999, account="lakeside-spa")
    await d.touch(1, 1, "check_in", 26, "sent", "bot_dm", fired=26, outcome="replied")
    await d.touch(2, p2, "recall", 20, "done", "due_list", fired=20, done=19)  # she booked 14 days after
    await d.touch(6, p6, "win_back", 15, "skipped", reason="opted_out", fired=15)
    await d.touch(5, p5, "recall", 3, "due", "due_list", fired=3)
    await d.touch(10, p10, "check_in", 36, "sent", "bot_dm", fired=36)  # before the period
    await d.touch(2, p2_next, "confirmation", 5, "sent", "bot_dm", fired=5, outcome="booked")
    await d.touch(3, p3, "recall", 2, "cancelled", reason="booked_again")
    await d.touch(11, lake, "check_in", 5, "sent", "bot_dm", fired=5, account="lakeside-spa")
    return d


async def _figures(store: SqlStore, since: str | None = None, until: str | None = None,
                   accounts: tuple[str, ...] = ("demo-spa",)) -> dict[str, Any]:
    return await retention(store, make_period(PLAYBOOKS, list(accounts), since, until, NOW), PLAYBOOKS, NOW)


async def test_patients_by_recency_and_frequency(store: SqlStore) -> None:
    await _base(store)
    f = await _figures(store)
    assert f["patients"] == {"active": 4, "at_risk": 1, "dormant": 1, "lapsed": 1}
    assert f["patient_base"] == {"as_of": NOW.isoformat(), "patients": 8, "with_visit": 7, "without_visit": 1,
                                 "thresholds": {"active_days": 120, "at_risk_days": 210, "lapsed_days": 365,
                                                "loyal_visits": 3}}


async def test_an_earlier_period_end_is_the_snapshot(store: SqlStore) -> None:
    await _base(store)
    until = (NOW - timedelta(days=34)).date().isoformat()  # P1 has not come yet, P2 has not booked ahead yet
    f = await _figures(store, since=(NOW - timedelta(days=60)).date().isoformat(), until=until)
    assert f["patients"] == {"active": 3, "at_risk": 0, "dormant": 2, "lapsed": 1}
    assert f["patient_base"]["without_visit"] == 2


async def test_rebooking_rate_within_the_interval_and_grace(store: SqlStore) -> None:
    await _base(store)
    f = await _figures(store)
    neuro = f["rebooking_rate_by_treatment"]["neurotoxin"]
    assert grace_days(105) == 26
    # judged: P3 and P4 at 150 days, P10 at 140 days (their 131-day windows closed in the last 30 days);
    # P10 came back 100 days later
    assert neuro == {"interval_days": 105, "grace_days": 26, "visits": 3, "rebooked": 1, "patients": 3,
                     "rate": 0.3333}
    assert f["rebooking_rate_by_treatment"]["facial"] == {"interval_days": 35, "grace_days": 9, "visits": 0,
                                                          "rebooked": 0, "patients": 0, "rate": None}
    assert list(f["rebooking_rate_by_treatment"])[:3] == ["neurotoxin", "lip_filler", "dermal_filler"]


async def test_cohorts_by_first_visit_month(store: SqlStore) -> None:
    await _base(store)
    cohorts = (await _figures(store))["cohort_retention"]
    assert next(iter(cohorts)) == "2025-07" and list(cohorts)[-1] == "2026-06" and len(cohorts) == 12
    assert cohorts["2025-08"] == {"patients": 2, "returned": [0] * 10, "share": [0.0] * 10}
    assert cohorts["2026-01"] == {"patients": 2, "returned": [0, 0, 0, 1, 0], "share": [0.0, 0.0, 0.0, 0.5, 0.0]}
    assert cohorts["2026-05"] == {"patients": 1, "returned": [0], "share": [0.0]}
    assert cohorts["2026-06"] == {"patients": 0, "returned": [], "share": []}
    assert sum(c["patients"] for c in cohorts.values()) == 5  # P3 and P6 came before the window


async def test_ltv_by_first_source(store: SqlStore) -> None:
    await _base(store)
    ltv = (await _figures(store))["ltv_by_source"]
    assert list(ltv) == ["referral", "instagram", "story_reply", "ad", "google"]
    assert ltv["referral"] == {"patients": 2, "visits": 4, "revenue": 1250.0, "ltv": 625.0, "new_patients": 0}
    assert ltv["instagram"] == {"patients": 2, "visits": 3, "revenue": 1000.0, "ltv": 500.0, "new_patients": 0}
    assert ltv["story_reply"]["revenue"] == 650.0 and ltv["google"]["patients"] == 1
    assert ltv["ad"] == {"patients": 1, "visits": 1, "revenue": 200.0, "ltv": 200.0, "new_patients": 0}


async def test_touches_by_state_kind_route_and_what_they_led_to(store: SqlStore) -> None:
    await _base(store)
    t = (await _figures(store))["touches"]
    assert {k: t[k] for k in ("total", "pending", "due", "sent", "done", "skipped", "cancelled", "went_out",
                              "replied", "booked")} == {
        "total": 6, "pending": 0, "due": 1, "sent": 2, "done": 1, "skipped": 1, "cancelled": 1, "went_out": 3,
        "replied": 1, "booked": 2}
    assert t["reply_rate"] == 0.3333 and t["booking_rate"] == 0.6667
    assert t["skipped_reasons"] == {"opted_out": 1} and t["cancelled_reasons"] == {"booked_again": 1}
    assert t["by_route"]["bot_dm"]["total"] == 2 and t["by_route"]["bot_dm"]["booked"] == 1
    assert t["by_route"]["due_list"]["total"] == 2 and t["by_route"]["due_list"]["booked"] == 1  # the 30-day rule
    assert t["by_route"]["none"]["total"] == 2
    assert {k: v["total"] for k, v in t["by_kind"].items()} == {
        "confirmation": 1, "check_in": 1, "recall": 3, "series": 0, "review_request": 0, "win_back": 1}


async def test_period_and_account_filters(store: SqlStore) -> None:
    await _base(store)
    recent = await _figures(store, since=(NOW - timedelta(days=12)).date().isoformat())
    assert recent["touches"]["total"] == 3 and recent["touches"]["by_kind"]["recall"]["total"] == 2
    assert (await _figures(store, since=(NOW - timedelta(days=31)).date().isoformat()))["ltv_by_source"][
        "instagram"]["new_patients"] == 1  # P1 came 30 days ago
    lake = await _figures(store, accounts=("lakeside-spa",))
    assert lake["patients"] == {"active": 1, "at_risk": 0, "dormant": 0, "lapsed": 0}
    assert lake["touches"]["total"] == 1 and lake["ltv_by_source"] == {
        "instagram": {"patients": 1, "visits": 1, "revenue": 999.0, "ltv": 999.0, "new_patients": 1}}
    both = await _figures(store, accounts=("demo-spa", "lakeside-spa"))
    assert both["patients"]["active"] == 5 and both["ltv_by_source"]["instagram"]["revenue"] == 1999.0


async def test_a_merged_record_still_holding_visits_counts_for_her_survivor(store: SqlStore) -> None:
    d = await _base(store)
    await d.patient(9, "tiktok", merged=4)
    await d.visit(9, "neurotoxin", 60, 300)  # older data: the visit was not moved to P4
    f = await _figures(store)
    assert f["patients"] == {"active": 5, "at_risk": 0, "dormant": 1, "lapsed": 1}
    assert f["patient_base"]["patients"] == 8
    assert f["rebooking_rate_by_treatment"]["neurotoxin"]["rebooked"] == 2  # P4 came back (as P9) 90 days later
    assert f["ltv_by_source"]["referral"]["revenue"] == 1550.0 and "tiktok" not in f["ltv_by_source"]


async def test_stats_json_carries_the_retention_keys(store: SqlStore) -> None:
    await _base(store)
    period = make_period(PLAYBOOKS, ["demo-spa"], None, None, NOW)
    figures = await stats(store, period, PLAYBOOKS, NOW)
    for key in ("patients", "rebooking_rate_by_treatment", "cohort_retention", "ltv_by_source", "touches"):
        assert key in figures
    assert set(figures["patients"]) == {"active", "at_risk", "dormant", "lapsed"}


def test_month_starts_cover_the_period_and_at_least_a_year() -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("America/Chicago")
    months = month_starts(datetime(2026, 5, 16, tzinfo=tz), datetime(2026, 6, 15, tzinfo=tz), tz)
    assert months[0] == datetime(2025, 7, 1, tzinfo=tz) and months[-1] == datetime(2026, 7, 1, tzinfo=tz)
    longer = month_starts(datetime(2024, 3, 5, tzinfo=tz), datetime(2026, 6, 15, tzinfo=tz), tz)
    assert longer[0] == datetime(2024, 3, 1, tzinfo=tz) and len(longer) == 29
