-- A store file as schema version 2 writes it (issue 14: sessions' linked
-- distinct ids), with the data of schema-v1.sql. SqliteStore must keep reading
-- this; a schema change needs a new version and a migration, not an edit here.
PRAGMA application_id = 1347571521; -- 0x50524F41, "PROA"
PRAGMA user_version = 2;

CREATE TABLE conversations (
    product_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    state TEXT NOT NULL,
    entered_at INTEGER NOT NULL,
    last_event_at INTEGER NOT NULL,
    dismissals INTEGER NOT NULL,
    cooldown_until INTEGER NOT NULL,
    silenced INTEGER NOT NULL,
    active_trigger_id TEXT NOT NULL,
    interaction_timeout_ms INTEGER NOT NULL,
    PRIMARY KEY (product_id, conversation_id)
) WITHOUT ROWID;
CREATE TABLE transitions (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    cause TEXT NOT NULL
);
CREATE INDEX transitions_by_conversation ON transitions (product_id, conversation_id);
CREATE TABLE firings (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX firings_by_product ON firings (product_id, at);
CREATE TABLE last_firings (
    product_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (product_id, conversation_id, trigger_id)
) WITHOUT ROWID;
CREATE TABLE last_offers (
    product_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (product_id, session_id)
) WITHOUT ROWID;
CREATE TABLE circuits (
    product_id TEXT NOT NULL PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL,
    open_until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE sessions (
    product_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    email TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    action_count INTEGER NOT NULL,
    previous_session_id TEXT NOT NULL,
    PRIMARY KEY (product_id, session_id)
) WITHOUT ROWID;
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    ts_start INTEGER NOT NULL,
    action_index INTEGER NOT NULL,
    type TEXT NOT NULL,
    event TEXT NOT NULL,
    uuid TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    raw_url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    action_session_id TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    email TEXT NOT NULL,
    element TEXT,
    elements_chain TEXT NOT NULL,
    properties TEXT
);
CREATE INDEX actions_by_session ON actions (product_id, session_id, ts_start);

INSERT INTO conversations VALUES ('demo', 'proactive:s1', 'conservative_assistance', 1700000001000, 1700000002000,
    2, 1700000901000, 0, '', 0);
INSERT INTO conversations VALUES ('demo', 'proactive:s2', 'proactive_assistance', 1700000003000, 1700000003000,
    0, 0, 0, 'stuck-on-projects', 45000);
INSERT INTO transitions (product_id, conversation_id, at, event, from_state, to_state, cause) VALUES
    ('demo', 'proactive:s1', 1700000000000, 'fired', 'thinking', 'proactive_assistance', 'trigger:stuck-on-projects'),
    ('demo', 'proactive:s1', 1700000001000, 'proactive_dismissed', 'proactive_assistance', 'conservative_assistance',
        'agent_state');
INSERT INTO firings (product_id, session_id, conversation_id, distinct_id, trigger_id, canonical_url, at) VALUES
    ('demo', 's1', 'proactive:s1', 'user-1', 'stuck-on-projects', '/projects/:id', 1700000000000),
    ('demo', 's2', 'proactive:s2', 'user-1', 'stuck-on-projects', '/projects', 1700000003000);
INSERT INTO last_firings VALUES ('demo', 'proactive:s1', 'stuck-on-projects', 1700000000000),
    ('demo', 'proactive:s2', 'stuck-on-projects', 1700000003000),
    ('demo', 'proactive:s0', 'welcome', 1600000000000);
INSERT INTO last_offers VALUES ('demo', 's1', 1700000000000), ('demo', 's2', 1700000003000);
INSERT INTO circuits VALUES ('demo', 2, 0);
INSERT INTO sessions VALUES ('demo', 's1', 'user-1', 'ana@example.com', 1699999990000, 1700000002000, 2, ''),
    ('demo', 's2', 'user-1', 'ana@example.com', 1700000002500, 1700000003000, 0, 's1');
INSERT INTO actions (product_id, session_id, ts_start, action_index, type, event, uuid, title, description, raw_url,
    canonical_url, action_session_id, distinct_id, email, element, elements_chain, properties) VALUES
    ('demo', 's1', 1699999990000, 0, 'pageview', '$pageview', 'uuid-0', 'Viewed page', 'Viewed /projects/42',
        'https://app.example.com/projects/42?tab=a', 'https://app.example.com/projects/:id', 's1', 'user-1',
        'ana@example.com', NULL, '', NULL),
    ('demo', 's1', 1699999995000, 1, 'click', '$autocapture', 'uuid-1', 'Clicked button',
        'Clicked button ''Add Project'' on /projects/:id', 'https://app.example.com/projects/42',
        'https://app.example.com/projects/:id', 's1', 'user-1', 'ana@example.com',
        '{"tag":"button","text":"Add Project","id":"add","attrs":[["data-tour-id","add-project"]],"classes":["btn","primary"],"nth_child":2,"nth_of_type":1,"selector":"[data-tour-id=\"add-project\"]"}',
        'button.btn.primary:attr__data-tour-id="add-project"attr__id="add"nth-child="2"nth-of-type="1"text="Add Project"',
        '[["plan","pro"],["seats","3"]]');

-- What version 2 added.
ALTER TABLE sessions ADD COLUMN linked_distinct_id TEXT NOT NULL DEFAULT '';
UPDATE sessions SET linked_distinct_id = 'anon-1' WHERE session_id = 's2';
