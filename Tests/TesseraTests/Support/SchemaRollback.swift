@testable import TesseraSQLite

/// Takes a current SQLite database back to an older schema, for the tests that check a migration carries
/// old data forward. A new migration adds its undo here, once for every such test.
enum SchemaRollback {
    /// Undoes schemas 7 to 14 (14: the purges' indexes; 13: the client index of events by block; 12: the sign-in columns and tables); one `secret_hash`/`encrypted_secret` per client again, no replaced JWKS,
    /// no key activation times, no key rotation schedule, leases, master key check or change feed.
    static func backToSchema6(_ store: SQLiteStore) async throws {
        for index in ["token_jwt_links_by_expiry", "jti_deny_list_by_expiry", "sign_in_failures_by_window"] { try await store.run("DROP INDEX \(index)") }
        try await store.run("DROP INDEX events_by_client_recent")
        try await store.run("CREATE INDEX events_by_client ON events (client_id, id)")
        for column in ["grant_types", "redirect_uris", "post_logout_redirect_uris", "first_party"] {
            try await store.run("ALTER TABLE clients DROP COLUMN \(column)")
        }
        for column in ["refresh_token_ttl", "refresh_token_idle_ttl", "groups_claim"] { try await store.run("ALTER TABLE servers DROP COLUMN \(column)") }
        try await store.run("DROP INDEX tokens_by_subject")
        try await store.run("ALTER TABLE tokens DROP COLUMN used_at")
        for table in ["users", "user_groups", "group_members", "sign_in_failures"] { try await store.run("DROP TABLE \(table)") }
        try await store.run("DROP TABLE client_secret_uses")
        try await store.run("ALTER TABLE clients DROP COLUMN secrets")
        try await store.run("ALTER TABLE clients ADD COLUMN secret_hash BLOB")
        try await store.run("ALTER TABLE clients ADD COLUMN encrypted_secret BLOB")
        try await store.run("ALTER TABLE clients DROP COLUMN previous_jwks")
        try await store.run("ALTER TABLE clients DROP COLUMN previous_jwks_expires")
        try await store.run("ALTER TABLE signing_keys DROP COLUMN activates_at")
        try await store.run("ALTER TABLE signing_keys DROP COLUMN retires_at")
        try await store.run("ALTER TABLE servers DROP COLUMN key_rotation")
        try await store.run("DROP TABLE leases")
        try await store.run("DROP TABLE master_key_check")
        for trigger in try await store.run("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_feed%'") {
            try await store.run("DROP TRIGGER \(trigger.text("name") ?? "")")
        }
        try await store.run("DROP TABLE config_changes")
        try await store.run("DELETE FROM schema_migrations WHERE version >= 7")
    }
}
