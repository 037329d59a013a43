"""Python authlib as the app of the authorization code flow against a live `tessera serve`: a
confidential client (client_secret_basic) and a public client with PKCE. The test plays the browser on
Tessera's own sign-in and consent forms (plain HTML, no scripts), then authlib exchanges the code,
refreshes with rotation, introspects the access and refresh tokens, revokes; authlib's JOSE verifies
the ID token against the server's JWKS. Run by scripts/test; needs the debug build of tessera."""

import html
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

from live import BINARY, free_port, status, wait_until

PASSWORD = "correct horse battery staple"


class AuthlibSignsUsersIn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.data = os.path.join(cls.dir.name, "data")
        port = free_port()
        cls.base = f"http://127.0.0.1:{port}"
        cls.issuer = cls.base + "/oauth2/default"
        cls.redirect_uri = "http://127.0.0.1:8765/callback"
        cls.log = open(os.path.join(cls.dir.name, "serve.log"), "w")
        cls.server = subprocess.Popen([BINARY, "serve", "--port", str(port), "--data-dir", cls.data, "--password-cost", "12"], stderr=cls.log)
        wait_until(lambda: status(cls.base + "/healthz") == 200, "the server did not start")
        cls.tessera("scopes", "create", "--server", "default", "orders.read", "--description", "Read your orders")
        cls.tessera("users", "create", "ada", "--password-stdin", "--email", "ada@example.com", "--name", "Ada Lovelace", "--password-cost", "12",
                    stdin=PASSWORD + "\n")
        web = json.loads(cls.tessera("clients", "create", "--server", "default", "--name", "Orders web", "--auth-method", "client_secret_basic",
                                     "--scope", "orders.read", "--redirect-uri", cls.redirect_uri, "--json"))
        cls.web_id, cls.web_secret = web["client_id"], web["client_secret"]
        spa = json.loads(cls.tessera("clients", "create", "--server", "default", "--name", "Orders SPA", "--public", "--first-party",
                                     "--scope", "orders.read", "--redirect-uri", cls.redirect_uri, "--json"))
        cls.spa_id = spa["client_id"]
        cls.metadata = requests.get(cls.issuer + "/.well-known/openid-configuration").json()
        for client in (cls.web_id, cls.spa_id):
            url = cls.issuer + "/.well-known/openid-configuration?client_id=" + client
            wait_until(lambda: status(url) == 200, f"the server never learnt of client {client}")

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=20)
        cls.log.close()
        cls.dir.cleanup()

    @classmethod
    def tessera(cls, *arguments, stdin=None):
        result = subprocess.run([BINARY, *arguments, "--data-dir", cls.data], capture_output=True, text=True, timeout=60, input=stdin)
        if result.returncode != 0:
            raise AssertionError(f"tessera {' '.join(arguments)} failed: {result.stderr}")
        return result.stdout

    def submit(self, browser, page, **fields):
        """Posts the page's form: its hidden fields (the request, the CSRF token) plus `fields`."""
        action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', page.text).group(1))
        hidden = {html.unescape(name): html.unescape(value)
                  for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page.text)}
        hidden.update(fields)
        return browser.post(self.base + action, data=hidden, allow_redirects=False)

    def sign_in(self, url, consent):
        """Plays the browser from the authorization URL to the redirect back to the app; returns its Location."""
        browser = requests.Session()
        page = browser.get(url, allow_redirects=False)
        self.assertEqual(page.status_code, 200, page.text[:300])
        self.assertIn("Sign in", page.text)
        wrong = self.submit(browser, page, username="ada", password="wrong password")
        self.assertEqual(wrong.status_code, 401)
        self.assertIn("wrong username or password", wrong.text)
        answer = self.submit(browser, wrong, username="ada", password=PASSWORD)
        if consent:
            self.assertEqual(answer.status_code, 200, answer.text[:300])
            self.assertIn("Read your orders", answer.text)
            answer = self.submit(browser, answer, decision="allow")
        self.assertEqual(answer.status_code, 302, answer.text[:300])
        location = answer.headers["Location"]
        self.assertTrue(location.startswith(self.redirect_uri + "?code="), location)
        self.assertIn("iss=" + requests.utils.quote(self.issuer, safe=""), location)
        return location

    def check_id_token(self, token, client_id, nonce):
        keys = JsonWebKey.import_key_set(requests.get(self.metadata["jwks_uri"]).json())
        claims = jwt.decode(token["id_token"], keys, claims_options={
            "iss": {"essential": True, "value": self.issuer}, "aud": {"essential": True, "value": client_id},
            "nonce": {"essential": True, "value": nonce}})
        claims.validate()
        self.assertEqual(claims["email"], "ada@example.com")
        self.assertEqual(claims["preferred_username"], "ada")
        return claims

    def check_refresh_and_introspection(self, client, client_id, token, introspector):
        answer = introspector.introspect_token(self.metadata["introspection_endpoint"], token=token["refresh_token"]).json()
        self.assertTrue(answer["active"], answer)
        self.assertEqual(answer["token_type"], "refresh_token")
        self.assertEqual((answer["client_id"], answer["username"]), (client_id, "ada"))
        access = introspector.introspect_token(self.metadata["introspection_endpoint"], token=token["access_token"]).json()
        self.assertTrue(access["active"], access)
        self.assertEqual(access["username"], "ada")
        self.assertIn("sid", access)
        old_refresh = token["refresh_token"]
        new = client.refresh_token(self.metadata["token_endpoint"], refresh_token=old_refresh)
        self.assertNotEqual(new["refresh_token"], old_refresh, "the refresh token rotates")
        self.assertFalse(introspector.introspect_token(self.metadata["introspection_endpoint"], token=old_refresh).json()["active"])
        with self.assertRaises(Exception) as reused:
            client.refresh_token(self.metadata["token_endpoint"], refresh_token=old_refresh)
        self.assertIn("already used", str(reused.exception))
        self.assertFalse(introspector.introspect_token(self.metadata["introspection_endpoint"], token=new["refresh_token"]).json()["active"],
                         "reusing the rotated token revoked the family")
        return new

    def test_confidential_client_signs_ada_in_and_refreshes(self):
        nonce = generate_token(16)
        client = OAuth2Session(self.web_id, self.web_secret, scope="openid profile email offline_access orders.read",
                               redirect_uri=self.redirect_uri, code_challenge_method="S256")
        verifier = generate_token(48)
        url, state = client.create_authorization_url(self.metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        location = self.sign_in(url, consent=True)
        token = client.fetch_token(self.metadata["token_endpoint"], authorization_response=location, code_verifier=verifier)
        self.assertEqual(token["token_type"], "Bearer")
        self.check_id_token(token, self.web_id, nonce)
        userinfo = client.get(self.metadata["userinfo_endpoint"]).json()
        self.assertEqual(userinfo["name"], "Ada Lovelace")
        self.check_refresh_and_introspection(client, self.web_id, token, client)

    def test_public_client_with_pkce_signs_ada_in_revokes_and_logs_out(self):
        nonce = generate_token(16)
        client = OAuth2Session(self.spa_id, scope="openid profile email offline_access", redirect_uri=self.redirect_uri, code_challenge_method="S256",
                               token_endpoint_auth_method="none", revocation_endpoint_auth_method="none")
        verifier = generate_token(48)
        url, _ = client.create_authorization_url(self.metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        location = self.sign_in(url, consent=False)
        with self.assertRaises(Exception) as wrong:
            OAuth2Session(self.spa_id, redirect_uri=self.redirect_uri, token_endpoint_auth_method="none").fetch_token(
                self.metadata["token_endpoint"], authorization_response=location, code_verifier=generate_token(48))
        self.assertIn("code_verifier does not match", str(wrong.exception))
        # The failed attempt used the code up (single use): start again in a new browser.
        browser_url, _ = client.create_authorization_url(self.metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        location = self.sign_in(browser_url, consent=False)
        token = client.fetch_token(self.metadata["token_endpoint"], authorization_response=location, code_verifier=verifier)
        self.check_id_token(token, self.spa_id, nonce)
        revoked = client.revoke_token(self.metadata["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token")
        self.assertEqual(revoked.status_code, 200, revoked.text)
        with self.assertRaises(Exception) as after:
            client.refresh_token(self.metadata["token_endpoint"], refresh_token=token["refresh_token"])
        self.assertIn("invalid_grant", str(after.exception))
        logout = requests.get(self.metadata["end_session_endpoint"], params={"id_token_hint": token["id_token"]}, allow_redirects=False)
        self.assertEqual(logout.status_code, 200)
        self.assertIn("signed out", logout.text)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
