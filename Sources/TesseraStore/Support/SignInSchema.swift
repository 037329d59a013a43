/// SQL shared by the backends, like `ColumnText`.
public enum SignInSchema {
    /// Schema 12, the same on both backends but for the types: the client and server settings of the
    /// authorization code flow, single use of codes and refresh tokens, users, groups and the counters of
    /// failed sign-ins. Each backend passes its types.
    public static func statements(real: String, bool: String, false falseValue: String) -> [String] {
        [
            "ALTER TABLE clients ADD COLUMN grant_types TEXT NOT NULL DEFAULT '[\"client_credentials\"]'",
            "UPDATE clients SET grant_types = '[\"authorization_code\"]' WHERE auth_method = 'none'",
            "ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE clients ADD COLUMN first_party \(bool) NOT NULL DEFAULT \(falseValue)",
            "ALTER TABLE servers ADD COLUMN refresh_token_ttl INTEGER",
            "ALTER TABLE servers ADD COLUMN refresh_token_idle_ttl INTEGER",
            "ALTER TABLE servers ADD COLUMN groups_claim \(bool) NOT NULL DEFAULT \(falseValue)",
            "ALTER TABLE tokens ADD COLUMN used_at \(real)",
            "CREATE INDEX tokens_by_subject ON tokens (subject, kind, issued_at) WHERE kind IN ('session', 'refresh_token')",
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT, email TEXT, email_verified \(bool) NOT NULL,
                password_hash TEXT, disabled \(bool) NOT NULL, created_at \(real) NOT NULL, updated_at \(real) NOT NULL)
            """,
            "CREATE TABLE user_groups (name TEXT PRIMARY KEY, created_at \(real) NOT NULL)",
            "CREATE TABLE group_members (group_name TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (group_name, user_id))",
            "CREATE INDEX group_members_by_user ON group_members (user_id)",
            "CREATE TABLE sign_in_failures (key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_start \(real) NOT NULL)",
        ]
    }
}
