"""Python authlib, a standard OAuth client library, against a live `tessera serve` with its defaults:
client_credentials with private_key_jwt (authlib signs RS256 assertions with exp = iat + 3600, its
default), client_secret_basic and client_secret_jwt, then introspection and revocation of the token
through the same client authentication. Run by scripts/test; needs the debug build of tessera."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import ClientSecretJWT, PrivateKeyJWT

from live import BINARY, free_port, wait_until


class AuthlibAgainstTessera(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.data = os.path.join(cls.dir.name, "data")
        port = free_port()
        cls.base = f"http://127.0.0.1:{port}"
        cls.issuer = cls.base + "/oauth2/default"
        cls.log = open(os.path.join(cls.dir.name, "serve.log"), "w")
        cls.server = subprocess.Popen([BINARY, "serve", "--port", str(port), "--data-dir", cls.data], stderr=cls.log)
        cls.wait_until(lambda: cls.get(cls.base + "/healthz")[0] == 200, "the server did not start")
        cls.tessera("scopes", "create", "--server", "default", "orders.read")
        pem = os.path.join(cls.dir.name, "client.pem")
        jwks = os.path.join(cls.dir.name, "client.jwks.json")
        cls.tessera("keygen", "--alg", "RS256", "--private-key", pem, "--jwks", jwks)
        with open(pem) as f:
            cls.pem = f.read()
        cls.key_client = cls.create("private_key_jwt", "--jwks-file", jwks)["client_id"]
        basic = cls.create("client_secret_basic")
        cls.basic_client, cls.basic_secret = basic["client_id"], basic["client_secret"]
        hmac = cls.create("client_secret_jwt")
        cls.jwt_client, cls.jwt_secret = hmac["client_id"], hmac["client_secret"]
        metadata = cls.get(cls.issuer + "/.well-known/oauth-authorization-server")[1]
        cls.token_endpoint = metadata["token_endpoint"]
        cls.introspection_endpoint = metadata["introspection_endpoint"]
        cls.revocation_endpoint = metadata["revocation_endpoint"]
        for client in (cls.key_client, cls.basic_client, cls.jwt_client):
            url = cls.issuer + "/.well-known/oauth-authorization-server?client_id=" + client
            cls.wait_until(lambda: cls.get(url)[0] == 200, f"the server never learnt of client {client}")

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=20)
        cls.log.close()
        cls.dir.cleanup()

    @classmethod
    def tessera(cls, *arguments):
        result = subprocess.run([BINARY, *arguments, *(["--data-dir", cls.data] if arguments[0] not in ("keygen",) else [])],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"tessera {' '.join(arguments)} failed: {result.stderr}")
        return result.stdout

    @classmethod
    def create(cls, method, *extra):
        return json.loads(cls.tessera("clients", "create", "--server", "default", "--name", "authlib " + method,
                                      "--auth-method", method, "--scope", "orders.read", "--json", *extra))

    @staticmethod
    def get(url):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, {}
        except OSError:
            return 0, {}

    wait_until = staticmethod(wait_until)

    def check_token_cycle(self, session, client_id):
        token = session.fetch_token(self.token_endpoint, grant_type="client_credentials", scope="orders.read")
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["scope"], "orders.read")
        self.assertGreater(token["expires_in"], 0)
        answer = session.introspect_token(self.introspection_endpoint, token=token["access_token"])
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertTrue(answer.json()["active"], answer.text)
        self.assertEqual(answer.json()["client_id"], client_id)
        revoked = session.revoke_token(self.revocation_endpoint, token=token["access_token"])
        self.assertEqual(revoked.status_code, 200, revoked.text)
        after = session.introspect_token(self.introspection_endpoint, token=token["access_token"])
        self.assertEqual(after.json(), {"active": False})

    def test_private_key_jwt_with_authlibs_default_hour_long_rs256_assertion(self):
        session = OAuth2Session(self.key_client, self.pem, token_endpoint_auth_method="private_key_jwt",
                                revocation_endpoint_auth_method="private_key_jwt")
        session.register_client_auth_method(PrivateKeyJWT(self.token_endpoint))
        self.check_token_cycle(session, self.key_client)

    def test_client_secret_basic(self):
        session = OAuth2Session(self.basic_client, self.basic_secret)
        self.check_token_cycle(session, self.basic_client)

    def test_client_secret_jwt(self):
        session = OAuth2Session(self.jwt_client, self.jwt_secret, token_endpoint_auth_method="client_secret_jwt",
                                revocation_endpoint_auth_method="client_secret_jwt")
        session.register_client_auth_method(ClientSecretJWT(self.token_endpoint))
        self.check_token_cycle(session, self.jwt_client)

    def test_a_wrong_secret_is_explained(self):
        session = OAuth2Session(self.basic_client, "not-the-secret")
        with self.assertRaises(Exception) as raised:
            session.fetch_token(self.token_endpoint, grant_type="client_credentials")
        self.assertIn("invalid_client", str(raised.exception))
        self.assertIn("is not one of its secrets", str(raised.exception))

    def test_z_a_server_asking_for_shorter_assertions_refuses_authlibs_default(self):
        # Runs last (names sort): it changes the shared server, then puts it back.
        self.tessera("servers", "update", "default", "--max-assertion-lifetime", "300")
        try:
            session = OAuth2Session(self.key_client, self.pem, token_endpoint_auth_method="private_key_jwt")
            session.register_client_auth_method(PrivateKeyJWT(self.token_endpoint))
            errors = []

            def refused():
                try:
                    session.fetch_token(self.token_endpoint, grant_type="client_credentials")
                    return False
                except Exception as error:  # authlib raises OAuthError with the server's description
                    errors.append(str(error))
                    return True

            self.wait_until(refused, "the server kept accepting hour-long assertions after --max-assertion-lifetime 300")
            self.assertIn("the maximum lifetime on this server is 300 seconds", errors[-1])
            self.assertIn("3600 seconds after iat", errors[-1])
        finally:
            self.tessera("servers", "update", "default", "--max-assertion-lifetime", "default")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
