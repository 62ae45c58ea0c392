package io.spillway.limit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter alone on its cache line: 56 bytes of padding on each side (a superclass's fields are laid out
 * before a subclass's, so the layers keep their order), for a value that several cores update while others
 * read the fields next to it.
 */
abstract class UnitsCell extends UnitsPadAfter {
  private static final VarHandle UNITS;

  static {
    try {
      UNITS = MethodHandles.lookup().findVarHandle(UnitsValue.class, "units", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  UnitsCell(long initial) {
    UNITS.setRelease(this, initial);
  }

  final long units() {
    return (long) UNITS.getVolatile(this);
  }

  final boolean casUnits(long expected, long next) {
    return UNITS.compareAndSet(this, expected, next);
  }

  final void addUnits(long delta) {
    UNITS.getAndAdd(this, delta);
  }

  final long swapUnits(long next) {
    return (long) UNITS.getAndSet(this, next);
  }
}

abstract class UnitsPadBefore {
  long p1, p2, p3, p4, p5, p6, p7;
}

abstract class UnitsValue extends UnitsPadBefore {
  volatile long units;
}

abstract class UnitsPadAfter extends UnitsValue {
  long q1, q2, q3, q4, q5, q6, q7;
}
