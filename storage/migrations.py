"""Schema migrations, applied in order; `PRAGMA user_version` records how far we are.

Never edit a migration that has shipped: add a new one. SQL stays portable (TEXT times
in ISO 8601 UTC, no SQLite-only types) so the same repositories can move to PostgreSQL.
The agency is a column from the start, one agency by default.
"""

from __future__ import annotations

V1 = """
CREATE TABLE sop_snapshots (
    hash TEXT PRIMARY KEY,
    sop_key TEXT NOT NULL,
    text TEXT NOT NULL,
    first_used_at TEXT NOT NULL
);

CREATE TABLE officer_accounts (
    agency TEXT NOT NULL DEFAULT 'default',
    officer_key TEXT NOT NULL,
    telegram_id INTEGER,
    language TEXT,
    joined_at TEXT,
    unreachable_since TEXT,
    PRIMARY KEY (agency, officer_key)
);
CREATE UNIQUE INDEX officer_accounts_telegram ON officer_accounts (agency, telegram_id);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    agency TEXT NOT NULL DEFAULT 'default',
    sop_key TEXT NOT NULL,
    sop_hash TEXT NOT NULL REFERENCES sop_snapshots (hash),
    code TEXT NOT NULL,
    period_key TEXT NOT NULL,
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    step_key TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    cancel_reason TEXT,
    letter_json TEXT NOT NULL,
    rounds_json TEXT NOT NULL,
    checklists_json TEXT NOT NULL,
    chosen_json TEXT NOT NULL,
    data_json TEXT NOT NULL,
    next_seq INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cases_one_open_per_period ON cases (agency, sop_key, code)
    WHERE status = 'open';
CREATE INDEX cases_code ON cases (agency, code);

CREATE TABLE tasks (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    step_key TEXT NOT NULL,
    round INTEGER NOT NULL,
    assignee TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deadline TEXT NOT NULL,
    closed_at TEXT,
    outcome TEXT,
    reason TEXT,
    version INTEGER,
    closed_by TEXT,
    data_json TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX tasks_open_by_assignee ON tasks (status, assignee);

CREATE TABLE files (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    number INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    step_key TEXT NOT NULL,
    task_seq INTEGER,
    purpose TEXT NOT NULL,
    item TEXT,
    PRIMARY KEY (case_id, number)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency TEXT NOT NULL DEFAULT 'default',
    case_id INTEGER REFERENCES cases (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    step_key TEXT NOT NULL,
    round INTEGER NOT NULL,
    task_seq INTEGER,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT,
    data_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id, id);

CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    task_seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    due_at TEXT NOT NULL,
    sent_at TEXT,
    cancelled_at TEXT,
    UNIQUE (case_id, task_seq, kind)
);
CREATE INDEX reminders_due ON reminders (sent_at, cancelled_at, due_at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER REFERENCES cases (id),
    task_seq INTEGER,
    officer_key TEXT,
    chat_id INTEGER,
    kind TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    message_id INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    failed_at TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, failed_at, id);

CREATE TABLE task_messages (
    case_id INTEGER NOT NULL,
    task_seq INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    has_document INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, task_seq, chat_id)
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    case_id INTEGER REFERENCES cases (id),
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX jobs_pending ON jobs (done_at, id);

CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"""

V2 = """
CREATE TABLE invites (
    code_hash TEXT PRIMARY KEY,
    agency TEXT NOT NULL DEFAULT 'default',
    officer_key TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER
);

CREATE TABLE invite_attempts (
    telegram_id INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX invite_attempts_by_user ON invite_attempts (telegram_id, at);

CREATE TABLE pending_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    telegram_id INTEGER NOT NULL,
    officer_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT
);

CREATE TABLE ptb_conversations (
    name TEXT NOT NULL,
    key_json TEXT NOT NULL,
    state_json TEXT NOT NULL,
    PRIMARY KEY (name, key_json)
);

CREATE TABLE ptb_user_data (
    user_id INTEGER PRIMARY KEY,
    data_json TEXT NOT NULL
)
"""

V3 = """
CREATE TABLE digest_runs (
    agency TEXT NOT NULL DEFAULT 'default',
    day TEXT NOT NULL,
    done_at TEXT NOT NULL,
    PRIMARY KEY (agency, day)
)
"""

# Documents: `source` names what a document was made from (a signature's verification code,
# a disposition's step round, an uploaded sheet), so a re-run job finds it already made.
# Indicator sheets are kept apart from draft versions: they are data, not the report.
V4 = """
ALTER TABLE documents ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX documents_one_per_source ON documents (case_id, kind, format, source);
CREATE TABLE indicator_sheets (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    task_seq INTEGER,
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX indicator_sheets_case ON indicator_sheets (case_id, id)
"""

# The audit trail is append-only in the database itself, not only by convention: an
# UPDATE or DELETE through SQL is refused. (Someone editing the file directly can drop
# the triggers; the hash chain and `python -m bot verify-audit` catch that.)
V5 = """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END
"""

# Outbox retention: a delivered message's text is dropped after the retention period
# (the row stays: when it went to whom, and which task a reply to it is about). Files
# sent are indexed for good first, so a later message can refer to a file already sent.
V_OUTBOX_RETENTION = """
CREATE TABLE delivered_files (
    outbox_id INTEGER PRIMARY KEY,
    officer_key TEXT,
    case_id INTEGER,
    sha256 TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX delivered_files_by_file ON delivered_files (sha256, chat_id);
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE payload_json != '{}'
"""

# A dialog in progress is a row of the bot's own, written before its question is sent
# (storage/dialogs.py); PTB's persistence tables, flushed only every few seconds, go.
# Dialogs open at the upgrade are lost: their next answer is met as out of place.
V_DIALOGS = """
CREATE TABLE dialogs (
    name TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    state INTEGER NOT NULL,
    data_json TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (name, user_id)
);
DROP TABLE ptb_conversations;
DROP TABLE ptb_user_data
"""

# A file sent is indexed when it is marked sent (not only when its text is pruned), with
# the Telegram file_id, so a later message can point to it or send it again by id. One
# index finds a file's deliveries, then those to a chat or to an officer among them.
V_DELIVERED_FILE_ID = """
ALTER TABLE delivered_files ADD COLUMN file_id TEXT;
DROP INDEX delivered_files_by_file;
CREATE INDEX delivered_files_by_file ON delivered_files (sha256, officer_key)
"""

# The indexes that find work to do (messages to send, reminders due) hold only the rows
# still waiting, not every row ever sent: at 1,000 cases they were 4 MB of the file.
V_PENDING_INDEXES = """
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed_at IS NULL;
DROP INDEX reminders_due;
CREATE INDEX reminders_due ON reminders (due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL
"""

V_INBOX = """
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    update_id INTEGER NOT NULL UNIQUE,
    body_json TEXT NOT NULL,
    received_at TEXT NOT NULL,
    replays INTEGER NOT NULL DEFAULT 0,
    done_at TEXT,
    gave_up INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbox_unfinished ON inbox (done_at) WHERE done_at IS NULL
"""

V_DRAFT_NUMBERS = """
ALTER TABLE files ADD COLUMN draft_number INTEGER;
UPDATE files SET draft_number = (
    SELECT COUNT(*) FROM files AS earlier
    WHERE earlier.case_id = files.case_id AND earlier.purpose = 'draft'
      AND earlier.number <= files.number
) WHERE purpose = 'draft'
"""

# Acting officials (Plh/Plt): each Surat Perintah as recorded, and when the bot handed the
# absent official's tasks over to the stand-in and back (storage/acting.py).
V_ACTING = """
CREATE TABLE acting_appointments (
    id INTEGER PRIMARY KEY,
    agency TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('plh', 'plt')),
    letter_number TEXT NOT NULL,
    letter_date TEXT NOT NULL,
    appointer TEXT NOT NULL,
    absent TEXT NOT NULL,
    stand_in TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    extended INTEGER NOT NULL DEFAULT 0,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    handed_over_at TEXT,
    handed_back_at TEXT
);
CREATE INDEX acting_by_dates ON acting_appointments (agency, end_date)
"""

# What a page of a query reads, and nothing else. A reply to a bot message finds the task
# it is about by (chat, message) instead of scanning the outbox (only the rows that belong
# to a task are indexed). The case choice of /riwayat and /berkas (running first, then the
# newest) walks one index in its order and stops at the page, reading no case row. The
# boards of running cases (/status, the digest) read what orders them from an index of the
# running cases alone, not every case row.
V_QUERY_INDEXES = """
CREATE INDEX outbox_by_message ON outbox (chat_id, message_id)
    WHERE case_id IS NOT NULL AND task_seq IS NOT NULL;
CREATE INDEX cases_choice ON cases (agency, status = 'open', id, code, status);
CREATE INDEX cases_running ON cases (agency, status, id, code, step_key, rounds_json)
    WHERE status = 'open'
"""

MIGRATIONS: tuple[str, ...] = (
    V1,
    V2,
    V3,
    V4,
    V5,
    V_OUTBOX_RETENTION,
    V_DIALOGS,
    V_DELIVERED_FILE_ID,
    V_PENDING_INDEXES,
    V_INBOX,
    V_DRAFT_NUMBERS,
    V_ACTING,
    V_QUERY_INDEXES,
)
