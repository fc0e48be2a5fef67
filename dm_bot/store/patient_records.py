"""Records of the staff's patient pages (issue 18): a patient as the list shows her, her touches, her
conversations and the audit trail of staff changes to her."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PatientRow:
    """A patient with what the list and her page show beside her contact fields."""

    id: int
    account_id: str
    client_id: str | None
    name: str | None
    email: str | None
    phone: str | None
    source: str | None
    created_at: datetime
    visits: int = 0
    last_visit: datetime | None = None
    opted_out_at: datetime | None = None
    do_not_contact: bool = False
    merged_into: int | None = None

    @property
    def suppressed(self) -> bool:
        return self.opted_out_at is not None or self.do_not_contact


@dataclass(frozen=True, slots=True)
class TouchRow:
    """One follow-up (a row of `touches`), with the patient and channel the Due list names."""

    id: int
    account_id: str
    patient_id: int
    patient_name: str | None
    kind: str
    treatment: str | None
    state: str
    due_at: datetime
    route: str | None = None
    reason: str | None = None
    text: str | None = None
    conversation_id: int | None = None
    channel: str | None = None
    last_visit: datetime | None = None
    fired_at: datetime | None = None
    done_at: datetime | None = None
    done_by: str | None = None
    email: str | None = None  # hers: shown only to staff of her account
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class PatientConversation:
    id: int
    channel: str
    contact: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PatientChange:
    """One staff change of a patient: a merge, do-not-contact set or lifted."""

    at: datetime
    change: str
    by: str
    other_patient_id: int | None = None
    detail: dict[str, object] = field(default_factory=dict)
