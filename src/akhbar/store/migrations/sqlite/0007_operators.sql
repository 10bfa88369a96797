-- The operator console (/admin): operators, their sessions, login lockouts, and outlets
-- an operator added or edited there.
CREATE TABLE operators (
    name             TEXT PRIMARY KEY,
    password_hash    TEXT NOT NULL,     -- argon2id, as argon2-cffi encodes it
    created          TEXT NOT NULL,
    password_changed TEXT NOT NULL,
    last_login       TEXT
);

-- One row per logged-in browser. Only the SHA-256 of the cookie's random token is kept:
-- a copy of the database does not let anyone log in.
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,       -- hex SHA-256 of the cookie value
    operator   TEXT NOT NULL REFERENCES operators(name) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,          -- the token every form of this session must carry
    created    TEXT NOT NULL,
    expires    TEXT NOT NULL,
    last_seen  TEXT NOT NULL
);
CREATE INDEX admin_sessions_operator ON admin_sessions(operator);
CREATE INDEX admin_sessions_expires ON admin_sessions(expires);

-- Failed logins by key: 'name:<keyed hash of the name typed>' or 'network:<keyed hash of
-- the /24 or /64>'.
CREATE TABLE admin_login_failures (
    id      INTEGER PRIMARY KEY,
    key     TEXT NOT NULL,
    -- One login attempt writes one row per key before its password is checked (so
    -- simultaneous guesses cannot outrun the count); a success deletes them.
    attempt TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX admin_login_failures_attempt ON admin_login_failures(attempt);
CREATE INDEX admin_login_failures_key ON admin_login_failures(key, at);
CREATE INDEX admin_login_failures_at ON admin_login_failures(at);

-- A key refused until a time, whatever the password.
CREATE TABLE admin_lockouts (
    key   TEXT PRIMARY KEY,
    since TEXT NOT NULL,
    locked_until TEXT NOT NULL
);

-- Outlets added or edited in the console: in the database, not a file, so every worker
-- sees them; they win over the registry's table with the same id (akhbar.pipeline).
CREATE TABLE operator_sources (
    id       TEXT PRIMARY KEY,
    config   TEXT NOT NULL,            -- JSON of the whole Source (store._sql.source_config)
    updated  TEXT NOT NULL,
    operator TEXT NOT NULL
);
