import TesseraStore

/// The schema of the SQLite backend as numbered migrations, applied in order at open.
///
/// `PostgresSchema` carries the same tables; a migration is never edited once released, only appended.
enum SQLiteSchema {
    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            """
            CREATE TABLE servers (
                name TEXT PRIMARY KEY, audiences TEXT NOT NULL, access_token_ttl INTEGER NOT NULL,
                claims TEXT NOT NULL, token_format TEXT NOT NULL, created_at REAL NOT NULL)
            """,
            """
            CREATE TABLE scopes (
                server TEXT NOT NULL, name TEXT NOT NULL, description TEXT, PRIMARY KEY (server, name))
            """,
            """
            CREATE TABLE clients (
                id TEXT PRIMARY KEY, server TEXT NOT NULL, name TEXT NOT NULL, auth_method TEXT NOT NULL,
                secret_hash BLOB, encrypted_secret BLOB, jwks TEXT, jwks_uri TEXT, scopes TEXT NOT NULL,
                claims TEXT NOT NULL, enabled INTEGER NOT NULL, created_at REAL NOT NULL)
            """,
            "CREATE INDEX clients_by_server ON clients (server, created_at)",
            """
            CREATE TABLE signing_keys (
                kid TEXT PRIMARY KEY, server TEXT NOT NULL, algorithm TEXT NOT NULL,
                encrypted_private_key BLOB NOT NULL, public_jwk TEXT NOT NULL, active INTEGER NOT NULL,
                created_at REAL NOT NULL)
            """,
            "CREATE INDEX signing_keys_by_server ON signing_keys (server, created_at)",
            """
            CREATE TABLE assertion_replays (
                client_id TEXT NOT NULL, jti TEXT NOT NULL, expires_at REAL NOT NULL, PRIMARY KEY (client_id, jti))
            """,
            "CREATE INDEX assertion_replays_by_expiry ON assertion_replays (expires_at)",
        ]),
        (2, [
            "ALTER TABLE clients ADD COLUMN introspects TEXT NOT NULL DEFAULT '[]'",
            """
            CREATE TABLE tokens (
                hash BLOB PRIMARY KEY, kind TEXT NOT NULL, server TEXT NOT NULL, client_id TEXT NOT NULL,
                subject TEXT NOT NULL, username TEXT, scopes TEXT NOT NULL, audiences TEXT NOT NULL, claims TEXT NOT NULL,
                jti TEXT NOT NULL, issued_at REAL NOT NULL, not_before REAL NOT NULL, expires_at REAL NOT NULL,
                revoked INTEGER NOT NULL, parent_hash BLOB)
            """,
            "CREATE INDEX tokens_by_parent ON tokens (parent_hash) WHERE parent_hash IS NOT NULL",
            "CREATE INDEX tokens_by_expiry ON tokens (expires_at)",
            """
            CREATE TABLE token_jwt_links (
                parent_hash BLOB NOT NULL, server TEXT NOT NULL, jti TEXT NOT NULL, expires_at REAL NOT NULL,
                PRIMARY KEY (parent_hash, jti))
            """,
            """
            CREATE TABLE jti_deny_list (
                server TEXT NOT NULL, jti TEXT NOT NULL, expires_at REAL NOT NULL, PRIMARY KEY (server, jti))
            """,
        ]),
        (3, [
            """
            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, request_id TEXT NOT NULL, server TEXT,
                endpoint TEXT NOT NULL, client_id TEXT, outcome TEXT NOT NULL, reason TEXT, message TEXT NOT NULL,
                detail TEXT NOT NULL, remote_address TEXT, user_agent TEXT)
            """,
            "CREATE INDEX events_by_time ON events (time)",
            "CREATE INDEX events_by_request ON events (request_id)",
            "CREATE INDEX events_by_client ON events (client_id, id)",
        ]),
        (4, [
            // Claims are decided in memory (`ClaimedAssertions`); the table is their append-only log.
            "CREATE TABLE assertion_claims (client_id TEXT NOT NULL, jti TEXT NOT NULL, expires_at REAL NOT NULL)",
            "CREATE INDEX assertion_claims_by_expiry ON assertion_claims (expires_at)",
            "INSERT INTO assertion_claims (client_id, jti, expires_at) SELECT client_id, jti, expires_at FROM assertion_replays",
            "DROP TABLE assertion_replays",
        ]),
        (5, [
            // Rate limits as written (`50/s`); NULL: the server's, else the deployment's.
            "ALTER TABLE servers ADD COLUMN rate_limit TEXT",
            "ALTER TABLE clients ADD COLUMN rate_limit TEXT",
        ]),
        (6, [
            // Seconds; NULL: the deployment's maximum assertion lifetime.
            "ALTER TABLE servers ADD COLUMN max_assertion_lifetime INTEGER",
        ]),
        (7, [
            // Several secrets per client (`ClientSecretEntry` as JSON); the one secret of each client so far
            // becomes its first entry. Last uses live in their own table, whose writes are no configuration change.
            "ALTER TABLE clients ADD COLUMN secrets TEXT NOT NULL DEFAULT '[]'",
            """
            UPDATE clients SET secrets = json_array(json_object(
                'id', 'sec_' || lower(hex(randomblob(6))), 'hash', lower(hex(secret_hash)), 'created', created_at,
                'encrypted', CASE WHEN encrypted_secret IS NULL THEN NULL ELSE lower(hex(encrypted_secret)) END))
            WHERE secret_hash IS NOT NULL
            """,
            "ALTER TABLE clients DROP COLUMN secret_hash",
            "ALTER TABLE clients DROP COLUMN encrypted_secret",
            "CREATE TABLE client_secret_uses (client_id TEXT NOT NULL, secret_id TEXT NOT NULL, last_used REAL NOT NULL, PRIMARY KEY (client_id, secret_id))",
        ]),
        (8, [
            // Key states by time: signing from activates_at, gone from retires_at (`KeyState`).
            "ALTER TABLE signing_keys ADD COLUMN activates_at REAL",
            "UPDATE signing_keys SET activates_at = created_at",
            "ALTER TABLE signing_keys ADD COLUMN retires_at REAL",
        ]),
        (9, [
            // The inline keys a `clients update --jwks-file` replaced, accepted until their expiry.
            "ALTER TABLE clients ADD COLUMN previous_jwks TEXT",
            "ALTER TABLE clients ADD COLUMN previous_jwks_expires REAL",
        ]),
        (10, [
            // Scheduled key rotation (`servers update --key-rotation`), in seconds; NULL: by hand only.
            "ALTER TABLE servers ADD COLUMN key_rotation INTEGER",
            // Which node does a deployment-wide job (the scheduled key rotation) until when: one at a time.
            "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at REAL NOT NULL)",
            // A value sealed under the master key: a node or command started with another key stops at once.
            "CREATE TABLE master_key_check (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL, changed_at REAL NOT NULL)",
        ]),
        (11, [
            // The change feed (`ConfigChange`): AUTOINCREMENT numbers entries in commit order (one writer at a
            // time) and never reuses a number, so the version survives purges (`sqlite_sequence`).
            "CREATE TABLE config_changes (version INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL)",
            "CREATE INDEX config_changes_by_time ON config_changes (at)",
        ] + feedTriggers),
        (12, SignInSchema.statements(real: "REAL", bool: "INTEGER", false: "0")),
        (13, [
            // A client's events by block of 1,024 ids first (`SQLiteStore.clientBlockBits`): keyed by client
            // first, each event dirtied a page of its own in an index spread over every client
            // (docs/performance-scale.md); by block, a commit's entries share the newest block's pages.
            "DROP INDEX events_by_client",
            "CREATE INDEX events_by_client_recent ON events ((id >> 10), client_id, id)",
        ]),
        (14, [
            // The purges' own columns (`purgeExpiredTokens`, every minute): without them each purge read the
            // whole table — a million denied JWT ids were a million rows read a minute under the write lock.
            "CREATE INDEX token_jwt_links_by_expiry ON token_jwt_links (expires_at)",
            "CREATE INDEX jti_deny_list_by_expiry ON jti_deny_list (expires_at)",
            "CREATE INDEX sign_in_failures_by_window ON sign_in_failures (window_start)",
        ]),
    ]

    /// One trigger per table and operation appends the feed entry in the writing transaction (SQLite has
    /// row triggers only): servers, scopes, clients and keys on every change; tokens when one is revoked;
    /// the deny list on every insert.
    static var feedTriggers: [String] {
        let now = "(julianday('now') - 2440587.5) * 86400.0"
        var statements: [String] = []
        for (table, kind, column) in [("servers", "server", "name"), ("scopes", "scopes", "server"), ("clients", "client", "id"), ("signing_keys", "keys", "server")] {
            for (operation, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                statements.append("""
                    CREATE TRIGGER \(table)_feed_\(operation.lowercased()) AFTER \(operation) ON \(table) BEGIN
                        INSERT INTO config_changes (kind, key, at) VALUES ('\(kind)', \(row).\(column), \(now));
                    END
                    """)
            }
        }
        statements.append("""
            CREATE TRIGGER tokens_feed_revoked AFTER UPDATE OF revoked ON tokens WHEN NEW.revoked <> 0 AND OLD.revoked = 0 BEGIN
                INSERT INTO config_changes (kind, key, at) VALUES ('revocation', NEW.client_id, \(now));
            END
            """)
        statements.append("""
            CREATE TRIGGER jti_deny_list_feed AFTER INSERT ON jti_deny_list BEGIN
                INSERT INTO config_changes (kind, key, at) VALUES ('revocation', NEW.jti, \(now));
            END
            """)
        return statements
    }
}
