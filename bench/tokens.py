#!/usr/bin/env python3
"""Mint HS256 access tokens like the server's POST /v1/auth/token does (sub = user id, iss, aud, iat, exp),
one per user id read from IDS_FILE (the first COUNT lines), one token per output line.

usage: tokens.py IDS_FILE COUNT > tokens.txt
Secret, issuer and audience: BENCH_JWT_SECRET, BENCH_JWT_ISSUER, BENCH_JWT_AUDIENCE (default: the dev config's).
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def token(sub: str, secret: bytes, iss: str, aud: str, ttl: int) -> str:
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"sub": sub, "iss": iss, "aud": [aud], "iat": now, "exp": now + ttl}
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    return f"{header}.{payload}.{b64url(hmac.new(secret, signing_input, hashlib.sha256).digest())}"


def main():
    ids_file, count = sys.argv[1], int(sys.argv[2])
    secret = os.environ.get("BENCH_JWT_SECRET", "dev-only-sample-secret-do-not-use-in-production").encode()
    iss = os.environ.get("BENCH_JWT_ISSUER", "spillway")
    aud = os.environ.get("BENCH_JWT_AUDIENCE", "spillway-api")
    ttl = int(os.environ.get("BENCH_JWT_TTL_SECONDS", "21600"))
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()][:count]
    if len(ids) < count:
        sys.exit(f"tokens.py: only {len(ids)} ids in {ids_file}, {count} wanted")
    for uid in ids:
        print(token(uid, secret, iss, aud, ttl))


if __name__ == "__main__":
    main()
