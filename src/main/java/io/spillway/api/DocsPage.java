package io.spillway.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code GET /docs}: Swagger UI over {@code /openapi.json}. The UI's files come from the {@code
 * org.webjars:swagger-ui} jar on the classpath and are served under {@code /docs/}; nothing is loaded from
 * another site.
 */
public final class DocsPage {
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String VERSION = webjarVersion();
  private static final Buffer PAGE = Buffer.buffer("""
      <!doctype html>
      <html lang="en">
      <head>
        <meta charset="utf-8">
        <title>Spillway API</title>
        <link rel="stylesheet" href="/docs/swagger-ui.css">
      </head>
      <body>
        <div id="ui"></div>
        <script src="/docs/swagger-ui-bundle.js"></script>
        <script>
          window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true });
        </script>
      </body>
      </html>
      """);

  private DocsPage() {}

  public static void mount(Router router) {
    router.get("/docs").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "public, max-age=300")
        .end(PAGE));
    router.get("/docs/*").handler(StaticHandler.create(WEBJAR + VERSION).setMaxAgeSeconds(86_400));
  }

  private static String webjarVersion() {
    try (InputStream in = DocsPage.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui webjar is not on the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
