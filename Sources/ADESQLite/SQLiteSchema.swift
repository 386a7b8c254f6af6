import GRDB

/// The schema of the SQLite store, as versioned migrations: a database written by an older `ade` is brought up to
/// date when it opens, and never changed by hand.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE metadata (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    );
                    CREATE TABLE tokens (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        base_url TEXT NOT NULL,
                        created_at DOUBLE NOT NULL,
                        consumer_key TEXT,
                        access_token_expiry DOUBLE,
                        issued_at DOUBLE,
                        server_name TEXT,
                        server_uuid TEXT UNIQUE,
                        organisation_name TEXT,
                        admin_apple_id TEXT,
                        uploaded_at DOUBLE,
                        pending_since DOUBLE,
                        sync_interval_seconds INTEGER
                    );
                    CREATE TABLE token_secrets (
                        token_id INTEGER PRIMARY KEY NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        credentials BLOB,
                        pending_credentials BLOB,
                        current_key BLOB,
                        current_certificate TEXT,
                        staging_key BLOB,
                        staging_certificate TEXT
                    );
                    CREATE TABLE sync_cursors (
                        token_id INTEGER PRIMARY KEY NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        phase TEXT NOT NULL,
                        cursor TEXT,
                        fetch_generation INTEGER NOT NULL,
                        fetch_started_at DOUBLE,
                        last_full_fetch_at DOUBLE
                    );
                    CREATE TABLE devices (
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        serial TEXT NOT NULL,
                        model TEXT,
                        description TEXT,
                        color TEXT,
                        asset_tag TEXT,
                        device_family TEXT,
                        os TEXT,
                        profile_status TEXT,
                        profile_uuid TEXT,
                        profile_assign_time DOUBLE,
                        profile_push_time DOUBLE,
                        device_assigned_date DOUBLE,
                        device_assigned_by TEXT,
                        op_type TEXT,
                        op_date DOUBLE,
                        extra TEXT,
                        removed_at DOUBLE,
                        fetch_generation INTEGER NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        PRIMARY KEY (token_id, serial)
                    ) WITHOUT ROWID;
                    CREATE INDEX devices_by_presence ON devices (token_id, removed_at);
                    CREATE INDEX devices_by_generation ON devices (token_id, fetch_generation);
                    CREATE TABLE sync_runs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        started_at DOUBLE NOT NULL,
                        ended_at DOUBLE,
                        pages INTEGER NOT NULL DEFAULT 0,
                        added INTEGER NOT NULL DEFAULT 0,
                        modified INTEGER NOT NULL DEFAULT 0,
                        removed INTEGER NOT NULL DEFAULT 0,
                        outcome TEXT NOT NULL,
                        error_code TEXT
                    );
                    CREATE INDEX sync_runs_by_token ON sync_runs (token_id, id);
                    CREATE TABLE sync_leases (
                        token_id INTEGER PRIMARY KEY NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        holder TEXT NOT NULL,
                        host TEXT NOT NULL,
                        process_id INTEGER NOT NULL,
                        expires_at DOUBLE NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2") { db in
            // Apple sends devices in its own order, random by serial. Keyed by serial, every page's transaction
            // rewrote a page of the table for nearly every device; with a row id the rows are appended in arrival
            // order and only the small serial index is written at random. The two secondary indexes multiplied
            // the random writes; the one query that used them (the end of a full fetch) scans the token's devices
            // once per fetch.
            try db.execute(
                sql: """
                    CREATE TABLE devices_v2 (
                        id INTEGER PRIMARY KEY,
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        serial TEXT NOT NULL,
                        model TEXT,
                        description TEXT,
                        color TEXT,
                        asset_tag TEXT,
                        device_family TEXT,
                        os TEXT,
                        profile_status TEXT,
                        profile_uuid TEXT,
                        profile_assign_time DOUBLE,
                        profile_push_time DOUBLE,
                        device_assigned_date DOUBLE,
                        device_assigned_by TEXT,
                        op_type TEXT,
                        op_date DOUBLE,
                        extra TEXT,
                        removed_at DOUBLE,
                        fetch_generation INTEGER NOT NULL,
                        updated_at DOUBLE NOT NULL
                    );
                    INSERT INTO devices_v2 (token_id, serial, model, description, color, asset_tag, device_family,
                        os, profile_status, profile_uuid, profile_assign_time, profile_push_time,
                        device_assigned_date, device_assigned_by, op_type, op_date, extra, removed_at,
                        fetch_generation, updated_at)
                    SELECT token_id, serial, model, description, color, asset_tag, device_family, os,
                        profile_status, profile_uuid, profile_assign_time, profile_push_time, device_assigned_date,
                        device_assigned_by, op_type, op_date, extra, removed_at, fetch_generation, updated_at
                    FROM devices;
                    DROP TABLE devices;
                    ALTER TABLE devices_v2 RENAME TO devices;
                    CREATE UNIQUE INDEX devices_by_serial ON devices (token_id, serial);
                    """
            )
        }
        migrator.registerMigration("v3") { db in
            // Console users, their sessions (by the cookie's SHA-256) and API tokens (by the value's SHA-256).
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        password_hash TEXT NOT NULL,
                        created_at DOUBLE NOT NULL,
                        password_changed_at DOUBLE NOT NULL
                    );
                    CREATE TABLE sessions (
                        id_hash TEXT PRIMARY KEY NOT NULL,
                        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        csrf_token TEXT NOT NULL,
                        created_at DOUBLE NOT NULL,
                        expires_at DOUBLE NOT NULL
                    );
                    CREATE INDEX sessions_by_user ON sessions (user_id);
                    CREATE TABLE api_tokens (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        scope TEXT NOT NULL,
                        secret_hash TEXT NOT NULL UNIQUE,
                        created_at DOUBLE NOT NULL,
                        last_used_at DOUBLE
                    );
                    """
            )
        }
        migrator.registerMigration("v4") { db in
            // Device counts kept on write (the token list shows 2,000 tokens' counts without counting a million
            // rows), and the newest success or failure of a token found by one index seek.
            try db.execute(
                sql: """
                    ALTER TABLE tokens ADD COLUMN present_devices INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE tokens ADD COLUMN all_devices INTEGER NOT NULL DEFAULT 0;
                    UPDATE tokens SET
                        present_devices = (SELECT COUNT(*) FROM devices WHERE token_id = tokens.id AND removed_at IS NULL),
                        all_devices = (SELECT COUNT(*) FROM devices WHERE token_id = tokens.id);
                    CREATE INDEX sync_runs_by_outcome ON sync_runs (token_id, outcome, id);
                    """
            )
        }
        migrator.registerMigration("v5") { db in
            // Enrollment profiles (Apple's fields as JSON, the UUID of the latest definition), the token's default
            // profiles (family '' for every device), and each device's latest assignment outcome, which keeps
            // pending work and cooldowns across restarts.
            try db.execute(
                sql: """
                    CREATE TABLE profiles (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        name TEXT NOT NULL COLLATE NOCASE,
                        body TEXT NOT NULL,
                        profile_uuid TEXT,
                        version INTEGER NOT NULL DEFAULT 0,
                        defined_at DOUBLE,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        UNIQUE (token_id, name)
                    );
                    CREATE TABLE default_profiles (
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        family TEXT NOT NULL,
                        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
                        PRIMARY KEY (token_id, family)
                    );
                    CREATE INDEX default_profiles_by_profile ON default_profiles (profile_id);
                    CREATE TABLE device_assignments (
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        serial TEXT NOT NULL,
                        status TEXT NOT NULL,
                        profile_uuid TEXT,
                        failures INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at DOUBLE,
                        last_result TEXT,
                        updated_at DOUBLE NOT NULL,
                        PRIMARY KEY (token_id, serial)
                    ) WITHOUT ROWID;
                    CREATE INDEX device_assignments_by_status ON device_assignments (token_id, status, serial);
                    """
            )
        }
        migrator.registerMigration("v6") { db in
            // The event outbox: written in the same transaction as its cause, read in order by the delivery
            // service. Events outlive their token (no foreign key) until delivered and pruned.
            try db.execute(
                sql: """
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        token_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        body TEXT NOT NULL,
                        created_at DOUBLE NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v7") { db in
            // Webhook endpoints (URL and secret sealed) with where each stands in the outbox, and the delivery log.
            try db.execute(
                sql: """
                    CREATE TABLE webhooks (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        sealed_url BLOB NOT NULL,
                        sealed_secret BLOB NOT NULL,
                        masked_url TEXT NOT NULL,
                        allows_private_network INTEGER NOT NULL DEFAULT 0,
                        last_event_id INTEGER NOT NULL,
                        failures INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at DOUBLE,
                        created_at DOUBLE NOT NULL
                    );
                    CREATE TABLE webhook_deliveries (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                        event_id INTEGER NOT NULL,
                        attempt INTEGER NOT NULL,
                        status_code INTEGER,
                        error TEXT,
                        duration_ms INTEGER NOT NULL,
                        at DOUBLE NOT NULL
                    );
                    CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id);
                    """
            )
        }
        migrator.registerMigration("v8") { db in
            // Assignment records keyed by their device's row id instead of (token, serial): a sync records up to a
            // thousand outcomes per call, for the devices its last page just added; their row ids are consecutive,
            // so the records append at the table's end, where the serial key wrote each one on a page of its own
            // (a 100,000-device sync wrote 100 commits of ~2,000 random pages). A record now needs its device.
            try db.execute(
                sql: """
                    CREATE TABLE device_assignments_v8 (
                        device_id INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        status TEXT NOT NULL,
                        profile_uuid TEXT,
                        failures INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at DOUBLE,
                        last_result TEXT,
                        updated_at DOUBLE NOT NULL
                    );
                    INSERT INTO device_assignments_v8 (device_id, token_id, status, profile_uuid, failures,
                        next_attempt_at, last_result, updated_at)
                    SELECT d.id, a.token_id, a.status, a.profile_uuid, a.failures, a.next_attempt_at, a.last_result,
                        a.updated_at
                    FROM device_assignments a JOIN devices d ON d.token_id = a.token_id AND d.serial = a.serial
                    ORDER BY d.id;
                    DROP TABLE device_assignments;
                    ALTER TABLE device_assignments_v8 RENAME TO device_assignments;
                    CREATE INDEX device_assignments_by_status ON device_assignments (token_id, status, device_id);
                    """
            )
        }
        migrator.registerMigration("v9") { db in
            // The state each token's latest run recorded, and since when: a run that changes it writes the new one
            // with a `token.state_changed` event.
            try db.execute(
                sql: """
                    ALTER TABLE tokens ADD COLUMN state TEXT;
                    ALTER TABLE tokens ADD COLUMN state_since DOUBLE;
                    """
            )
        }
        migrator.registerMigration("v10") { db in
            // Each token's history of states, written with the run that changed it.
            try db.execute(
                sql: """
                    CREATE TABLE token_transitions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        from_state TEXT,
                        to_state TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        error_code TEXT,
                        at DOUBLE NOT NULL
                    );
                    CREATE INDEX token_transitions_by_token ON token_transitions (token_id, id);
                    """
            )
        }
        migrator.registerMigration("v11") { db in
            // Token health (issue 7): a run's error details (a clock skew's seconds), a cursor recovery's start, the
            // expiry reminders sent (one per token, expiry date and step of the ladder), and alert channels, which
            // are webhooks of a kind (`webhook`, `slack`, `teams`, `email`) that receive alerts in a language.
            try db.execute(
                sql: """
                    ALTER TABLE sync_runs ADD COLUMN error_detail TEXT;
                    ALTER TABLE sync_cursors ADD COLUMN recovery_since DOUBLE;
                    CREATE TABLE expiry_reminders (
                        token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        expires_at DOUBLE NOT NULL,
                        step INTEGER NOT NULL,
                        sent_at DOUBLE NOT NULL,
                        PRIMARY KEY (token_id, expires_at, step)
                    );
                    ALTER TABLE webhooks ADD COLUMN channel TEXT;
                    ALTER TABLE webhooks ADD COLUMN locale TEXT;
                    """
            )
        }
        migrator.registerMigration("v12") { db in
            // The audit log: append-only, which the triggers enforce against any writer.
            try db.execute(
                sql: """
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at DOUBLE NOT NULL,
                        actor TEXT NOT NULL,
                        source TEXT NOT NULL,
                        action TEXT NOT NULL,
                        target TEXT NOT NULL,
                        before_values TEXT,
                        after_values TEXT
                    );
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    """
            )
        }
        migrator.registerMigration("v13") { db in
            try db.execute(
                sql: """
                    ALTER TABLE webhooks ADD COLUMN claimed_by TEXT;
                    ALTER TABLE webhooks ADD COLUMN claimed_until DOUBLE;
                    """
            )
        }
        migrator.registerMigration("v14") { db in
            // "Sync now" kept in the database, and the nodes with their heartbeats (`ade nodes`).
            try db.execute(
                sql: """
                    CREATE TABLE sync_requests (
                        token_id INTEGER PRIMARY KEY NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                        requested_at DOUBLE NOT NULL
                    );
                    CREATE TABLE nodes (
                        id TEXT PRIMARY KEY NOT NULL,
                        address TEXT,
                        version TEXT NOT NULL,
                        started_at DOUBLE NOT NULL,
                        seen_at DOUBLE NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v15") { db in
            // Failed sign-ins and uploads, and the first administrator's setup links, counted and kept for every
            // node (keys and tokens as digests only).
            try db.execute(
                sql: """
                    CREATE TABLE attempts (kind TEXT NOT NULL, key TEXT NOT NULL, at DOUBLE NOT NULL);
                    CREATE INDEX attempts_by_key ON attempts (kind, key, at);
                    CREATE INDEX attempts_by_time ON attempts (at);
                    CREATE TABLE setup_links (digest TEXT PRIMARY KEY NOT NULL, opened_at DOUBLE NOT NULL);
                    """
            )
        }
        return migrator
    }
}
