#!/usr/bin/env python3
"""Arithmetic for the bench scripts (python3 stdlib only).

  stats.py pgbench OUT SLO_MS LOG...      one summary line for a pgbench run, in run_wrk's format
                                          (percentiles from pgbench's sampled per-transaction log)
  stats.py summary ROUNDS CMP [A/B]       per-run table and medians of comparison CMP from a rounds file
                                          (lines "cmp=.. target=.. round=.. key=value..."), and the ratio
                                          of target A to target B
  stats.py median ROUNDS CMP TARGET KEY   the median of one field
  stats.py cost ROUNDS                    bench/cost.sh's table: medians of req/s, p99 and CPU per request
  stats.py openloop OUT CLASS             one summary line from OpenLoopLoad's "run" line of CLASS
  stats.py curve ROUNDS CMP TARGET...     the median latency percentile curve of each target, from the
                                          "pct" fields of the rounds (a gnuplot data file)
  stats.py overload ROUNDS                the overload table (medians per load, shedding mode and class)
  stats.py overload-dat ROUNDS CAPACITY   the same as a gnuplot data file
  stats.py histogram BEFORE AFTER NAME    count, p50 and p99 (ms) of the observations a Prometheus histogram
                                          NAME (seconds; every label set summed) got between two scrapes
  stats.py slow BEFORE AFTER NAME MS      per label set of a Prometheus histogram NAME (seconds), the
                                          observations between two scrapes and how many of them took
                                          longer than the first bucket bound at or above MS
  stats.py host ROUNDS                    bench/host.sh's table: median pipe round trip per placement and
                                          pgbench -S transactions/s per client count, with tps(64)/tps(2)
  stats.py raise-limits DEFAULTS FACTOR [LEASE_FACTOR [units]]
                                          the shipped rate-limit policies with every number (rate, burst,
                                          limit) multiplied by FACTOR (and leaseSize by LEASE_FACTOR, 1 by
                                          default), as one JSON array
"""
import json
import math
import statistics
import sys


def pct(sorted_values, p):
    if not sorted_values:
        return float("nan")
    i = math.ceil(p / 100.0 * len(sorted_values)) - 1
    return sorted_values[max(0, min(len(sorted_values) - 1, i))]


def pgbench(out, slo_ms, logs):
    text = open(out).read().splitlines()
    tps = next(float(l.split()[2]) for l in text if l.startswith("tps ="))
    processed = next(int(l.split(":")[1].split("/")[0]) for l in text
                     if l.startswith("number of transactions actually processed"))
    failed = next((int(l.split(":")[1].split()[0]) for l in text if l.startswith("number of failed")), 0)
    # log line: client_id transaction_no time_us script_no time_epoch time_us_part
    lat = sorted(int(l.split()[2]) / 1000.0 for f in logs for l in open(f))
    within = sum(1 for x in lat if x <= slo_ms) / len(lat)
    print(f"requests={processed} rps={tps:.1f} non2xx={failed} socket_errors=0 p50_ms={pct(lat, 50):.3f} "
          f"p90_ms={pct(lat, 90):.3f} p99_ms={pct(lat, 99):.3f} p999_ms={pct(lat, 99.9):.3f} "
          f"max_ms={lat[-1]:.3f} slo_ms={slo_ms:g} good_rps={tps * within:.1f}")


def read_rounds(path):
    rows = []
    for line in open(path):
        fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        if fields:
            rows.append(fields)
    return rows


def median(rows, cmp, target, key):
    vals = [float(r[key]) for r in rows if r["cmp"] == cmp and r["target"] == target and key in r]
    return statistics.median(vals) if vals else float("nan")


def targets(rows, cmp):
    """The targets of comparison CMP, in the order of their first round."""
    return list(dict.fromkeys(r["target"] for r in rows if r["cmp"] == cmp))


def rounds(rows, cmp, target):
    return sum(1 for r in rows if r["cmp"] == cmp and r["target"] == target)


def fmt(x, digits=1):
    if x != x:
        return "-"
    return f"{x:,.{digits}f}"


COLUMNS = [("rps", "req/s", 0), ("p50_ms", "p50 ms", 2), ("p90_ms", "p90 ms", 2), ("p99_ms", "p99 ms", 2),
           ("p999_ms", "p99.9 ms", 2), ("good_rps", "goodput/s", 0), ("non2xx", "non-2xx", 0),
           ("socket_errors", "socket errors", 0), ("lag_p99_ms", "client lag p99 ms", 1),
           ("load1", "load avg (1 min)", 1)]


def summary(path, cmp, ratio=None):
    rows = [r for r in read_rounds(path) if r["cmp"] == cmp]
    print(f"| target | round | {' | '.join(c[1] for c in COLUMNS)} |")
    print(f"| --- | --- | {' | '.join('---' for _ in COLUMNS)} |")
    for r in rows:
        print(f"| {r['target']} | {r['round']} | "
              + " | ".join(fmt(float(r.get(k, 'nan')), d) for k, _, d in COLUMNS) + " |")
    for t in targets(rows, cmp):
        print(f"| **{t}** | **median** | "
              + " | ".join(f"**{fmt(median(rows, cmp, t, k), d)}**" for k, _, d in COLUMNS) + " |")
    print()
    for t in targets(rows, cmp):
        slo = next((r.get("slo_ms", "?") for r in rows if r["target"] == t), "?")
        print(f"summary cmp={cmp} target={t} rounds={rounds(rows, cmp, t)} "
              + " ".join(f"{k}={median(rows, cmp, t, k):.3f}" for k, _, _ in COLUMNS) + f" (medians; goodput = 2xx within {slo} ms)")
    if ratio:
        a, b = ratio.split("/")
        parts = []
        for k in ("rps", "good_rps", "p50_ms", "p99_ms"):
            mb = median(rows, cmp, b, k)
            parts.append(f"{k}={median(rows, cmp, a, k) / mb:.2f}" if mb else f"{k}=-")
        print(f"ratio cmp={cmp} {a}/{b} " + " ".join(parts))


def cost(path):
    rows = [r for r in read_rounds(path) if r["cmp"] == "cost"]
    routes = targets(rows, "cost")
    print("| route | req/s | p99 ms | server CPU us/request | redis CPU us/request | PostgreSQL CPU us/request |")
    print("| --- | --- | --- | --- | --- | --- |")
    for t in routes:
        print(f"| {t} | {fmt(median(rows, 'cost', t, 'rps'), 0)} | {fmt(median(rows, 'cost', t, 'p99_ms'), 2)} | "
              f"{fmt(median(rows, 'cost', t, 'server_cpu_us'))} | {fmt(median(rows, 'cost', t, 'redis_cpu_us'))} | "
              f"{fmt(median(rows, 'cost', t, 'pg_cpu_us'))} |")
    print()
    for t in routes:
        print(f"cost route={t} " + " ".join(f"{k}={median(rows, 'cost', t, k):.1f}"
                                            for k in ("rps", "p99_ms", "server_cpu_us", "redis_cpu_us", "pg_cpu_us"))
              + " (medians)")


def host(path):
    rows = read_rounds(path)
    trips = [(pin, median(rows, "pingpong", pin, "round_trip_us"), rounds(rows, "pingpong", pin))
             for pin in targets(rows, "pingpong")]
    tps = {c: (median(rows, "pgbench", c, "rps"), rounds(rows, "pgbench", c)) for c in targets(rows, "pgbench")}
    print("| measure | median | rounds |")
    print("| --- | --- | --- |")
    for pin, us, n in trips:
        print(f"| pipe round trip, {'one core' if pin == 'one' else 'both cores'} (us) | {fmt(us, 2)} | {n} |")
    for c, (t, n) in tps.items():
        print(f"| pgbench -S, {c} client(s) (tps) | {fmt(t, 0)} | {n} |")
    print()
    for pin, us, _ in trips:
        print(f"host pingpong cores={pin} round_trip_us={us:.2f} (median)")
    for c, (t, _) in tps.items():
        print(f"host pgbench clients={c} tps={t:.0f} (median)")
    if "2" in tps and "64" in tps:
        print(f"host pgbench tps(64)/tps(2)={tps['64'][0] / tps['2'][0]:.2f}")


def openloop(out, cls):
    lag = " ".join(l.split(" ", 3)[3].strip() for l in open(out) if l.startswith("sendlag "))
    for line in open(out):
        if line.startswith("run ") and f" class={cls} " in line:
            f = dict(kv.split("=", 1) for kv in line.split()[1:])
            print(f"requests={f['sent']} offered_rps={f['offered_rps']} rps={f['ok_rps']} "
                  f"non2xx={int(f['shed']) + int(f['other'])} socket_errors={f['errors']} p50_ms={f['p50_ms']} "
                  f"p90_ms={f['p90_ms']} p99_ms={f['p99_ms']} p999_ms={f['p999_ms']} max_ms={f['max_ms']} "
                  f"slo_ms={f['slo_ms']} good_rps={f['good_rps']} {lag}")
            return
    sys.exit(f"no run line for class {cls} in {out}")


def curve(path, cmp, targets):
    """pct fields look like pct=50:1.23,90:2.34,... on each round's line."""
    rows = [r for r in read_rounds(path) if r["cmp"] == cmp]
    print("# percentile nines " + " ".join(targets) + "   (median over rounds, ms)")
    points = None
    per_target = {}
    for t in targets:
        curves = [dict(tuple(map(float, kv.split(":"))) for kv in r["pct"].split(",")) for r in rows
                  if r["target"] == t and "pct" in r]
        points = sorted(curves[0]) if curves else points
        per_target[t] = curves
    for p in points or []:
        if p >= 100:
            continue
        vals = [statistics.median(c[p] for c in per_target[t]) if per_target[t] else float("nan") for t in targets]
        print(f"{p:g} {-math.log10(1 - p / 100):.4f} " + " ".join(f"{v:.3f}" for v in vals))


def overload_medians(path):
    rows = [r for r in read_rounds(path) if r.get("cmp") == "overload"]
    loads = sorted({float(r["load"]) for r in rows})
    med = {}
    for load in loads:
        for mode in ("on", "off"):
            for cls in ("critical", "normal", "sheddable", "all"):
                sel = [r for r in rows if float(r["load"]) == load and r["target"] == mode and r["class"] == cls]
                if sel:
                    med[(load, mode, cls)] = {k: statistics.median(float(r[k]) for r in sel)
                                              for k in sel[0] if _number(sel[0].get(k, ""))} | {"rounds": len(sel)}
    return loads, med


def _number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def overload(path):
    loads, med = overload_medians(path)
    print("| load | shedding | offered/s | goodput/s | goodput % | critical good % | normal good % | sheddable good % "
          "| shed/s | errors | p99 critical ms | p99 normal ms | p99 sheddable ms | client lag p99 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for load in loads:
        for mode in ("on", "off"):
            a = med.get((load, mode, "all"))
            if not a:
                continue
            c, n, sh = (med[(load, mode, k)] for k in ("critical", "normal", "sheddable"))
            print(f"| {load:g}x | {mode} | {fmt(a['offered_rps'], 0)} | {fmt(a['good_rps'], 0)} | {fmt(a['good_pct'])} "
                  f"| {fmt(c['good_pct'])} | {fmt(n['good_pct'])} | {fmt(sh['good_pct'])} | {fmt(a['shed_rps'], 0)} "
                  f"| {fmt(a['errors'], 0)} | {fmt(c['p99_ms'], 1)} | {fmt(n['p99_ms'], 1)} | {fmt(sh['p99_ms'], 1)} "
                  f"| {fmt(a.get('lag_p99_ms', float('nan')), 1)} |")
    print()
    for load in loads:
        for mode in ("on", "off"):
            a = med.get((load, mode, "all"))
            if a:
                c, n, sh = (med[(load, mode, k)] for k in ("critical", "normal", "sheddable"))
                print(f"summary load={load:g}x shedding={mode} rounds={a['rounds']} offered_rps={a['offered_rps']:.0f} "
                      f"good_rps={a['good_rps']:.0f} good_pct={a['good_pct']:.1f} critical_good_pct={c['good_pct']:.1f} "
                      f"normal_good_pct={n['good_pct']:.1f} sheddable_good_pct={sh['good_pct']:.1f} "
                      f"shed_rps={a['shed_rps']:.0f} p99_critical_ms={c['p99_ms']:.1f} p99_normal_ms={n['p99_ms']:.1f} "
                      f"p99_sheddable_ms={sh['p99_ms']:.1f} (medians)")


def overload_dat(path, capacity):
    loads, med = overload_medians(path)
    print(f"# capacity {capacity} req/s; medians over rounds; p99 of 2xx answers in ms")
    print("# load offered good_on good_off p99_critical_on p99_critical_off p99_normal_on p99_normal_off "
          "p99_sheddable_on p99_sheddable_off good_pct_on good_pct_off")
    for load in loads:
        g = lambda mode, cls, k: med.get((load, mode, cls), {}).get(k, float("nan"))
        print(f"{load:g} {g('on', 'all', 'offered_rps'):.0f} {g('on', 'all', 'good_rps'):.0f} "
              f"{g('off', 'all', 'good_rps'):.0f} "
              + " ".join(f"{g(m, c, 'p99_ms'):.2f}" for c in ("critical", "normal", "sheddable") for m in ("on", "off"))
              + f" {g('on', 'all', 'good_pct'):.1f} {g('off', 'all', 'good_pct'):.1f}")


def raise_limits(defaults, factor, lease_factor=1.0, units=False):
    """The shipped policies with their numbers times FACTOR. A lease given as a share ("10%") follows the
    policy; LEASE_FACTOR multiplies it too (a share at most 100%). With `units`, a share is first turned into
    the units it is of the shipped numbers (for a build that takes only units)."""
    policies = json.load(open(defaults))["limits"]["policies"]
    for p in policies:
        capacity = p.get("burst", p.get("limit"))
        for k in ("rate", "burst", "limit"):
            if k in p:
                p[k] = int(p[k] * factor)
        lease = p.get("leaseSize")
        if isinstance(lease, str):
            if units:
                lease = max(1, int(capacity * float(lease.rstrip("%")) / 100))
            else:
                p["leaseSize"] = "%g%%" % min(100.0, float(lease.rstrip("%")) * lease_factor)
        if isinstance(lease, int):
            p["leaseSize"] = int(lease * lease_factor)
    print(json.dumps(policies, separators=(",", ":")))


def jfr_top(samples_file, n):
    """Event-loop samples of `jfr print --events jdk.ExecutionSample`: top frames by self time, and the
    share of samples that pass through each Spillway, Vert.x Web, Micrometer, Redis-client and Netty-codec
    frame (inclusive)."""
    import collections
    import re
    text = open(samples_file).read()
    top, incl = collections.Counter(), collections.Counter()
    total = 0
    for event in text.split("jdk.ExecutionSample")[1:]:
        thread = re.search(r'sampledThread = "([^"]+)"', event)
        if not thread or "eventloop" not in thread.group(1):
            continue
        frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
        if not frames:
            continue
        total += 1
        top[frames[0]] += 1
        for f in set(frames):
            incl[f] += 1
    print(f"event-loop samples: {total}")
    print("### top frames (self)")
    for f, c in top.most_common(n):
        print(f"{100.0 * c / total:5.1f}% {f}")
    print("### inclusive, by area")
    keep = ("io.spillway.", "io.vertx.ext.web.impl.RouterImpl.handle", "io.vertx.micrometer.", "io.micrometer.core.instrument.MeterRegistry",
            "io.vertx.redis.client.impl.RedisStandaloneConnection.send", "io.netty.handler.codec.http.HttpObjectDecoder.decode",
            "io.vertx.core.http.impl.Http1xServerResponse.end", "java.util.regex.Matcher.matches", "ch.qos.logback")
    for f, c in incl.most_common():
        if f.startswith(keep) and 100.0 * c / total >= 0.5:
            print(f"{100.0 * c / total:5.1f}% {f}")


def _series(scrape, name):
    """{labels without le: {le: count}} of histogram NAME in one scrape."""
    out = {}
    for line in open(scrape):
        if line.startswith(name + "_bucket{"):
            labels, value = line.rsplit(" ", 1)
            inner = labels[len(name) + len("_bucket{"):-1]
            parts = [p for p in inner.split('",') if p]
            le_part = next(p for p in parts if p.startswith('le="'))
            le = le_part[len('le="'):].rstrip('"')
            key = ",".join(p if p.endswith('"') else p + '"' for p in parts if p is not le_part)
            out.setdefault(key, {})[float("inf") if le == "+Inf" else float(le)] = float(value)
    return out


def _buckets(scrape, name):
    """{le: count} of histogram NAME in one scrape, every label set summed."""
    out = {}
    for series in _series(scrape, name).values():
        for le, count in series.items():
            out[le] = out.get(le, 0.0) + count
    return out


def histogram(before, after, name):
    a, b = _buckets(after, name), _buckets(before, name)
    cum = sorted((le, a[le] - b.get(le, 0.0)) for le in a)
    total = cum[-1][1] if cum else 0

    def q(p):
        # The upper bound of the first bucket holding the p-th observation (an upper estimate).
        for le, c in cum:
            if c >= p * total:
                return le * 1000
        return float("nan")
    print(f"count={total:.0f} p50_ms={q(0.5):.1f} p99_ms={q(0.99):.1f}")


def slow(before, after, name, ms):
    a, b = _series(after, name), _series(before, name)
    for key in sorted(a):
        now, then = a[key], b.get(key, {})
        total = now[float("inf")] - then.get(float("inf"), 0.0)
        if total <= 0:
            continue
        bound = min(le for le in now if le * 1000 >= ms)
        over = total - (now[bound] - then.get(bound, 0.0))
        print(f"{name}{{{key}}} count={total:.0f} over_{bound * 1000:.0f}ms={over:.0f}")


def main():
    cmd = sys.argv[1]
    if cmd == "pgbench":
        pgbench(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
    elif cmd == "summary":
        summary(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    elif cmd == "median":
        print(f"{median(read_rounds(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]):.3f}")
    elif cmd == "cost":
        cost(sys.argv[2])
    elif cmd == "host":
        host(sys.argv[2])
    elif cmd == "openloop":
        openloop(sys.argv[2], sys.argv[3])
    elif cmd == "curve":
        curve(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "overload":
        overload(sys.argv[2])
    elif cmd == "overload-dat":
        overload_dat(sys.argv[2], sys.argv[3])
    elif cmd == "jfr-top":
        jfr_top(sys.argv[2], int(sys.argv[3]))
    elif cmd == "raise-limits":
        raise_limits(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 1.0,
                     len(sys.argv) > 5 and sys.argv[5] == "units")
    elif cmd == "slow":
        slow(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
    elif cmd == "histogram":
        histogram(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
