"""A real browser signs a user in through a real relying party: Apache with mod_auth_openidc (Debian's
libapache2-mod-auth-openidc) protects a page and uses a live `tessera serve` as its OpenID Provider;
headless Chromium (Debian's chromium + chromium-driver, driven by Selenium from PyPI; no browser download)
opens the page, is sent to Tessera's sign-in page, signs in with the keyboard alone, consents, and lands
on the page, which shows the user Apache saw. A screenshot of each page goes to test-output/browser/.
Run by scripts/test when chromium, chromedriver and apache2 are installed (.ci/run installs them)."""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import unittest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
from live import BINARY, ROOT, free_port, status, wait_until  # noqa: E402

OUTPUT = os.environ.get("TESSERA_TEST_OUTPUT", os.path.join(ROOT, "test-output", "browser"))
MODULES = "/usr/lib/apache2/modules"
PASSWORD = "correct horse battery staple"


class BrowserSignsInThroughModAuthOpenIDC(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.browser = cls.apache = cls.server = None
        try:
            cls.set_up()
        except BaseException:
            cls.stop()  # unittest skips tearDownClass when setUpClass fails: stop what started
            raise

    @classmethod
    def set_up(cls):
        os.makedirs(OUTPUT, exist_ok=True)
        cls.dir = tempfile.mkdtemp(prefix="tessera-browser-")
        os.chmod(cls.dir, 0o755)
        cls.data = os.path.join(cls.dir, "data")
        tessera_port, cls.apache_port = free_port(), free_port()
        cls.issuer = f"http://127.0.0.1:{tessera_port}/oauth2/default"
        cls.serve_log = open(os.path.join(cls.dir, "serve.log"), "w")
        cls.server = subprocess.Popen([BINARY, "serve", "--port", str(tessera_port), "--data-dir", cls.data, "--password-cost", "12",
                                       "--product-name", "Tessera (browser test)"], stderr=cls.serve_log)
        wait_until(lambda: status(f"http://127.0.0.1:{tessera_port}/healthz") == 200, "tessera did not start")
        cls.tessera("scopes", "create", "--server", "default", "orders.read", "--description", "Read your orders")
        cls.tessera("users", "create", "ada", "--password-stdin", "--email", "ada@example.com", "--email-verified", "--name", "Ada Lovelace",
                    "--password-cost", "12", stdin=PASSWORD + "\n")
        redirect_uri = f"http://127.0.0.1:{cls.apache_port}/protected/redirect_uri"
        client = json.loads(cls.tessera("clients", "create", "--server", "default", "--name", "Orders portal (Apache)", "--auth-method",
                                        "client_secret_basic", "--scope", "orders.read", "--redirect-uri", redirect_uri, "--json"))
        wait_until(lambda: status(cls.issuer + "/.well-known/openid-configuration?client_id=" + client["client_id"]) == 200,
                   "tessera never learnt of the client")
        cls.apache = cls.start_apache(client["client_id"], client["client_secret"], redirect_uri)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,900"):
            options.add_argument(flag)
        cls.browser = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)

    @classmethod
    def start_apache(cls, client_id, client_secret, redirect_uri):
        root = os.path.join(cls.dir, "apache")
        os.makedirs(os.path.join(root, "htdocs", "protected"))
        with open(os.path.join(root, "htdocs", "protected", "index.shtml"), "w") as page:
            page.write('<!doctype html><html><head><meta charset="utf-8"><title>Orders portal</title></head><body>\n'
                       '<h1>Orders portal</h1>\n<p id="user">Signed in as <!--#echo var="REMOTE_USER" --></p>\n'
                       '<p id="email"><!--#echo var="OIDC_CLAIM_email" --></p>\n</body></html>\n')
        user = [] if os.getuid() != 0 else ["User nobody", "Group nogroup"]
        config = "\n".join([
            f'ServerRoot "{root}"', f"Listen 127.0.0.1:{cls.apache_port}", f'PidFile "{root}/httpd.pid"', f'ErrorLog "{root}/error.log"',
            "LogLevel warn auth_openidc:info", "ServerName 127.0.0.1", *user,
            f"LoadModule mpm_event_module {MODULES}/mod_mpm_event.so", f"LoadModule authn_core_module {MODULES}/mod_authn_core.so",
            f"LoadModule authz_core_module {MODULES}/mod_authz_core.so", f"LoadModule authz_user_module {MODULES}/mod_authz_user.so",
            f"LoadModule mime_module {MODULES}/mod_mime.so", f"LoadModule dir_module {MODULES}/mod_dir.so",
            f"LoadModule include_module {MODULES}/mod_include.so", f"LoadModule auth_openidc_module {MODULES}/mod_auth_openidc.so",
            'LogFormat "%u \\"%r\\" %>s" who', f'CustomLog "{root}/access.log" who',
            "TypesConfig /etc/mime.types", f'DocumentRoot "{root}/htdocs"', "DirectoryIndex index.shtml", "AddType text/html .shtml", "AddOutputFilter INCLUDES .shtml",
            f'<Directory "{root}/htdocs">', "  Options +Includes", "  Require all granted", "</Directory>",
            # mod_auth_openidc with its defaults, but for PKCE, which Tessera requires of every client (RFC 9700).
            f"OIDCProviderMetadataURL {cls.issuer}/.well-known/openid-configuration",
            f"OIDCClientID {client_id}", f"OIDCClientSecret {client_secret}", f"OIDCRedirectURI {redirect_uri}",
            f"OIDCCryptoPassphrase {secrets.token_hex(16)}", 'OIDCScope "openid email profile orders.read"', "OIDCPKCEMethod S256",
            "OIDCRemoteUserClaim preferred_username",
            "<Location /protected>", "  AuthType openid-connect", "  Require valid-user", "</Location>",
        ])
        path = os.path.join(root, "httpd.conf")
        with open(path, "w") as handle:
            handle.write(config + "\n")
        for dirpath, _, filenames in os.walk(root):
            os.chmod(dirpath, 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
        check = subprocess.run(["apache2", "-f", path, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise AssertionError("apache config: " + check.stderr)
        with open(os.path.join(root, "stdout.log"), "w") as output:
            process = subprocess.Popen(["apache2", "-f", path, "-DFOREGROUND"], stderr=subprocess.STDOUT, stdout=output)
        cls.apache_root = root
        wait_until(lambda: status(f"http://127.0.0.1:{cls.apache_port}/") in (200, 403, 404), "apache did not start")
        cls.apache_root = root
        return process

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    @classmethod
    def stop(cls):
        if cls.browser:
            cls.browser.quit()
        for process in (cls.apache, cls.server):
            if process:
                process.terminate()
                process.wait(timeout=20)
        if getattr(cls, "serve_log", None):
            cls.serve_log.close()
        if not getattr(cls, "apache_root", None):
            return
        for name in ("error.log", "access.log"):
            source = os.path.join(cls.apache_root, name)
            if os.path.exists(source):
                shutil.copy(source, os.path.join(OUTPUT, "apache-" + name))
        shutil.copy(os.path.join(cls.dir, "serve.log"), os.path.join(OUTPUT, "tessera-serve.log"))
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def tessera(cls, *arguments, stdin=None):
        result = subprocess.run([BINARY, *arguments, "--data-dir", cls.data], capture_output=True, text=True, timeout=60, input=stdin)
        if result.returncode != 0:
            raise AssertionError(f"tessera {' '.join(arguments)} failed: {result.stderr}")
        return result.stdout

    def shot(self, name):
        print(f"screenshot: {os.path.join(OUTPUT, name + '.png')}", flush=True)
        self.browser.save_screenshot(os.path.join(OUTPUT, name + ".png"))

    def wait_for(self, condition, what):
        try:
            wait_until(lambda: condition(self.browser), what, seconds=20)
        except AssertionError:
            self.shot("failure")
            raise AssertionError(f"{what}; the browser is at {self.browser.current_url}: {self.browser.page_source[:500]}")

    def test_the_browser_signs_in_consents_and_apache_sees_ada(self):
        browser = self.browser
        browser.get(f"http://127.0.0.1:{self.apache_port}/protected/")
        self.wait_for(lambda b: b.current_url.startswith(self.issuer + "/v1/authorize") and b.find_elements(By.ID, "username"),
                      "Apache did not send the browser to Tessera's sign-in page")
        self.assertIn("Tessera (browser test)", browser.page_source)
        self.assertIn("Orders portal (Apache)", browser.page_source)
        self.assertIn("code_challenge_method=S256", browser.current_url)
        self.shot("1-sign-in")
        # Keyboard only: the username field has the focus, Tab moves to the password, Enter submits.
        self.assertEqual(browser.switch_to.active_element.get_attribute("id"), "username", "the username field has the focus")
        browser.switch_to.active_element.send_keys("ada", Keys.TAB)
        browser.switch_to.active_element.send_keys("not the password", Keys.ENTER)
        self.wait_for(lambda b: b.find_elements(By.ID, "signin-error"), "a wrong password shows an error next to the fields")
        self.assertEqual(browser.find_element(By.ID, "signin-error").text, "wrong username or password")
        self.shot("2-wrong-password")
        password = browser.find_element(By.ID, "password")
        password.send_keys(PASSWORD, Keys.ENTER)
        self.wait_for(lambda b: b.find_elements(By.ID, "allow"), "the consent page did not come")
        self.assertIn("Read your orders", browser.page_source)
        self.assertIn("See your email address", browser.page_source)
        self.shot("3-consent")
        browser.find_element(By.ID, "allow").send_keys(Keys.ENTER)
        self.wait_for(lambda b: b.current_url.startswith(f"http://127.0.0.1:{self.apache_port}/protected/") and b.find_elements(By.ID, "user"),
                      "the browser did not land on the protected page")
        self.shot("4-protected-page")
        self.assertEqual(browser.find_element(By.ID, "user").text, "Signed in as ada")
        self.assertEqual(browser.find_element(By.ID, "email").text, "ada@example.com")
        with open(os.path.join(self.apache_root, "access.log")) as log:
            self.assertIn('ada "GET /protected/ HTTP/1.1" 200', log.read(), "Apache's access log names the user")
        events = subprocess.run([BINARY, "logs", "--data-dir", self.data, "--json", "--limit", "100"], capture_output=True, text=True).stdout
        reasons = [json.loads(line).get("reason") for line in events.splitlines() if line.strip()]
        self.assertIn("sign_in.wrong_credentials", reasons, "the failed sign-in is in the event log")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
