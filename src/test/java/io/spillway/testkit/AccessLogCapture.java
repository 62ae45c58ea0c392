package io.spillway.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/** Captures what a logger writes, for tests that read the access log or check that secrets never appear. */
public final class AccessLogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private AccessLogCapture(String loggerName) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  public static AccessLogCapture of(String loggerName) {
    return new AccessLogCapture(loggerName);
  }

  public List<String> lines() {
    synchronized (appender.list) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** The access-log line of the request with this id, parsed. */
  public Optional<JsonObject> forRequest(String requestId) {
    return lines().stream().filter(l -> l.contains(requestId)).findFirst().map(JsonObject::new);
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
