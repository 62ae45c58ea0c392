package io.spillway.push;

import java.util.Arrays;

/**
 * The subscriptions of one channel on one HttpVerticle, in an array: fan-out walks it without copying or a
 * lookup per socket, and a subscription leaves in constant time by moving the last one into its slot
 * (delivery order between sockets means nothing).
 */
final class ChannelFollowers {
  private Subscription[] subs = new Subscription[4];
  private int size;

  void add(Subscription s) {
    if (size == subs.length) {
      subs = Arrays.copyOf(subs, size * 2);
    }
    s.slot = size;
    subs[size++] = s;
  }

  /** True when {@code s} was here (it is removed at most once). */
  boolean remove(Subscription s) {
    int i = s.slot;
    if (i < 0 || i >= size || subs[i] != s) {
      return false;
    }
    Subscription last = subs[--size];
    subs[i] = last;
    last.slot = i;
    subs[size] = null;
    s.slot = -1;
    return true;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  Subscription get(int i) {
    return subs[i];
  }
}
