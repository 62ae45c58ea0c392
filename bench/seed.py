#!/usr/bin/env python3
"""Bulk benchmark data in Spillway's schema, as CSV files for COPY (bench/seed.sh loads them).

Follows the data layer's placement rules (src/main/java/io/spillway/data/ShardRouter.java, UserStore.java,
PostStore.java, FollowStore.java):
  - ids are ((ms - 1735689600000) << 23) | (logical_shard << 10) | seq;
  - a user lives on the logical shard CRC32C(email) % logical_shards, with its email_directory row;
  - logical shard -> physical shard by even ranges (logical * physical_count // logical_shards);
  - posts live on their author's shard (ids made with the author's logical shard);
  - a follow is a `following` row on the follower's shard and a `followers` row on the followee's,
    with the counters on both users.
Users are seed-<i>@example.com with password "seed-password", hashed once in the server's format
(the PHC string $pbkdf2-sha256$i=<iterations>,l=32$<salt>$<hash>, base64 without padding). Seeded ids are a day or two in the past, so
they never collide with ids the server makes at the current time.

Writes into OUT: shard<k>-<table>.csv for each physical shard, baseline-users.csv (the baseline server's
table), user-ids.txt (every user id, shuffled) and active-ids.txt (users with posts and follows, shuffled).
"""
import argparse
import base64
import hashlib
import os
import random
import time
from datetime import datetime, timezone

EPOCH_MS = 1735689600000
PASSWORD = b"seed-password"


def crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def password_hash(iterations: int) -> str:
    salt = os.urandom(16)
    dk = hashlib.pbkdf2_hmac("sha256", PASSWORD, salt, iterations, 32)
    b64 = lambda b: base64.b64encode(b).decode().rstrip("=")
    return f"$pbkdf2-sha256$i={iterations},l=32${b64(salt)}${b64(dk)}"


class Ids:
    """Per logical shard: distinct (ms, seq) pairs, 1024 per millisecond, from a base time."""

    def __init__(self, base_ms):
        self.base_ms = base_ms
        self.next = {}

    def make(self, logical):
        n = self.next.get(logical, 0)
        self.next[logical] = n + 1
        ms = self.base_ms + n // 1024
        return ((ms - EPOCH_MS) << 23) | (logical << 10) | (n % 1024), ms


def ts(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--active", type=int, required=True, help="users with posts and follows (the first ones)")
    p.add_argument("--posts", type=int, default=5, help="posts per active user")
    p.add_argument("--follows", type=int, default=20, help="follows per active user, among active users")
    p.add_argument("--shards", type=int, default=2)
    p.add_argument("--logical-shards", type=int, default=1024)
    p.add_argument("--iterations", type=int, default=600000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    active = min(a.active, a.users)
    rnd = random.Random(a.seed)
    now_ms = int(time.time() * 1000)
    user_ids = Ids(now_ms - 2 * 86400_000)
    post_ids = Ids(now_ms - 86400_000)
    physical = lambda logical: logical * a.shards // a.logical_shards
    shard_of_id = lambda i: physical((i >> 10) & 8191)
    pw = password_hash(a.iterations)

    users = []  # [id, email, name, created_ms, posts, followers, following]
    for i in range(1, a.users + 1):
        email = f"seed-{i}@example.com"
        uid, ms = user_ids.make(crc32c(email.encode()) % a.logical_shards)
        users.append([uid, email, f"Seed User {i}", ms, 0, 0, 0])

    files = {}

    def out(shard, table):
        key = (shard, table)
        if key not in files:
            files[key] = open(os.path.join(a.out, f"shard{shard}-{table}.csv"), "w")
        return files[key]

    for u in users[:active]:
        logical = (u[0] >> 10) & 8191
        f = out(shard_of_id(u[0]), "posts")
        for k in range(a.posts):
            pid, ms = post_ids.make(logical)
            f.write(f"{pid},{u[0]},Seed post {k} by {u[2]},{ts(ms)}\n")
        u[4] = a.posts
    n_follows = max(0, min(a.follows, active - 1))
    for i in range(active):
        follower = users[i]
        for j in rnd.sample([x for x in range(active) if x != i] if active < 2000 else
                            _sample_excluding(rnd, active, i, n_follows), n_follows):
            followee = users[j]
            out(shard_of_id(follower[0]), "following").write(f"{follower[0]},{followee[0]}\n")
            out(shard_of_id(followee[0]), "followers").write(f"{followee[0]},{follower[0]}\n")
            follower[6] += 1
            followee[5] += 1
    base = open(os.path.join(a.out, "baseline-users.csv"), "w")
    for u in users:
        s = shard_of_id(u[0])
        created = ts(u[3])
        # Quoted: a PHC string holds a comma (i=...,l=32).
        out(s, "users").write(f"{u[0]},{u[1]},{u[2]},\"{pw}\",{u[4]},{u[5]},{u[6]},{created},{created}\n")
        out(s, "email_directory").write(f"{u[1]},{u[0]}\n")
        base.write(f"{u[0]},{u[2]},\"\",{u[4]},{u[5]},{u[6]},{created}\n")
    base.close()
    for s in range(a.shards):  # every shard gets every file, even when empty
        for t in ("users", "email_directory", "posts", "following", "followers"):
            out(s, t)
    for f in files.values():
        f.close()
    ids = [u[0] for u in users]
    act = ids[:active]
    rnd.shuffle(ids)
    rnd.shuffle(act)
    with open(os.path.join(a.out, "user-ids.txt"), "w") as f:
        f.writelines(f"{i}\n" for i in ids)
    with open(os.path.join(a.out, "active-ids.txt"), "w") as f:
        f.writelines(f"{i}\n" for i in act)
    print(f"seed: {a.users} users ({active} active: {a.posts} posts, {n_follows} follows each) on {a.shards} shards")


def _sample_excluding(rnd, n, exclude, k):
    """k distinct indexes in 0..n-1 other than exclude, without building the whole range."""
    picked = set()
    while len(picked) < k:
        x = rnd.randrange(n)
        if x != exclude:
            picked.add(x)
    return list(picked)


if __name__ == "__main__":
    main()
