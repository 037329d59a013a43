"""schemathesis against openapi.yaml on a live `tessera serve`: proves the routes and the spec agree.

Bootstraps an admin client with `tessera admin bootstrap`, gets a `system` token with every
management scope by private_key_jwt, and lets schemathesis generate valid and invalid requests for
every operation (examples, coverage, fuzzing and stateful phases, every check). Any 5xx, an answer
that does not match the spec, a status the spec does not list, valid data refused or invalid data
accepted fails the run. Afterwards the server must still answer and its event log must hold the calls.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
from live import BINARY, ROOT, free_port, status, wait_until  # noqa: E402

def api(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response) if response.status != 204 else None


def seed(base, token, key_jwks):
    """Real resources for schemathesis to find: without them every call naming a client, user, group,
    key or secret would only meet 404s."""
    api(base, token, "POST", "/api/v1/servers", {"name": "fixture", "audiences": ["https://fixture.example.com"]})
    api(base, token, "POST", "/api/v1/servers/fixture/scopes", {"name": "fixture.read"})
    clients, secrets = [], []
    for method in ["client_secret_basic", "client_secret_post", "client_secret_jwt"]:
        created = api(base, token, "POST", "/api/v1/servers/fixture/clients", {"name": method, "token_endpoint_auth_method": method, "scopes": ["fixture.read"]})
        clients.append(created["client_id"])
        secrets += [entry["id"] for entry in created["secrets"]]
    created = api(base, token, "POST", "/api/v1/servers/fixture/clients", {"name": "keyed", "token_endpoint_auth_method": "private_key_jwt", "jwks": key_jwks})
    clients.append(created["client_id"])
    api(base, token, "POST", "/api/v1/users", {"username": "ada", "password": "correct horse battery", "email": "ada@example.com"})
    api(base, token, "POST", "/api/v1/groups", {"name": "staff"})
    kids = [key["kid"] for key in api(base, token, "GET", "/api/v1/servers/fixture/keys")["keys"]]
    return {"server": ["fixture", "default"], "scope": ["fixture.read"], "client": clients, "secret": secrets, "kid": kids, "user": ["ada"], "group": ["staff"]}


def config(known, path):
    """schemathesis.toml plus dictionaries of the seeded names, used for path parameters half the time."""
    with open(os.path.join(ROOT, "Tests", "api", "schemathesis.toml")) as base:
        text = base.read()
    text += "\n[parameters]\n"
    for name in known:
        text += f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}\n'
    for name, values in known.items():
        text += f"\n[dictionaries.{name}]\nvalues = {json.dumps(values)}\n"
    with open(path, "w") as out:
        out.write(text)


SCOPES = ["tessera.servers.manage", "tessera.clients.manage", "tessera.keys.manage", "tessera.users.manage", "tessera.events.read"]


def main():
    examples = os.environ.get("TESSERA_SCHEMATHESIS_EXAMPLES", "25")
    output = os.path.join(ROOT, "test-output", "schemathesis")
    os.makedirs(output, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        data = os.path.join(directory, "data")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(os.path.join(output, "serve.log"), "w")
        # The cheapest scrypt cost: schemathesis creates many users, and password hashing is made slow on purpose.
        server = subprocess.Popen([BINARY, "serve", "--port", str(port), "--data-dir", data, "--public-url", base, "--password-cost", "10"], stderr=log)
        try:
            wait_until(lambda: status(base + "/healthz") == 200, "the server did not start")
            key = os.path.join(directory, "admin.key")
            bootstrap = json.loads(subprocess.check_output([BINARY, "admin", "bootstrap", "--data-dir", data, "--private-key", key, "--json"]))
            issuer = base + "/oauth2/system"
            wait_until(lambda: status(f"{issuer}/.well-known/oauth-authorization-server?client_id={bootstrap['client_id']}") == 200,
                       "the server never learnt of the admin client")
            command = [BINARY, "token", "--issuer", issuer, "--client-id", bootstrap["client_id"], "--private-key", key]
            for scope in SCOPES:
                command += ["--scope", scope]
            token = json.loads(subprocess.check_output(command))["access_token"]
            with open(key + ".jwks.json") as jwks:
                known = seed(base, token, json.load(jwks))
            config_path = os.path.join(directory, "schemathesis.toml")
            config(known, config_path)
            run = subprocess.run([
                sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; schemathesis()",
                "--config-file", config_path,
                "run", os.path.join(ROOT, "openapi.yaml"), "--url", base,
                "--header", f"Authorization: Bearer {token}", "--checks", "all",
                "--max-examples", examples, "--seed", os.environ.get("TESSERA_SCHEMATHESIS_SEED", "20261202"),
                "--report", "junit", "--report-dir", output, "--no-color",
            ], capture_output=True, text=True, cwd=directory)  # its cache stays out of the work tree
            with open(os.path.join(output, "schemathesis.log"), "w") as saved:
                saved.write(run.stdout + run.stderr)
            print(run.stdout[-3000:])
            if run.returncode != 0:
                print(run.stderr[-2000:], file=sys.stderr)
                raise SystemExit(f"schemathesis found disagreements between openapi.yaml and the server (full log: {output}/schemathesis.log)")
            assert status(base + "/healthz") == 200, "the server stopped answering"
            request = urllib.request.Request(base + "/api/v1/events?limit=5", headers={"Authorization": "Bearer " + token})
            with urllib.request.urlopen(request, timeout=10) as response:
                events = json.load(response)["events"]
            assert events and all(event["endpoint"] == "management" for event in events), events
            print("schemathesis: routes and openapi.yaml agree; events recorded")
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
