"""Patients found by client id, else e-mail, else phone; `dm-bot patients import` all or nothing, with
line-numbered errors, and idempotent (issue 18). On SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from apphelpers import settings_env

from dm_bot.cli import build_parser
from dm_bot.commands.patients import run_import
from dm_bot.domain import changes
from dm_bot.pipeline.records import BookingReport
from dm_bot.settings import load_settings
from dm_bot.store import SqlStore

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
HEADER = "client_id,name,email,phone,treatment,time,value,status,source\n"
GOOD = HEADER + (
    "c-1,Ana Lopez,ana@example.com,312-555-0142,neurotoxin,2025-06-01T10:00:00,450,,instagram\n"
    "c-1,Ana Lopez,ana@example.com,312-555-0142,neurotoxin,2025-10-02T10:00:00,$480.00,completed,instagram\n"
    ",Bea Park,BEA@example.com,,lip_filler,2025-08-15T14:30:00-05:00,700,no-show,ad\n"
    ",Cy,,+1 (773) 555 0199,,2025-09-09T09:00:00,,cancelled,organic\n"
)


async def _book(store: SqlStore, **client: str) -> int | None:
    result = await store.record_booking(BookingReport("demo-spa", "webhook", **client), NOW, changes.booked)
    return result.patient_id


async def test_a_patient_is_found_by_client_id_else_email_else_phone(store: SqlStore) -> None:
    ana = await _book(store, client_id="c-1", email="ana@example.com")
    assert ana is not None
    assert await _book(store, client_id="c-1", email="other@example.com") == ana  # the client id decides first
    assert await _book(store, email="ana@example.com", phone="+13125550142") == ana  # then the e-mail
    assert await _book(store, phone="+13125550142") == ana  # then the phone (its number filled in above)
    bea = await _book(store, email="bea@example.com")
    assert bea not in (None, ana)
    assert await _book(store, client_id="c-1") == ana
    [a, b] = await store.patients_of("demo-spa")
    assert (a.client_id, a.email, a.phone) == ("c-1", "ana@example.com", "+13125550142")
    assert (b.id, b.client_id, b.email) == (bea, None, "bea@example.com")
    assert await store.patients_of("lakeside-spa") == []  # a patient is of one account


async def _import(tmp_path: Path, database_url: str, text: str) -> tuple[int, str, str]:
    csv_file = tmp_path / "visits.csv"
    csv_file.write_text(text, encoding="utf-8")
    settings = load_settings(settings_env(tmp_path, DM_BOT_DATABASE_URL=database_url))
    out, err = io.StringIO(), io.StringIO()
    code = await run_import(settings, csv_file, None, out, err)
    return code, out.getvalue(), err.getvalue()


async def _visits(store: SqlStore) -> list[tuple[str | None, str | None, str, str | None, float | None]]:
    return [(p.email, p.phone, v.status, v.treatment, v.value)
            for p in await store.patients_of("demo-spa") for v in await store.visits_of(p.id)]


async def test_an_import_loads_past_visits_and_importing_again_changes_nothing(
        tmp_path: Path, database_url: str, store: SqlStore) -> None:
    code, out, err = await _import(tmp_path, database_url, GOOD)
    assert (code, err) == (0, "") and "imported 4 visit(s) into demo-spa: 4 new or changed" in out
    first = await _visits(store)
    assert first == [
        ("ana@example.com", "+13125550142", "completed", "neurotoxin", 450.0),
        ("ana@example.com", "+13125550142", "completed", "neurotoxin", 480.0),
        ("bea@example.com", None, "no_show", "lip_filler", 700.0),
        (None, "+17735550199", "cancelled", None, None),
    ]
    assert [p.source for p in await store.patients_of("demo-spa")] == ["instagram", "ad", "organic"]
    code, out, _ = await _import(tmp_path, database_url, GOOD)
    assert code == 0 and ": 0 new or changed" in out
    assert await _visits(store) == first and len(await store.patients_of("demo-spa")) == 3


async def test_a_malformed_file_names_each_bad_line_and_imports_nothing(
        tmp_path: Path, database_url: str, store: SqlStore) -> None:
    bad = GOOD + (
        "c-9,Dee,dee-at-example,,neurotoxin,2025-01-01T10:00:00,,,\n"
        ",No One,,,neurotoxin,2025-01-02T10:00:00,,,\n"
        "c-10,Eve,,,botox please,2025-01-03,,,\n"
        "c-11,Fay,,,,last spring,,,\n"
        "c-12,Gus,,,,2025-01-05T10:00:00,-20,,\n"
        "c-13,Hal,,,,2025-01-06T10:00:00,,finished,\n"
    )
    code, out, err = await _import(tmp_path, database_url, bad)
    lines = err.splitlines()
    assert code == 2 and out == ""
    assert [line.split(": ")[0].rsplit(":", 1)[1] + ":" + line.split(": ")[1].split(":")[0] for line in lines[:-1]] == [
        "6:email", "7:client_id", "8:treatment", "9:time", "10:value", "11:status"]
    assert lines[-1] == "dm-bot patients import: nothing imported (6 bad line(s))"
    assert await store.patients_of("demo-spa") == [] and await _visits(store) == []


async def test_a_file_without_the_header_is_refused(tmp_path: Path, database_url: str, store: SqlStore) -> None:
    code, _, err = await _import(tmp_path, database_url, "name,email\nAna,ana@example.com\n")
    assert code == 2 and "visits.csv:1: header: missing client_id" in err
    assert await store.patients_of("demo-spa") == []


def test_the_command_line_reads_patients_import_with_an_optional_account() -> None:
    args = build_parser().parse_args(["patients", "import", "visits.csv", "--account", "demo-spa"])
    assert (args.command, args.patients_command, args.file, args.account) == (
        "patients", "import", Path("visits.csv"), "demo-spa")
    assert build_parser().parse_args(["patients", "import", "visits.csv"]).account is None
