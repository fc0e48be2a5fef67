"""Staff merge two records of one patient (issue 18): the domain decides who survives and what moves; the store
moves her visits, conversations and touches in one transaction, carries opt-out and do-not-contact over, points
the other record at the survivor and keeps an audit row. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from touch_rows import add_touch

from dm_bot.domain.changes import booked
from dm_bot.domain.patient_changes import MergeRefused, PatientFacts, merge
from dm_bot.pipeline.records import BookingReport
from dm_bot.store import SqlStore

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def _facts(pid: int, days: int, account: str = "demo-spa", **fields: str | None) -> PatientFacts:
    return PatientFacts(pid, account, NOW - timedelta(days=days), {"client_id": None, "name": None, "email": None,
                                                                  "phone": None, "source": None, **fields})


def test_the_older_record_survives_and_takes_only_the_fields_she_lacks() -> None:
    old = _facts(7, 300, name="Ana Lopez", email="ana@example.com", source="instagram")
    new = _facts(3, 2, name="Ana L.", phone="+13125550142", client_id="blvd-1", email="ana.l@example.com")
    decided = merge(new, old)
    assert (decided.survivor, decided.merged) == (7, 3)
    assert decided.fill == {"phone": "+13125550142", "client_id": "blvd-1"}


def test_an_opt_out_or_do_not_contact_of_either_record_carries_over() -> None:
    a = PatientFacts(1, "demo-spa", NOW - timedelta(days=9), {}, opted_out_at=NOW - timedelta(days=1))
    b = PatientFacts(2, "demo-spa", NOW - timedelta(days=5), {}, opted_out_at=NOW - timedelta(days=3),
                     do_not_contact=True)
    decided = merge(a, b)
    assert decided.opted_out_at == NOW - timedelta(days=3) and decided.do_not_contact


@pytest.mark.parametrize(("a", "b", "code"), [
    (_facts(1, 5), _facts(1, 5), "same"),
    (_facts(1, 5), _facts(2, 5, account="other-spa"), "account"),
    (_facts(1, 5), PatientFacts(2, "demo-spa", NOW, {}, merged_into=9), "merged"),
])
def test_a_merge_is_refused_for_one_record_two_accounts_or_a_merged_one(a: PatientFacts, b: PatientFacts,
                                                                       code: str) -> None:
    with pytest.raises(MergeRefused) as refused:
        merge(a, b)
    assert refused.value.code == code


async def _patient(store: SqlStore, at: datetime, external_id: str, **client: str) -> tuple[int, int]:
    made = await store.record_booking(BookingReport("demo-spa", "webhook", external_id=external_id, booked_for=at,
                                                    status="completed", treatment="neurotoxin", value=400.0,
                                                    **client), at, booked)
    assert made.patient_id is not None
    return made.patient_id, made.booking_id


async def test_a_merge_moves_her_visits_conversations_and_touches_in_one_go(store: SqlStore) -> None:
    older, b1 = await _patient(store, NOW - timedelta(days=200), "v1", email="ana@example.com", name="Ana Lopez")
    newer, b2 = await _patient(store, NOW - timedelta(days=20), "v2", phone="+13125550142", client_id="gh-9")
    conversation = await store.db.fetchrow(
        "INSERT INTO conversations (account_id, channel, platform_account_id, contact_id, state, created_at,"
        " updated_at, patient_id) VALUES ('demo-spa', 'instagram', 'ig', 'ana-ig', '{}', :t, :t, :p) RETURNING id",
        {"t": 1, "p": newer})
    assert conversation is not None
    touch = await add_touch(store, newer, b2, "check_in", "due", NOW, treatment="neurotoxin", text="How are you?")
    await store.db.execute("UPDATE patients SET opted_out_at = 5 WHERE id = :p", {"p": newer})

    decided = await store.merge_patients(newer, older, "vale", NOW, merge)

    assert (decided.survivor, decided.merged) == (older, newer)
    kept = await store.patient_row(older)
    assert kept is not None and (kept.email, kept.phone, kept.client_id, kept.visits) == (
        "ana@example.com", "+13125550142", "gh-9", 2)
    assert kept.opted_out_at is not None
    assert [v.booking_id for v in await store.visits_of(older)] == [b1, b2]
    assert [c.id for c in await store.conversations_of_patient(older)] == [conversation["id"]]
    assert [t.id for t in await store.touches_of_patient(older)] == [touch]
    gone = await store.patient_row(newer)
    assert gone is not None and gone.merged_into == older
    assert [p.id for p in await store.find_patients(["demo-spa"])] == [older]
    [change] = await store.patient_changes_of(older)
    assert (change.change, change.by, change.other_patient_id) == ("merge", "vale", newer)
    # a later event naming the merged record's client id finds the survivor
    again = await store.record_booking(BookingReport("demo-spa", "webhook", external_id="v3", client_id="gh-9"),
                                       NOW, booked)
    assert again.patient_id == older


async def test_a_refused_merge_writes_nothing(store: SqlStore) -> None:
    ana, _ = await _patient(store, NOW, "v1", email="ana@example.com")
    other, _ = await _patient(store, NOW, "v2", email="kim@example.com")
    await store.db.execute("UPDATE patients SET account_id = 'other-spa' WHERE id = :p", {"p": other})
    with pytest.raises(MergeRefused):
        await store.merge_patients(ana, other, "vale", NOW, merge)
    with pytest.raises(MergeRefused):
        await store.merge_patients(ana, 999_999, "vale", NOW, merge)
    assert await store.patient_changes_of(ana) == []
    assert [v.booking_id for v in await store.visits_of(ana)] != []
    row = await store.patient_row(other)
    assert row is not None and row.merged_into is None
