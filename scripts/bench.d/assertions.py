"""Writes N private_key_jwt client assertions (ES256, unique jti) for the benchmark, one per line.

usage: assertions.py KEY.pem JWKS.json CLIENT_ID AUDIENCE COUNT OUT
"""
import base64, json, os, sys, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    pem, jwks, client_id, audience, count, out = sys.argv[1:7]
    key = serialization.load_pem_private_key(open(pem, "rb").read(), password=None)
    kid = json.load(open(jwks))["keys"][0]["kid"]
    header = b64(json.dumps({"alg": "ES256", "kid": kid, "typ": "JWT"}, separators=(",", ":")).encode())
    now = int(time.time())
    with open(out, "w") as f:
        for i in range(int(count)):
            claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + 240,
                      "jti": b64(os.urandom(12)) + str(i)}
            signing_input = header + "." + b64(json.dumps(claims, separators=(",", ":")).encode())
            r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
            f.write(signing_input + "." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big")) + "\n")


main()
