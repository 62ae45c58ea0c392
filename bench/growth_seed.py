#!/usr/bin/env python3
"""The growth bench's data (bench/growth.sh), as CSV files for COPY, placed by the same rules as bench/seed.py
(whose id, shard and password helpers it uses): users seed-<i>@example.com / seed-password.

  - AUTHORS authors with POSTS posts each (the followees of the feed readers, and the writers);
  - for each follow count L in LEVELS, READERS readers who follow L distinct authors (picked at random);
  - three authors without posts whose followers are the first 10, 1,000 and FANS of FANS fan accounts
    (the fan-out cost and lag at those sizes).

Counters (post, follower and following counts) are set in the users rows. Writes into OUT the files
bench/seed.sh loads, and: readers-<L>.txt (reader ids per follow count), authors.txt (author ids, in
order), fanout-authors.txt ("<followers> <id> <id of its last follower>" lines), fans-timelines.resp (Redis commands that make a
ready, empty timeline for every fan, so the fan-out writes every follower's timeline).
"""
import argparse
import os
import random
import time

from seed import Ids, crc32c, password_hash, ts

# data.Timelines' key and its "ready" sentinel member (rank 0 of every timeline).
TIMELINE_KEY = "spillway:feed:tl:"
READY = "0" * 19 + ":0"


def resp(*args):
    out = f"*{len(args)}\r\n"
    for a in args:
        a = str(a)
        out += f"${len(a.encode())}\r\n{a}\r\n"
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--authors", type=int, default=5000)
    p.add_argument("--posts", type=int, default=50)
    p.add_argument("--levels", default="10,100,1000,5000")
    p.add_argument("--readers", type=int, default=20)
    p.add_argument("--fans", type=int, default=100000)
    p.add_argument("--shards", type=int, default=2)
    p.add_argument("--logical-shards", type=int, default=1024)
    p.add_argument("--iterations", type=int, default=600000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    levels = [int(x) for x in a.levels.split(",")]
    rnd = random.Random(a.seed)
    now_ms = int(time.time() * 1000)
    user_ids = Ids(now_ms - 2 * 86400_000)
    post_ids = Ids(now_ms - 86400_000)
    physical = lambda logical: logical * a.shards // a.logical_shards
    shard_of_id = lambda i: physical((i >> 10) & 8191)
    pw = password_hash(a.iterations)

    users = []  # [id, email, name, created_ms, posts, followers, following]

    def user(kind):
        i = len(users) + 1
        email = f"seed-{i}@example.com"
        uid, ms = user_ids.make(crc32c(email.encode()) % a.logical_shards)
        u = [uid, email, f"{kind} {i}", ms, 0, 0, 0]
        users.append(u)
        return u

    authors = [user("Author") for _ in range(a.authors)]
    readers = {level: [user(f"Reader{level}") for _ in range(a.readers)] for level in levels}
    fan_sizes = [s for s in (10, 1000, a.fans) if s <= a.fans]
    fan_authors = [(size, user(f"Followed by {size}")) for size in fan_sizes]
    fans = [user("Fan") for _ in range(a.fans)]

    files = {}

    def out(shard, table):
        key = (shard, table)
        if key not in files:
            files[key] = open(os.path.join(a.out, f"shard{shard}-{table}.csv"), "w")
        return files[key]

    for u in authors:
        logical = (u[0] >> 10) & 8191
        f = out(shard_of_id(u[0]), "posts")
        for k in range(a.posts):
            pid, ms = post_ids.make(logical)
            f.write(f"{pid},{u[0]},Post {k} by {u[2]},{ts(ms)}\n")
        u[4] = a.posts

    def follow(follower, followee):
        out(shard_of_id(follower[0]), "following").write(f"{follower[0]},{followee[0]}\n")
        out(shard_of_id(followee[0]), "followers").write(f"{followee[0]},{follower[0]}\n")
        follower[6] += 1
        followee[5] += 1

    for level, rs in readers.items():
        for r in rs:
            for j in rnd.sample(range(len(authors)), min(level, len(authors))):
                follow(r, authors[j])
    for size, author in fan_authors:
        for fan in fans[:size]:
            follow(fan, author)

    for u in users:
        s = shard_of_id(u[0])
        created = ts(u[3])
        out(s, "users").write(f"{u[0]},{u[1]},{u[2]},\"{pw}\",{u[4]},{u[5]},{u[6]},{created},{created}\n")
        out(s, "email_directory").write(f"{u[1]},{u[0]}\n")
    open(os.path.join(a.out, "baseline-users.csv"), "w").close()
    for s in range(a.shards):
        for t in ("users", "email_directory", "posts", "following", "followers"):
            out(s, t)
    for f in files.values():
        f.close()

    for level, rs in readers.items():
        with open(os.path.join(a.out, f"readers-{level}.txt"), "w") as f:
            f.writelines(f"{r[0]}\n" for r in rs)
    with open(os.path.join(a.out, "authors.txt"), "w") as f:
        f.writelines(f"{u[0]}\n" for u in authors)
    with open(os.path.join(a.out, "fanout-authors.txt"), "w") as f:
        f.writelines(f"{size} {u[0]} {fans[size - 1][0]}\n" for size, u in fan_authors)
    with open(os.path.join(a.out, "fans-timelines.resp"), "w") as f:
        for fan in fans:
            key = TIMELINE_KEY + str(fan[0])
            f.write(resp("ZADD", key, 0, READY))
            f.write(resp("EXPIRE", key, 86400))
    # What bench/seed.sh expects besides the CSV files.
    ids = [u[0] for u in users]
    with open(os.path.join(a.out, "user-ids.txt"), "w") as f:
        f.writelines(f"{i}\n" for i in ids)
    with open(os.path.join(a.out, "active-ids.txt"), "w") as f:
        f.writelines(f"{u[0]}\n" for u in authors)
    print(f"growth seed: {a.authors} authors x {a.posts} posts, {a.readers} readers per follow count {levels}, "
          f"fan-out authors with {fan_sizes} followers, {len(users)} users on {a.shards} shards")


if __name__ == "__main__":
    main()
