"""The one schema, declared with SQLAlchemy Core; times are epoch microseconds (BIGINT) on both engines."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, LargeBinary, MetaData, Table, Text, UniqueConstraint

metadata = MetaData()


def _id() -> Column[int]:
    return Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True)


kv = Table(
    "kv",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("platform_account_id", Text, nullable=False),
    Column("contact_id", Text, nullable=False),
    Column("contact_name", Text),
    Column("state", Text, nullable=False, server_default="{}"),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("last_inbound_at", BigInteger),
    Column("first_response_at", BigInteger),
    # Bumped by every write of the state: a decision made from an older snapshot is refused (StaleSnapshot).
    Column("version", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("account_id", "channel", "contact_id", name="uq_conversation_contact"),
)

inbound_events = Table(
    "inbound_events",
    metadata,
    _id(),
    Column("account_id", Text),  # NULL: no playbook owns the receiving account (stored, not answered)
    Column("conversation_id", BigInteger),
    Column("channel", Text, nullable=False),
    Column("message_id", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("handled_at", BigInteger),
    UniqueConstraint("channel", "message_id", name="uq_inbound_message"),
)
# Only the events waiting to be handled (partial): small however long the history, and cheap on the ack path.
UNHANDLED = inbound_events.c.handled_at.is_(None)
Index("ix_inbound_pending", inbound_events.c.conversation_id, inbound_events.c.id,
      sqlite_where=UNHANDLED, postgresql_where=UNHANDLED)

messages = Table(
    "messages",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("author", Text, nullable=False),  # prospect, bot, staff, echo
    Column("text", Text, nullable=False),
    Column("media", Text),
    Column("inbound_id", BigInteger),
    Column("intent", Text),
    Column("at", BigInteger, nullable=False),
    Column("staff_name", Text),  # who wrote a staff message: an inbox login, else the Telegram name
)
Index("ix_messages_conversation", messages.c.conversation_id, messages.c.at)

leads = Table(
    "leads",
    metadata,
    Column("conversation_id", BigInteger, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("treatment", Text),
    Column("budget_min", Float),
    Column("budget_max", Float),
    Column("timeline", Text),
    Column("details", Text, nullable=False, server_default="{}"),
    Column("qualified_at", BigInteger),
    Column("updated_at", BigInteger, nullable=False),
)

actions = Table(
    "actions",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("inbound_id", BigInteger),
    Column("timer_id", BigInteger),
    Column("name", Text, nullable=False),
    Column("detail", Text, nullable=False, server_default="{}"),
    Column("at", BigInteger, nullable=False),
)
Index("ix_actions_conversation", actions.c.conversation_id, actions.c.id)
Index("ix_actions_account_at", actions.c.account_id, actions.c.at)

escalations = Table(
    "escalations",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("priority", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("deadline", BigInteger),
    Column("first_human_reply_at", BigInteger),
    Column("resolved_at", BigInteger),
    Column("claimed_by", Text),
    Column("resolved_by", Text),
    Column("resolution_note", Text),  # urgent, medical and complaint escalations: what was done (migration 5)
)
Index("ix_escalations_open", escalations.c.account_id, escalations.c.resolved_at)

timers = Table(
    "timers",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("escalation_id", BigInteger),
    Column("kind", Text, nullable=False),
    Column("due_at", BigInteger, nullable=False),
    Column("lease_until", BigInteger),  # claimed by a worker until then; reclaimable after a crash
    Column("done_at", BigInteger),  # fired or cancelled: never again
    Column("cancelled", Integer, nullable=False, server_default="0"),
)
Index("ix_timers_due", timers.c.done_at, timers.c.due_at)

outbox = Table(
    "outbox",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),  # message or alert
    Column("payload", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("status", Text, nullable=False, server_default="pending"),  # pending, sent, failed
    Column("error", Text),
    Column("platform_message_id", Text),
    Column("sent_at", BigInteger),
)
Index("ix_outbox_pending", outbox.c.status, outbox.c.next_attempt_at)

dead_letters = Table(
    "dead_letters",
    metadata,
    _id(),
    Column("channel", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("received_at", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    _id(),
    Column("username", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),  # va, owner, admin
    Column("accounts", Text, nullable=False, server_default="[]"),  # account ids; [] = all (one-spa deployments)
    Column("created_at", BigInteger, nullable=False),
    Column("sessions_after", BigInteger),  # sessions issued before this instant are void (logout)
    Column("telegram", Text),  # the login's Telegram @username (lowercase, no @) or numeric user id
)

links = Table(
    "links",
    metadata,
    Column("token", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("treatment", Text),
    Column("channel", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("campaign", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("first_click_at", BigInteger),
    Column("clicks", Integer, nullable=False, server_default="0"),
)
Index("ix_links_conversation", links.c.conversation_id)

bookings = Table(
    "bookings",
    metadata,
    _id(),
    Column("account_id", Text, nullable=False),
    Column("conversation_id", BigInteger),
    Column("treatment", Text),
    Column("value", Float),
    Column("booked_for", BigInteger),
    Column("source", Text, nullable=False),  # webhook or staff
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_bookings_account", bookings.c.account_id, bookings.c.created_at)

# Which staff chat message (Telegram) carries which alert: replies and claim buttons find their conversation.
staff_chat_messages = Table(
    "staff_chat_messages",
    metadata,
    Column("chat_id", Text, primary_key=True),  # the numeric chat id Telegram reports, as text
    Column("message_id", BigInteger, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("conversation_id", BigInteger, nullable=False),
    Column("escalation_id", BigInteger),
    Column("kind", Text, nullable=False),  # escalation, sla_warning, sla_breach
    Column("sent_at", BigInteger, nullable=False),
)
Index("ix_staff_chat_messages_escalation", staff_chat_messages.c.escalation_id)

# -- the owners' numbers (issue 8) -------------------------------------------------------------
# A booking system's own id makes a retried webhook one booking; the link token and contact say how it matched.
bookings.append_column(Column("external_id", Text))
bookings.append_column(Column("token", Text))
bookings.append_column(Column("contact", Text))
Index("uq_bookings_external", bookings.c.account_id, bookings.c.external_id, unique=True)
Index("ix_bookings_conversation", bookings.c.conversation_id)
# Stats select an account's conversations by start (covering: the table rows carry the state JSON, never read
# there), escalations by opening, and count a few actions by name over the period's range of conversation ids.
Index("ix_conversations_account_created", conversations.c.account_id, conversations.c.created_at,
      conversations.c.channel, conversations.c.first_response_at)
Index("ix_escalations_account_opened", escalations.c.account_id, escalations.c.opened_at)
Index("ix_actions_name_conversation", actions.c.name, actions.c.conversation_id)

# -- login attempt limits (issue 15) --------------------------------------------------------------
# One row per key (a username, a client address) per login attempt still counted: reserved before the
# password is checked, so parallel guesses and several processes or instances share one count.
login_attempts = Table(
    "login_attempts",
    metadata,
    _id(),
    Column("subject", Text, nullable=False),  # "user:<name>" or "addr:<address>"
    Column("attempt", Text, nullable=False),  # the reservation's token: a good login frees its own rows
    Column("at", BigInteger, nullable=False),
)
Index("ix_login_attempts_subject", login_attempts.c.subject, login_attempts.c.at)
Index("ix_login_attempts_at", login_attempts.c.at)

# -- sources, comment-to-DM, set-aside events (issue 16) ----------------------------------------
# Every conversation's first source (organic, story_reply, story_mention, share, comment, ad, link_ref) and its
# id (the story, post or ad), set when the conversation is created and never changed.
conversations.append_column(Column("source_kind", Text))
conversations.append_column(Column("source_ref", Text))
# Private replies to comments are paced per page (750 an hour): their rows share a pace key.
outbox.append_column(Column("pace_key", Text))
Index("ix_outbox_pace", outbox.c.pace_key, outbox.c.next_attempt_at)
# Events seen and deliberately not answered (reactions, reads, edits, handover, opt-ins, TikTok EU events,
# echoes of other apps...), by kind, kept 30 days for an operator to query.
set_aside_events = Table(
    "set_aside_events",
    metadata,
    _id(),
    Column("channel", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("account", Text),
    Column("reason", Text, nullable=False),
    Column("received_at", BigInteger, nullable=False),
)
Index("ix_set_aside_kind", set_aside_events.c.kind, set_aside_events.c.received_at)
Index("ix_set_aside_received", set_aside_events.c.received_at)
