import TesseraStore

/// The schema of the PostgreSQL backend as numbered migrations: the same tables and columns as the
/// SQLite backend (versions 1–3), in PostgreSQL's types, plus the change tracking several nodes need
/// (version 4). A migration is never edited once released, only appended.
enum PostgresSchema {
    /// The advisory lock held while migrating, so nodes starting together apply each migration once.
    static let migrationLock: Int64 = 0x7465_7373_6572_61 // "tessera"
    /// The advisory lock every event batch holds from before its ids are drawn to its commit: batches of
    /// several nodes commit one after another, so event ids follow commit order and `logs --follow`,
    /// reading by id, never passes an event that commits late with a lower id.
    static let eventOrderLock: Int64 = 0x7465_7373_6576_74 // "tessevt"
    /// The channel a commit that changes configuration or revokes a token notifies.
    static let changeChannel = "tessera_changes"

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            """
            CREATE TABLE servers (
                name TEXT PRIMARY KEY, audiences TEXT NOT NULL, access_token_ttl BIGINT NOT NULL,
                claims TEXT NOT NULL, token_format TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL)
            """,
            """
            CREATE TABLE scopes (
                server TEXT NOT NULL, name TEXT NOT NULL, description TEXT, PRIMARY KEY (server, name))
            """,
            """
            CREATE TABLE clients (
                id TEXT PRIMARY KEY, server TEXT NOT NULL, name TEXT NOT NULL, auth_method TEXT NOT NULL,
                secret_hash BYTEA, encrypted_secret BYTEA, jwks TEXT, jwks_uri TEXT, scopes TEXT NOT NULL,
                claims TEXT NOT NULL, enabled BOOLEAN NOT NULL, created_at DOUBLE PRECISION NOT NULL)
            """,
            "CREATE INDEX clients_by_server ON clients (server, created_at)",
            """
            CREATE TABLE signing_keys (
                kid TEXT PRIMARY KEY, server TEXT NOT NULL, algorithm TEXT NOT NULL,
                encrypted_private_key BYTEA NOT NULL, public_jwk TEXT NOT NULL, active BOOLEAN NOT NULL,
                created_at DOUBLE PRECISION NOT NULL)
            """,
            "CREATE INDEX signing_keys_by_server ON signing_keys (server, created_at)",
            """
            CREATE TABLE assertion_replays (
                client_id TEXT NOT NULL, jti TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (client_id, jti))
            """,
            "CREATE INDEX assertion_replays_by_expiry ON assertion_replays (expires_at)",
        ]),
        (2, [
            "ALTER TABLE clients ADD COLUMN introspects TEXT NOT NULL DEFAULT '[]'",
            """
            CREATE TABLE tokens (
                hash BYTEA PRIMARY KEY, kind TEXT NOT NULL, server TEXT NOT NULL, client_id TEXT NOT NULL,
                subject TEXT NOT NULL, username TEXT, scopes TEXT NOT NULL, audiences TEXT NOT NULL, claims TEXT NOT NULL,
                jti TEXT NOT NULL, issued_at DOUBLE PRECISION NOT NULL, not_before DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL, revoked BOOLEAN NOT NULL, parent_hash BYTEA)
            """,
            "CREATE INDEX tokens_by_parent ON tokens (parent_hash) WHERE parent_hash IS NOT NULL",
            "CREATE INDEX tokens_by_expiry ON tokens (expires_at)",
            """
            CREATE TABLE token_jwt_links (
                parent_hash BYTEA NOT NULL, server TEXT NOT NULL, jti TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (parent_hash, jti))
            """,
            "CREATE INDEX token_jwt_links_by_expiry ON token_jwt_links (expires_at)",
            """
            CREATE TABLE jti_deny_list (
                server TEXT NOT NULL, jti TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (server, jti))
            """,
            "CREATE INDEX jti_deny_list_by_expiry ON jti_deny_list (expires_at)",
        ]),
        (3, [
            """
            CREATE TABLE events (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time DOUBLE PRECISION NOT NULL, request_id TEXT NOT NULL,
                server TEXT, endpoint TEXT NOT NULL, client_id TEXT, outcome TEXT NOT NULL, reason TEXT, message TEXT NOT NULL,
                detail TEXT NOT NULL, remote_address TEXT, user_agent TEXT)
            """,
            "CREATE INDEX events_by_time ON events (time)",
            "CREATE INDEX events_by_request ON events (request_id)",
            "CREATE INDEX events_by_client ON events (client_id, id)",
        ]),
        (4, [
            // One row whose version moves with every commit that changes what nodes cache: servers,
            // scopes, clients, keys, revoked tokens, the deny list. Issuing tokens does not move it.
            "CREATE TABLE change_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
            "INSERT INTO change_version (id, version) VALUES (1, 1)",
            """
            CREATE FUNCTION tessera_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE change_version SET version = version + 1 WHERE id = 1;
                PERFORM pg_notify('\(changeChannel)', '');
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER servers_changed AFTER INSERT OR UPDATE OR DELETE ON servers FOR EACH STATEMENT EXECUTE FUNCTION tessera_note_change()",
            "CREATE TRIGGER scopes_changed AFTER INSERT OR UPDATE OR DELETE ON scopes FOR EACH STATEMENT EXECUTE FUNCTION tessera_note_change()",
            "CREATE TRIGGER clients_changed AFTER INSERT OR UPDATE OR DELETE ON clients FOR EACH STATEMENT EXECUTE FUNCTION tessera_note_change()",
            "CREATE TRIGGER keys_changed AFTER INSERT OR UPDATE OR DELETE ON signing_keys FOR EACH STATEMENT EXECUTE FUNCTION tessera_note_change()",
            // Tokens are only ever updated to revoke them; new rows (issuance) and purges are not changes.
            "CREATE TRIGGER tokens_revoked AFTER UPDATE ON tokens FOR EACH STATEMENT EXECUTE FUNCTION tessera_note_change()",
            "CREATE TRIGGER jtis_denied AFTER INSERT ON jti_deny_list FOR EACH STATEMENT EXECUTE FUNCTION tessera_note_change()",
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
            // becomes its first entry. Last uses live in their own table, without a change trigger.
            "ALTER TABLE clients ADD COLUMN secrets TEXT NOT NULL DEFAULT '[]'",
            """
            UPDATE clients SET secrets = json_build_array(json_strip_nulls(json_build_object(
                'id', 'sec_' || substr(md5(random()::text || id), 1, 12), 'hash', encode(secret_hash, 'hex'), 'created', created_at,
                'encrypted', CASE WHEN encrypted_secret IS NULL THEN NULL ELSE encode(encrypted_secret, 'hex') END)))::text
            WHERE secret_hash IS NOT NULL
            """,
            "ALTER TABLE clients DROP COLUMN secret_hash",
            "ALTER TABLE clients DROP COLUMN encrypted_secret",
            """
            CREATE TABLE client_secret_uses (
                client_id TEXT NOT NULL, secret_id TEXT NOT NULL, last_used DOUBLE PRECISION NOT NULL, PRIMARY KEY (client_id, secret_id))
            """,
        ]),
        (8, [
            // Key states by time: signing from activates_at, gone from retires_at (`KeyState`).
            "ALTER TABLE signing_keys ADD COLUMN activates_at DOUBLE PRECISION",
            "UPDATE signing_keys SET activates_at = created_at",
            "ALTER TABLE signing_keys ADD COLUMN retires_at DOUBLE PRECISION",
        ]),
        (9, [
            // The inline keys a `clients update --jwks-file` replaced, accepted until their expiry.
            "ALTER TABLE clients ADD COLUMN previous_jwks TEXT",
            "ALTER TABLE clients ADD COLUMN previous_jwks_expires DOUBLE PRECISION",
        ]),
        (10, [
            // Scheduled key rotation (`servers update --key-rotation`), in seconds; NULL: by hand only.
            "ALTER TABLE servers ADD COLUMN key_rotation INTEGER",
            // Which node does a deployment-wide job (the scheduled key rotation) until when: one at a time.
            // No change trigger: taking a lease changes nothing any node caches.
            "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL)",
            // A value sealed under the master key: a node or command started with another key stops at once.
            """
            CREATE TABLE master_key_check (
                id INTEGER PRIMARY KEY CHECK (id = 1), sealed BYTEA NOT NULL, changed_at DOUBLE PRECISION NOT NULL)
            """,
        ]),
        (11, [
            // The change feed (`ConfigChange`). Each entry takes its version from change_version, whose row
            // lock is held to the commit: versions follow commit order, with no gaps, and survive purges.
            "CREATE TABLE config_changes (version BIGINT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
            "CREATE INDEX config_changes_by_time ON config_changes (at)",
            """
            CREATE FUNCTION tessera_feed() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                next BIGINT;
                row_key TEXT;
            BEGIN
                IF TG_OP = 'DELETE' THEN row_key := to_jsonb(OLD) ->> TG_ARGV[1]; ELSE row_key := to_jsonb(NEW) ->> TG_ARGV[1]; END IF;
                UPDATE change_version SET version = version + 1 WHERE id = 1 RETURNING version INTO next;
                INSERT INTO config_changes (version, kind, key, at) VALUES (next, TG_ARGV[0], coalesce(row_key, ''), extract(epoch FROM clock_timestamp()));
                RETURN NULL;
            END $$
            """,
            // The statement triggers only notify now; the row triggers below number and record.
            """
            CREATE OR REPLACE FUNCTION tessera_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(changeChannel)', '');
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER servers_feed AFTER INSERT OR UPDATE OR DELETE ON servers FOR EACH ROW EXECUTE FUNCTION tessera_feed('server', 'name')",
            "CREATE TRIGGER scopes_feed AFTER INSERT OR UPDATE OR DELETE ON scopes FOR EACH ROW EXECUTE FUNCTION tessera_feed('scopes', 'server')",
            "CREATE TRIGGER clients_feed AFTER INSERT OR UPDATE OR DELETE ON clients FOR EACH ROW EXECUTE FUNCTION tessera_feed('client', 'id')",
            "CREATE TRIGGER keys_feed AFTER INSERT OR UPDATE OR DELETE ON signing_keys FOR EACH ROW EXECUTE FUNCTION tessera_feed('keys', 'server')",
            """
            CREATE TRIGGER tokens_feed AFTER UPDATE ON tokens FOR EACH ROW WHEN (NEW.revoked AND NOT OLD.revoked)
            EXECUTE FUNCTION tessera_feed('revocation', 'client_id')
            """,
            "CREATE TRIGGER jti_deny_list_feed AFTER INSERT ON jti_deny_list FOR EACH ROW EXECUTE FUNCTION tessera_feed('revocation', 'jti')",
        ]),
        (12, [
            // Using a code or refresh token (`used_at`) is no change any node caches: notify on revocations only.
            "DROP TRIGGER tokens_revoked ON tokens",
            "CREATE TRIGGER tokens_revoked AFTER UPDATE OF revoked ON tokens FOR EACH STATEMENT EXECUTE FUNCTION tessera_note_change()",
        ] + SignInSchema.statements(real: "DOUBLE PRECISION", bool: "BOOLEAN", false: "FALSE")),
        // The sign-in failure purge's column (every minute; PostgreSQL has the other purges' indexes since 1).
        (13, feedPerTransaction + ["CREATE INDEX sign_in_failures_by_window ON sign_in_failures (window_start)"]),
    ]

    /// Schema 13: the change feed numbered once per transaction. The row triggers of schema 11 moved
    /// `change_version` once per changed row; every update of that one row inside a transaction leaves a
    /// row version the next update walks past, so a transaction changing n rows took time in n² (measured:
    /// 100,000 seeded clients in one statement did not finish; the master-key reseal updates every sealed
    /// row in one transaction). Now the first entry of a transaction locks the row (`FOR UPDATE`, held to
    /// the commit: versions still follow commit order without holes) and reads the version; the entries
    /// go on from a transaction-local setting; a deferred trigger writes the last number into the row once,
    /// at the commit. Statement triggers read what a statement changed from their transition table and
    /// record each key once (PostgreSQL allows a transition table only on a trigger of one event, hence
    /// three per table).
    static let feedPerTransaction: [String] = {
        var statements = [
            "DROP TRIGGER servers_feed ON servers", "DROP TRIGGER scopes_feed ON scopes", "DROP TRIGGER clients_feed ON clients",
            "DROP TRIGGER keys_feed ON signing_keys", "DROP TRIGGER tokens_feed ON tokens", "DROP TRIGGER jti_deny_list_feed ON jti_deny_list",
            "DROP FUNCTION tessera_feed()",
            // Appends one entry per key, numbered after the transaction's previous entry (or the version).
            """
            CREATE FUNCTION tessera_feed_append(entry_kind TEXT, keys TEXT[]) RETURNS void LANGUAGE plpgsql AS $$
            DECLARE
                added BIGINT := coalesce(array_length(keys, 1), 0);
                next_text TEXT := current_setting('tessera.feed_next', true);
                first BIGINT;
            BEGIN
                IF added = 0 THEN RETURN; END IF;
                IF next_text IS NULL OR next_text = '' THEN
                    SELECT version + 1 INTO first FROM change_version WHERE id = 1 FOR UPDATE;
                ELSE
                    first := next_text::BIGINT;
                END IF;
                INSERT INTO config_changes (version, kind, key, at)
                SELECT first + k.n - 1, entry_kind, k.key, extract(epoch FROM clock_timestamp())
                FROM unnest(keys) WITH ORDINALITY AS k(key, n);
                PERFORM set_config('tessera.feed_next', (first + added)::TEXT, true);
            END $$
            """,
            // At the commit, once per transaction that appended: the version becomes its last entry's.
            """
            CREATE FUNCTION tessera_feed_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                next_text TEXT := current_setting('tessera.feed_next', true);
            BEGIN
                IF next_text IS NOT NULL AND next_text <> '' THEN
                    UPDATE change_version SET version = next_text::BIGINT - 1 WHERE id = 1;
                    PERFORM set_config('tessera.feed_next', '', true);
                END IF;
                RETURN NULL;
            END $$
            """,
            """
            CREATE CONSTRAINT TRIGGER config_changes_commit AFTER INSERT ON config_changes
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tessera_feed_commit()
            """,
            // TG_ARGV: the entry kind and the column naming what changed; `changed_rows` is the statement's
            // transition table (new rows for INSERT and UPDATE, old rows for DELETE).
            """
            CREATE FUNCTION tessera_feed_rows() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM tessera_feed_append(TG_ARGV[0],
                    ARRAY(SELECT DISTINCT coalesce(to_jsonb(r) ->> TG_ARGV[1], '') FROM changed_rows r));
                RETURN NULL;
            END $$
            """,
            // Tokens: only rows this statement revoked, by client id.
            """
            CREATE FUNCTION tessera_feed_revocations() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM tessera_feed_append('revocation',
                    ARRAY(SELECT DISTINCT n.client_id FROM changed_rows n JOIN old_rows o ON o.hash = n.hash WHERE n.revoked AND NOT o.revoked));
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER tokens_feed AFTER UPDATE ON tokens REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION tessera_feed_revocations()
            """,
            """
            CREATE TRIGGER jti_deny_list_feed AFTER INSERT ON jti_deny_list REFERENCING NEW TABLE AS changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION tessera_feed_rows('revocation', 'jti')
            """,
        ]
        for (table, kind, key) in [("servers", "server", "name"), ("scopes", "scopes", "server"), ("clients", "client", "id"), ("signing_keys", "keys", "server")] {
            for (event, rows) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                statements.append(
                    "CREATE TRIGGER \(table)_feed_\(event.lowercased()) AFTER \(event) ON \(table) REFERENCING \(rows) TABLE AS changed_rows "
                        + "FOR EACH STATEMENT EXECUTE FUNCTION tessera_feed_rows('\(kind)', '\(key)')")
            }
        }
        return statements
    }()
}
