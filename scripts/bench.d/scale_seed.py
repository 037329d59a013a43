"""Seeds a Tessera SQLite database for scripts/bench-scale, in bulk (the admin CLI would take hours):

  servers DB N            N servers `scale-0` … (audience api://scale-K), each with a copy of the default
                          server's signing key under its own kid (the JWKS of a copy would show the default's
                          kid; nothing here reads it)
  clients DB N SECRET     N client_secret_basic clients spread over the scale servers, all with SECRET
  sample DB N OUT         picks N random clients and writes a Lua table of their token paths and
                          Authorization headers (OUT.lua), and their ids (OUT.ids)
  tokens BASE OUT         issues a token for each sampled client (OUT.lua, OUT.ids) and writes the
                          introspection requests (OUT-introspect.lua)
  deny DB N               puts N synthetic JWT ids on the deny list of the scale servers
  events DB N             adds N synthetic events (as a token success writes them), oldest first
"""
import base64, hashlib, json, os, random, sqlite3, sys, time, urllib.request


def connect(path):
    db = sqlite3.connect(path, timeout=60)
    db.execute("PRAGMA journal_mode = WAL")
    return db


def servers(path, n):
    db = connect(path)
    key = db.execute("SELECT * FROM signing_keys WHERE server = 'default' AND active = 1 ORDER BY created_at DESC LIMIT 1").fetchone()
    cols = [d[0] for d in db.execute("SELECT * FROM signing_keys LIMIT 0").description]
    now = time.time()
    db.executemany("INSERT INTO servers (name, audiences, access_token_ttl, claims, token_format, created_at) VALUES (?, ?, 3600, '{}', 'jwt', ?)",
                   [("scale-%d" % i, json.dumps(["api://scale-%d" % i]), now) for i in range(n)])
    rows = []
    for i in range(n):
        row = dict(zip(cols, key))
        row["kid"] = "scale-key-%d" % i
        row["server"] = "scale-%d" % i
        rows.append(tuple(row[c] for c in cols))
    db.executemany("INSERT INTO signing_keys (%s) VALUES (%s)" % (", ".join(cols), ", ".join("?" * len(cols))), rows)
    db.commit()


def clients(path, n, secret):
    db = connect(path)
    count = db.execute("SELECT COUNT(*) FROM servers WHERE name LIKE 'scale-%'").fetchone()[0]
    digest = hashlib.sha256(secret.encode()).hexdigest()
    now = time.time()
    batch = []
    for i in range(n):
        server = "scale-%d" % (i % count)
        secrets = json.dumps([{"id": "sec_%012x" % i, "hash": digest, "created": now}])
        batch.append(("0oascale%015d" % i, server, "svc %d" % i, "client_secret_basic", secrets, "[]", "{}", 1, now, "[]"))
        if len(batch) == 100_000:
            db.executemany("INSERT INTO clients (id, server, name, auth_method, secrets, scopes, claims, enabled, created_at, introspects) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
            db.commit()
            batch = []
    if batch:
        db.executemany("INSERT INTO clients (id, server, name, auth_method, secrets, scopes, claims, enabled, created_at, introspects) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
        db.commit()


def lua_table(entries):
    return "return {\n" + ",\n".join("{path=%s, auth=%s, body=%s}" % tuple(json.dumps(v) for v in e) for e in entries) + "\n}\n"


def sample(path, n, out, secret):
    db = connect(path)
    picked = db.execute("SELECT id, server FROM clients WHERE id LIKE '0oascale%' ORDER BY random() LIMIT ?", (n,)).fetchall()
    entries = []
    for client_id, server in picked:
        auth = "Basic " + base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()
        entries.append(("/oauth2/%s/v1/token" % server, auth, "grant_type=client_credentials"))
    open(out + ".lua", "w").write(lua_table(entries))
    open(out + ".ids", "w").write("\n".join("%s %s" % p for p in picked) + "\n")


def tokens(base, out, secret):
    entries = []
    for line in open(out + ".ids"):
        client_id, server = line.split()
        auth = "Basic " + base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()
        request = urllib.request.Request("%s/oauth2/%s/v1/token" % (base, server), data=b"grant_type=client_credentials",
                                         headers={"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"})
        token = json.load(urllib.request.urlopen(request))["access_token"]
        entries.append(("/oauth2/%s/v1/introspect" % server, auth, "token=" + token))
    open(out + "-introspect.lua", "w").write(lua_table(entries))


def deny(path, n):
    db = connect(path)
    count = db.execute("SELECT COUNT(*) FROM servers WHERE name LIKE 'scale-%'").fetchone()[0]
    expires = time.time() + 86400
    for start in range(0, n, 100_000):
        db.executemany("INSERT INTO jti_deny_list (server, jti, expires_at) VALUES (?, ?, ?)",
                       [("scale-%d" % (i % count), "AT.denied%d" % i, expires) for i in range(start, min(n, start + 100_000))])
        db.commit()


def events(path, n):
    db = connect(path)
    now = time.time()
    detail = json.dumps({"auth_method": "client_secret_basic", "grant_type": "client_credentials", "resource": "", "scope_granted": "",
                         "scope_requested": "", "secret_id": "sec_pdr5ogemq8ay"}, separators=(",", ":"))
    step = 3600.0 / max(1, n) * 24  # spread over the last day, oldest first
    for start in range(0, n, 200_000):
        rows = []
        for i in range(start, min(n, start + 200_000)):
            client = "0oascale%015d" % (i % 1_000_000)
            rows.append((now - 86400 + i * step, "01seed%018d" % i, "scale-%d" % (i % 10_000), "token", client, "success", None,
                         "issued a JWT access token to client " + client, detail, "127.0.0.1", None))
        db.executemany("INSERT INTO events (time, request_id, server, endpoint, client_id, outcome, reason, message, detail, remote_address, user_agent) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.commit()


command = sys.argv[1]
if command == "servers": servers(sys.argv[2], int(sys.argv[3]))
elif command == "clients": clients(sys.argv[2], int(sys.argv[3]), sys.argv[4])
elif command == "sample": sample(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
elif command == "tokens": tokens(sys.argv[2], sys.argv[3], sys.argv[4])
elif command == "deny": deny(sys.argv[2], int(sys.argv[3]))
elif command == "events": events(sys.argv[2], int(sys.argv[3]))
else: sys.exit("unknown command " + command)
