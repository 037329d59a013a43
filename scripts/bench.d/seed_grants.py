"""Seeds single-use user grants straight into a Tessera SQLite database, as the authorization endpoint
and the token endpoint would have stored them, and writes one token request body per grant: authorization
codes (valid 60 s from now, so seed right before measuring) or refresh tokens. Every grant is its own
family of user USER_ID, with PKCE verifier VERIFIER and redirect URI REDIRECT.

usage: seed_grants.py DATABASE code|refresh SERVER CLIENT_ID USER_ID COUNT OUT VERIFIER REDIRECT
"""
import base64, hashlib, json, os, sqlite3, sys, time
from urllib.parse import quote


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    database, kind, server, client_id, user_id, count, out, verifier, redirect = sys.argv[1:10]
    db = sqlite3.connect(database, timeout=30)
    now = float(int(time.time()))
    challenge = b64(hashlib.sha256(verifier.encode()).digest())
    rows, bodies = [], []
    for i in range(int(count)):
        sign_in = {"sid": "sidbench%d" % i, "auth_time": now, "acr": "pwd", "amr": ["pwd"]}
        if kind == "code":
            token = "tes_ac_" + b64(os.urandom(32))
            claims = dict(sign_in, redirect_uri=redirect, code_challenge=challenge, nonce="n%d" % i)
            rows.append((hashlib.sha256(token.encode()).digest(), "authorization_code", server, client_id, user_id, "bench", json.dumps(["openid", "orders.read"]),
                         json.dumps(["api://" + server]), json.dumps(claims), "AC.bench%d" % i, now, now, now + 86400, 0, None, None))
            bodies.append("grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=%s" % (token, quote(redirect, safe=""), verifier))
        else:
            token = "tes_rt_" + b64(os.urandom(32))
            rows.append((hashlib.sha256(token.encode()).digest(), "refresh_token", server, client_id, user_id, "bench", json.dumps(["orders.read", "offline_access"]),
                         json.dumps(["api://" + server]), json.dumps(sign_in), "RT.bench%d" % i, now, now, now + 7 * 86400, 0, os.urandom(32), None))
            bodies.append("grant_type=refresh_token&refresh_token=" + token)
    db.executemany("INSERT INTO tokens (hash, kind, server, client_id, subject, username, scopes, audiences, claims, jti, issued_at, not_before,"
                   " expires_at, revoked, parent_hash, used_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    with open(out, "w") as f:
        f.write("\n".join(bodies) + "\n")


main()
