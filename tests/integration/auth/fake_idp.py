"""A real (small) OIDC identity provider for tests: discovery document and JWKS over HTTP on
127.0.0.1, RSA and EC keys generated per run, and a `sign` that makes access tokens with them."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

AUDIENCE = "edepot"


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeIdp:
    rsa_key: rsa.RSAPrivateKey = field(default_factory=_rsa)
    ec_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    hits: dict[str, int] = field(default_factory=dict)
    available: bool = True
    extra_keys: list[dict[str, Any]] = field(default_factory=list)

    def start(self) -> FakeIdp:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                idp.hits[self.path] = idp.hits.get(self.path, 0) + 1
                if not idp.available:
                    self.send_error(503)
                    return
                if self.path == "/realms/limburg/.well-known/openid-configuration":
                    body: dict[str, Any] = {"issuer": idp.issuer, "jwks_uri": idp.jwks_url}
                elif self.path == "/realms/limburg/protocol/openid-connect/certs":
                    body = idp.jwks()
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return f"{self.base}/realms/limburg"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa_key.public_key()))
        ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec_key.public_key()))
        return {
            "keys": [
                {**rsa_jwk, "kid": "rsa-1", "use": "sig", "alg": "RS256"},
                {**ec_jwk, "kid": "ec-1", "use": "sig"},
                *self.extra_keys,
            ]
        }

    def public_pem(self) -> bytes:
        return self.rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": "f3b1c2d4-0000-4000-8000-000000000001",
            "preferred_username": "a.archivaris",
            "name": "A. Archivaris",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": "jti-1",
            "realm_access": {"roles": ["archivaris", "offline_access"]},
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any] | None = None, *, alg: str = "RS256", kid: str | None = "rsa-1") -> str:
        key: Any = self.ec_key if alg.startswith("ES") else self.rsa_key
        headers = {"kid": kid} if kid is not None else {}
        return jwt.encode(claims or self.claims(), key, algorithm=alg, headers=headers)
