package io.spillway.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.AppenderAttachable;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Captures what a logger writes, as the lines the shipped {@code logback.xml} would print: each event is
 * encoded by the encoder of the console appender that the logger's events reach in production. For tests
 * that read the access log or check that secrets never appear in any line.
 */
public final class AccessLogCapture implements AutoCloseable {
  private final Logger logger;
  private final Encoder<ILoggingEvent> encoder;
  private final List<String> lines = new ArrayList<>();
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      String line = new String(encoder.encode(event), StandardCharsets.UTF_8).strip();
      synchronized (lines) {
        lines.add(line);
      }
    }
  };

  private AccessLogCapture(String loggerName) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    this.encoder = productionEncoder(logger);
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  public static AccessLogCapture of(String loggerName) {
    return new AccessLogCapture(loggerName);
  }

  /** Every line written so far, as printed. */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Every line written so far, parsed. */
  public List<JsonObject> json() {
    return lines().stream().map(JsonObject::new).toList();
  }

  /** The line of the request with this id, parsed. */
  public Optional<JsonObject> forRequest(String requestId) {
    return json().stream().filter(l -> requestId.equals(l.getString("requestId"))).findFirst();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }

  /** The encoder of the first console (output stream) appender that this logger's events reach. */
  @SuppressWarnings("unchecked")
  private static Encoder<ILoggingEvent> productionEncoder(Logger logger) {
    for (Logger l = logger; l != null; l = parent(l)) {
      Encoder<ILoggingEvent> found = find(l.iteratorForAppenders());
      if (found != null) {
        return found;
      }
      if (!l.isAdditive()) {
        break;
      }
    }
    throw new IllegalStateException("no appender with an encoder reaches logger " + logger.getName());
  }

  @SuppressWarnings("unchecked")
  private static Encoder<ILoggingEvent> find(Iterator<Appender<ILoggingEvent>> appenders) {
    while (appenders.hasNext()) {
      Appender<ILoggingEvent> a = appenders.next();
      if (a instanceof OutputStreamAppender<ILoggingEvent> out) {
        return out.getEncoder();
      }
      if (a instanceof AppenderAttachable<?> wrapper) {
        Encoder<ILoggingEvent> inner = find(((AppenderAttachable<ILoggingEvent>) wrapper).iteratorForAppenders());
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }

  private static Logger parent(Logger logger) {
    String name = logger.getName();
    if (Logger.ROOT_LOGGER_NAME.equals(name)) {
      return null;
    }
    int dot = name.lastIndexOf('.');
    return logger.getLoggerContext().getLogger(dot < 0 ? Logger.ROOT_LOGGER_NAME : name.substring(0, dot));
  }
}
