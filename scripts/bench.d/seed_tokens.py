"""Adds synthetic opaque access-token records to a Tessera SQLite database until it holds TOTAL, to
measure introspection with many tokens stored. Records look like real ones (random 32-byte hashes).

usage: seed_tokens.py DATABASE SERVER CLIENT_ID TOTAL
"""
import json, os, sqlite3, sys, time


INSERT = ("INSERT INTO tokens (hash, kind, server, client_id, subject, username, scopes, audiences, claims, jti, issued_at, not_before, "
          "expires_at, revoked, parent_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


def main() -> None:
    database, server, client_id, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    db = sqlite3.connect(database, timeout=30)
    have = db.execute("SELECT COUNT(*) FROM tokens").fetchone()[0]
    now = time.time()
    batch = []
    for i in range(max(0, total - have)):
        batch.append((os.urandom(32), "access_token", server, client_id, client_id, None, json.dumps(["orders.read"]),
                      json.dumps(["api://" + server]), "{}", "AT.seed%d" % i, now, now, now + 86400, 0, None))
        if len(batch) == 50000:
            db.executemany(INSERT, batch)
            db.commit()
            batch = []
    if batch:
        db.executemany(INSERT, batch)
        db.commit()
    print(db.execute("SELECT COUNT(*) FROM tokens").fetchone()[0])


main()
