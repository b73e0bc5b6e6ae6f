-- A database as antre-hub wrote it at schema version 1 (frozen: never edit).
-- The upgrade test builds a file from this and opens it with the current code.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per ticket. `id` is the order of issue; times are ms since the Unix epoch.
CREATE TABLE tickets (
    id            INTEGER PRIMARY KEY,
    day           TEXT    NOT NULL,   -- service day, YYYY-MM-DD in the hall's time zone
    prefix        TEXT    NOT NULL,
    number        INTEGER NOT NULL,
    service       TEXT    NOT NULL,   -- the service it waits for or was served in
    first_service TEXT    NOT NULL,   -- the service it was issued for (quota, reports)
    priority      TEXT,
    status        TEXT    NOT NULL,
    issued_ms     INTEGER NOT NULL,
    called_ms     INTEGER,
    serving_ms    INTEGER,
    closed_ms     INTEGER,
    counter       TEXT,
    officer       TEXT,
    recalls       INTEGER NOT NULL DEFAULT 0,
    device        TEXT    NOT NULL,   -- the device that issued it
    UNIQUE (day, prefix, number)
);
CREATE INDEX tickets_by_status ON tickets (day, status, service);
CREATE INDEX tickets_by_device ON tickets (device, issued_ms);

-- Each counter's state; a row of an earlier day means the counter is closed today.
CREATE TABLE counters (
    id      TEXT PRIMARY KEY,
    day     TEXT    NOT NULL,
    open    INTEGER NOT NULL,
    officer TEXT,
    current INTEGER REFERENCES tickets (id),
    streak  INTEGER NOT NULL DEFAULT 0  -- priority calls in a row that passed over a normal ticket
) WITHOUT ROWID;

-- Every change, in order; `body` is the event as sent on the wire.
CREATE TABLE events (
    seq   INTEGER PRIMARY KEY,
    day   TEXT    NOT NULL,
    at_ms INTEGER NOT NULL,
    body  TEXT    NOT NULL
);

-- The first reply to every request id, per device and day: a retry gets it again.
CREATE TABLE requests (
    device TEXT NOT NULL,
    day    TEXT NOT NULL,
    id     TEXT NOT NULL,
    reply  TEXT NOT NULL,
    PRIMARY KEY (device, day, id)
) WITHOUT ROWID;

CREATE TABLE transfers (
    ticket       INTEGER NOT NULL REFERENCES tickets (id),
    at_ms        INTEGER NOT NULL,
    from_service TEXT    NOT NULL,
    to_service   TEXT    NOT NULL,
    counter      TEXT    NOT NULL,
    officer      TEXT
);

INSERT INTO meta (key, value) VALUES ('day', '2026-11-27');
INSERT INTO tickets (id, day, prefix, number, service, first_service, priority, status, issued_ms, called_ms, serving_ms, closed_ms, counter, officer, recalls, device)
VALUES (1, '2026-11-27', 'A', 1, 'ktp', 'ktp', NULL, 'done', 1795746600000, 1795746700000, 1795746710000, 1795747000000, '1', 'Sri', 0, 'kiosk-1'),
       (2, '2026-11-27', 'A', 2, 'kk', 'kk', 'lansia', 'waiting', 1795746800000, NULL, NULL, NULL, NULL, NULL, 0, 'kiosk-1');
INSERT INTO counters (id, day, open, officer, current, streak) VALUES ('1', '2026-11-27', 1, 'Sri', NULL, 0);
INSERT INTO events (seq, day, at_ms, body) VALUES
 (1, '2026-11-27', 1795746600000, '{"seq":1,"at":"2026-11-27T07:30:00.000+07:00","kind":"day_started","day":"2026-11-27"}');
INSERT INTO requests (device, day, id, reply) VALUES ('kiosk-1', '2026-11-27', 'tap-1', '{"type":"ok","id":"tap-1"}');
PRAGMA user_version = 1;
