"""Two processes pass one byte back and forth over a pair of pipes: the time of one round trip is two wake-ups
of a sleeping process, each a context switch, plus four small system calls and this interpreter's own work.

    python3 bench/pingpong.py ROUND_TRIPS

Prints "round_trip_us=N". Run under `taskset -c 0` both processes share one core, so every wake-up is a switch
on that core; without it the scheduler may place them on two cores and wake one from the other.
"""
import os
import sys
import time


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for _ in range(n):
            os.read(to_child_r, 1)
            os.write(to_parent_w, b"x")
        os._exit(0)
    start = time.perf_counter()
    for _ in range(n):
        os.write(to_child_w, b"x")
        os.read(to_parent_r, 1)
    elapsed = time.perf_counter() - start
    os.waitpid(pid, 0)
    print("round_trip_us=%.2f" % (elapsed / n * 1e6))


if __name__ == "__main__":
    main()
