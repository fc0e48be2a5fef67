"""The CSV of the Due list (issue 18): one row per touch waiting for staff, on the spa's clock; her phone and
e-mail only for staff of her account (blank otherwise), cells a spreadsheet would run as formulas quoted."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime

from dm_bot.domain.hours import local
from dm_bot.domain.playbook import Playbook
from dm_bot.reports.export import cell
from dm_bot.store.patient_records import TouchRow

COLUMNS = ("touch_id", "account", "due_at", "patient_id", "patient", "phone", "email", "kind", "treatment",
           "channel", "conversation_id", "message", "last_visit")


def _at(pb: Playbook, at: datetime | None) -> str:
    return "" if at is None else local(pb, at).strftime("%Y-%m-%d %H:%M")


def due_rows(touches: Sequence[TouchRow], playbook: Callable[[str], Playbook],
             staff_of: Collection[str]) -> Iterator[list[str]]:
    """The header, then a row per touch."""
    yield list(COLUMNS)
    for t in touches:
        pb, mine = playbook(t.account_id), t.account_id in staff_of
        yield [cell(v) for v in (
            t.id, t.account_id, _at(pb, t.due_at), t.patient_id, t.patient_name, t.phone if mine else None,
            t.email if mine else None, t.kind, t.treatment, t.channel or "phone_or_email", t.conversation_id, t.text,
            _at(pb, t.last_visit))]
