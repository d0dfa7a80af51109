"""The schemas of the history database as they were shipped, frozen, so that tests build real old files.

Never edit these: a new schema is a new constant, a new version and a migration step.
"""

# Schema 1: runs without the ledger (no reservation, checkpoint, estimate or cost components),
# no rollup, no price audit, budgets without time zone or caps.
SCHEMA_1_SQL = """
CREATE TABLE run (
    id VARCHAR NOT NULL PRIMARY KEY,
    created_at DATETIME NOT NULL,
    finished_at DATETIME,
    user VARCHAR,
    provider VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    prompt_name VARCHAR,
    prompt_id VARCHAR,
    tags VARCHAR,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cost_nanos INTEGER,
    duration_ms INTEGER,
    status VARCHAR NOT NULL,
    usage_estimated BOOLEAN NOT NULL,
    error VARCHAR,
    prompt_text VARCHAR,
    response_text VARCHAR
);
CREATE INDEX ix_run_created_at ON run (created_at);
CREATE TABLE budget (
    id INTEGER NOT NULL PRIMARY KEY,
    daily_limit_nanos INTEGER,
    weekly_limit_nanos INTEGER,
    monthly_limit_nanos INTEGER,
    thresholds VARCHAR NOT NULL,
    mode VARCHAR NOT NULL,
    max_tokens_per_prompt INTEGER
);
CREATE TABLE alert (
    id INTEGER NOT NULL PRIMARY KEY,
    period_kind VARCHAR NOT NULL,
    period_start DATETIME NOT NULL,
    threshold INTEGER NOT NULL,
    level VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    created_at DATETIME NOT NULL,
    acknowledged_at DATETIME
);
CREATE UNIQUE INDEX ux_alert_period_threshold ON alert (period_kind, period_start, threshold);
CREATE TABLE saved_prompt (
    name VARCHAR NOT NULL PRIMARY KEY,
    path VARCHAR NOT NULL,
    updated_at DATETIME NOT NULL
);
PRAGMA user_version = 1;
"""

# Schema 2 as last shipped: the ledger, the daily rollup and per-day totals. (Files written by its
# first build lack `daily_total` and have narrower run indexes; migration 3 repairs both.)
SCHEMA_2_SQL = """
CREATE TABLE run (
    id VARCHAR NOT NULL, created_at DATETIME NOT NULL, started_at DATETIME, finished_at DATETIME,
    user VARCHAR, session_id VARCHAR, provider VARCHAR NOT NULL, model VARCHAR NOT NULL,
    price_version VARCHAR, prompt_name VARCHAR, prompt_id VARCHAR, tags VARCHAR, max_tokens INTEGER,
    input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL, usage_estimated BOOLEAN NOT NULL, estimate_input_tokens INTEGER,
    estimate_output_tokens INTEGER, expected_cost_nanos INTEGER, worst_cost_nanos INTEGER,
    reserved_nanos INTEGER NOT NULL, input_cost_nanos INTEGER, output_cost_nanos INTEGER,
    cached_input_cost_nanos INTEGER, cache_write_cost_nanos INTEGER, cost_nanos INTEGER,
    provider_cost_nanos INTEGER, duration_ms INTEGER, status VARCHAR NOT NULL, error VARCHAR, pid INTEGER,
    pid_start VARCHAR, hostname VARCHAR, checkpoint_output_tokens INTEGER, checkpoint_at DATETIME,
    prompt_text VARCHAR, response_text VARCHAR, synced_at DATETIME, PRIMARY KEY (id)
);
CREATE INDEX ix_run_model_prompt_created ON run (model, prompt_name, created_at);
CREATE INDEX ix_run_model_created ON run (model, created_at);
CREATE INDEX ix_run_pending ON run (status) WHERE status = 'pending';
CREATE INDEX ix_run_created ON run (created_at, id, status, cost_nanos);
CREATE INDEX ix_run_session ON run (session_id) WHERE session_id IS NOT NULL;
CREATE TABLE budget (
    id INTEGER NOT NULL, daily_limit_nanos INTEGER, weekly_limit_nanos INTEGER, monthly_limit_nanos INTEGER,
    thresholds VARCHAR NOT NULL, mode VARCHAR NOT NULL, max_tokens_per_prompt INTEGER, timezone VARCHAR,
    max_cost_per_run_nanos INTEGER, max_cost_per_session_nanos INTEGER, updated_at DATETIME,
    PRIMARY KEY (id)
);
CREATE TABLE alert (
    id INTEGER NOT NULL, period_kind VARCHAR NOT NULL, period_start DATETIME NOT NULL,
    threshold INTEGER NOT NULL, level VARCHAR NOT NULL, message VARCHAR NOT NULL,
    spent_nanos INTEGER NOT NULL, limit_nanos INTEGER NOT NULL, created_at DATETIME NOT NULL,
    acknowledged_at DATETIME, PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ux_alert_period_threshold ON alert (period_kind, period_start, threshold);
CREATE TABLE saved_prompt (
    name VARCHAR NOT NULL, path VARCHAR NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (name)
);
CREATE TABLE daily_rollup (
    id INTEGER NOT NULL, day VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL,
    prompt_name VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL,
    unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, PRIMARY KEY (id),
    CONSTRAINT ux_rollup_key UNIQUE (day, provider, model, prompt_name)
);
CREATE TABLE daily_total (
    day VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL,
    unpriced_runs INTEGER NOT NULL, PRIMARY KEY (day)
);
CREATE TABLE price_audit (
    id INTEGER NOT NULL, created_at DATETIME NOT NULL, user VARCHAR, runs_changed INTEGER NOT NULL,
    old_total_nanos INTEGER NOT NULL, new_total_nanos INTEGER NOT NULL, detail VARCHAR NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE meta (
    "key" VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY ("key")
);
PRAGMA user_version = 2;
"""

# Schema 3 as shipped: per-day totals by model and by prompt beside the detailed rollup.
SCHEMA_3_SQL = """
CREATE TABLE run (
    id VARCHAR NOT NULL, created_at DATETIME NOT NULL, started_at DATETIME, finished_at DATETIME,
    user VARCHAR, session_id VARCHAR, provider VARCHAR NOT NULL, model VARCHAR NOT NULL,
    price_version VARCHAR, prompt_name VARCHAR, prompt_id VARCHAR, tags VARCHAR, max_tokens INTEGER,
    input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL, usage_estimated BOOLEAN NOT NULL, estimate_input_tokens INTEGER,
    estimate_output_tokens INTEGER, expected_cost_nanos INTEGER, worst_cost_nanos INTEGER,
    reserved_nanos INTEGER NOT NULL, input_cost_nanos INTEGER, output_cost_nanos INTEGER,
    cached_input_cost_nanos INTEGER, cache_write_cost_nanos INTEGER, cost_nanos INTEGER,
    provider_cost_nanos INTEGER, duration_ms INTEGER, status VARCHAR NOT NULL, error VARCHAR, pid INTEGER,
    pid_start VARCHAR, hostname VARCHAR, checkpoint_output_tokens INTEGER, checkpoint_at DATETIME,
    prompt_text VARCHAR, response_text VARCHAR, synced_at DATETIME, PRIMARY KEY (id)
);
CREATE INDEX ix_run_created ON run (created_at, id, status, cost_nanos);
CREATE INDEX ix_run_session ON run (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX ix_run_model_prompt_created ON run (model, prompt_name, created_at);
CREATE INDEX ix_run_model_created ON run (model, created_at);
CREATE INDEX ix_run_pending ON run (status) WHERE status = 'pending';
CREATE TABLE budget (
    id INTEGER NOT NULL, daily_limit_nanos INTEGER, weekly_limit_nanos INTEGER, monthly_limit_nanos INTEGER,
    thresholds VARCHAR NOT NULL, mode VARCHAR NOT NULL, max_tokens_per_prompt INTEGER, timezone VARCHAR,
    max_cost_per_run_nanos INTEGER, max_cost_per_session_nanos INTEGER, updated_at DATETIME,
    PRIMARY KEY (id)
);
CREATE TABLE alert (
    id INTEGER NOT NULL, period_kind VARCHAR NOT NULL, period_start DATETIME NOT NULL,
    threshold INTEGER NOT NULL, level VARCHAR NOT NULL, message VARCHAR NOT NULL,
    spent_nanos INTEGER NOT NULL, limit_nanos INTEGER NOT NULL, created_at DATETIME NOT NULL,
    acknowledged_at DATETIME, PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ux_alert_period_threshold ON alert (period_kind, period_start, threshold);
CREATE TABLE saved_prompt (
    name VARCHAR NOT NULL, path VARCHAR NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (name)
);
CREATE TABLE daily_rollup (
    id INTEGER NOT NULL, day VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL,
    prompt_name VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL,
    unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, PRIMARY KEY (id),
    CONSTRAINT ux_rollup_key UNIQUE (day, provider, model, prompt_name)
);
CREATE TABLE daily_total (
    day VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL,
    unpriced_runs INTEGER NOT NULL, PRIMARY KEY (day)
);
CREATE TABLE daily_model (
    day VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL, runs INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL,
    unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, PRIMARY KEY (day, provider, model)
) WITHOUT ROWID;
CREATE TABLE daily_prompt (
    day VARCHAR NOT NULL, prompt_name VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL,
    error_runs INTEGER NOT NULL, PRIMARY KEY (day, prompt_name)
) WITHOUT ROWID;
CREATE TABLE price_audit (
    id INTEGER NOT NULL, created_at DATETIME NOT NULL, user VARCHAR, runs_changed INTEGER NOT NULL,
    old_total_nanos INTEGER NOT NULL, new_total_nanos INTEGER NOT NULL, detail VARCHAR NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE meta (
    "key" VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY ("key")
);
PRAGMA user_version = 3;
"""

# Schema 4 as shipped: where a run came from (`run.source`) and the per-day rollups by tag, source, local hour
# and input fingerprint.
SCHEMA_4_SQL = """
CREATE TABLE run (id VARCHAR NOT NULL, created_at DATETIME NOT NULL, started_at DATETIME, finished_at DATETIME, user VARCHAR, session_id VARCHAR, provider VARCHAR NOT NULL, model VARCHAR NOT NULL, price_version VARCHAR, prompt_name VARCHAR, prompt_id VARCHAR, tags VARCHAR, source VARCHAR, max_tokens INTEGER, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, cache_write_1h_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, usage_estimated BOOLEAN NOT NULL, estimate_input_tokens INTEGER, estimate_output_tokens INTEGER, expected_cost_nanos INTEGER, worst_cost_nanos INTEGER, reserved_nanos INTEGER NOT NULL, input_cost_nanos INTEGER, output_cost_nanos INTEGER, cached_input_cost_nanos INTEGER, cache_write_cost_nanos INTEGER, cost_nanos INTEGER, provider_cost_nanos INTEGER, duration_ms INTEGER, status VARCHAR NOT NULL, error VARCHAR, pid INTEGER, pid_start VARCHAR, hostname VARCHAR, checkpoint_output_tokens INTEGER, checkpoint_at DATETIME, prompt_text VARCHAR, response_text VARCHAR, synced_at DATETIME, PRIMARY KEY (id));
CREATE INDEX ix_run_session ON run (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX ix_run_model_prompt_created ON run (model, prompt_name, created_at);
CREATE INDEX ix_run_model_created ON run (model, created_at);
CREATE INDEX ix_run_created ON run (created_at, id, status, cost_nanos);
CREATE INDEX ix_run_pending ON run (status) WHERE status = 'pending';
CREATE TABLE budget (id INTEGER NOT NULL, daily_limit_nanos INTEGER, weekly_limit_nanos INTEGER, monthly_limit_nanos INTEGER, thresholds VARCHAR NOT NULL, mode VARCHAR NOT NULL, max_tokens_per_prompt INTEGER, timezone VARCHAR, max_cost_per_run_nanos INTEGER, max_cost_per_session_nanos INTEGER, updated_at DATETIME, PRIMARY KEY (id));
CREATE TABLE alert (id INTEGER NOT NULL, period_kind VARCHAR NOT NULL, period_start DATETIME NOT NULL, threshold INTEGER NOT NULL, level VARCHAR NOT NULL, message VARCHAR NOT NULL, spent_nanos INTEGER NOT NULL, limit_nanos INTEGER NOT NULL, created_at DATETIME NOT NULL, acknowledged_at DATETIME, PRIMARY KEY (id));
CREATE UNIQUE INDEX ux_alert_period_threshold ON alert (period_kind, period_start, threshold);
CREATE TABLE saved_prompt (name VARCHAR NOT NULL, path VARCHAR NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (name));
CREATE TABLE daily_rollup (id INTEGER NOT NULL, day VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL, prompt_name VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, PRIMARY KEY (id), CONSTRAINT ux_rollup_key UNIQUE (day, provider, model, prompt_name));
CREATE TABLE daily_total (day VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL, PRIMARY KEY (day));
CREATE TABLE daily_model (day VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, PRIMARY KEY (day, provider, model)) WITHOUT ROWID ;
CREATE TABLE daily_prompt (day VARCHAR NOT NULL, prompt_name VARCHAR NOT NULL, runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, PRIMARY KEY (day, prompt_name)) WITHOUT ROWID ;
CREATE TABLE price_audit (id INTEGER NOT NULL, created_at DATETIME NOT NULL, user VARCHAR, runs_changed INTEGER NOT NULL, old_total_nanos INTEGER NOT NULL, new_total_nanos INTEGER NOT NULL, detail VARCHAR NOT NULL, PRIMARY KEY (id));
CREATE TABLE meta ("key" VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY ("key"));
CREATE TABLE daily_tag (runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, day VARCHAR NOT NULL, tag VARCHAR NOT NULL, PRIMARY KEY (day, tag)) WITHOUT ROWID ;
CREATE TABLE daily_source (runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, day VARCHAR NOT NULL, source VARCHAR NOT NULL, PRIMARY KEY (day, source)) WITHOUT ROWID ;
CREATE TABLE daily_hour (runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, day VARCHAR NOT NULL, hour INTEGER NOT NULL, PRIMARY KEY (day, hour)) WITHOUT ROWID ;
CREATE TABLE daily_input (runs INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_nanos INTEGER NOT NULL, unpriced_runs INTEGER NOT NULL, error_runs INTEGER NOT NULL, day VARCHAR NOT NULL, provider VARCHAR NOT NULL, model VARCHAR NOT NULL, prompt_id VARCHAR NOT NULL, prompt_name VARCHAR NOT NULL, PRIMARY KEY (day, provider, model, prompt_id)) WITHOUT ROWID ;
PRAGMA user_version = 4;
"""
