package dev.kiln.signer.kms.testserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A local STS endpoint answering {@code AssumeRoleWithWebIdentity} (query protocol, XML answer)
 * with fixed temporary credentials, so a test can prove that the SDK's default credentials chain
 * uses web identity (the GitHub OIDC path, which needs the {@code sts} module) and that Kiln's KMS
 * endpoint override does not redirect STS. Every other action is answered with an error.
 */
public final class LocalSts implements AutoCloseable {
  private final HttpServer server;
  private final String accessKeyId;
  private final String secretAccessKey;
  private final List<Map<String, String>> requests =
      Collections.synchronizedList(new ArrayList<>());

  private LocalSts(HttpServer server, String accessKeyId, String secretAccessKey) {
    this.server = server;
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
  }

  /** Starts on 127.0.0.1, a free port; issues the given temporary credentials. */
  public static LocalSts start(String accessKeyId, String secretAccessKey) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    LocalSts sts = new LocalSts(server, accessKeyId, secretAccessKey);
    server.createContext("/", sts::handle);
    server.start();
    return sts;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The form parameters of every request received. */
  public List<Map<String, String>> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        form.put(
            URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    requests.add(Map.copyOf(form));
    String requestId = UUID.randomUUID().toString();
    int status;
    String xml;
    if ("AssumeRoleWithWebIdentity".equals(form.get("Action"))) {
      status = 200;
      xml =
          "<AssumeRoleWithWebIdentityResponse"
              + " xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
              + "<AssumeRoleWithWebIdentityResult>"
              + "<Credentials>"
              + "<AccessKeyId>"
              + accessKeyId
              + "</AccessKeyId>"
              + "<SecretAccessKey>"
              + secretAccessKey
              + "</SecretAccessKey>"
              + "<SessionToken>local-session-token</SessionToken>"
              + "<Expiration>2099-01-01T00:00:00Z</Expiration>"
              + "</Credentials>"
              + "<SubjectFromWebIdentityToken>repo:example/firmware</SubjectFromWebIdentityToken>"
              + "<AssumedRoleUser>"
              + "<Arn>arn:aws:sts::111122223333:assumed-role/kiln-release-signer/ci</Arn>"
              + "<AssumedRoleId>AROAKILNLOCAL:ci</AssumedRoleId>"
              + "</AssumedRoleUser>"
              + "</AssumeRoleWithWebIdentityResult>"
              + "<ResponseMetadata><RequestId>"
              + requestId
              + "</RequestId></ResponseMetadata>"
              + "</AssumeRoleWithWebIdentityResponse>";
    } else {
      status = 400;
      xml =
          "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>"
              + "<Message>not served here</Message></Error>"
              + "<RequestId>"
              + requestId
              + "</RequestId></ErrorResponse>";
    }
    byte[] out = xml.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/xml");
    exchange.sendResponseHeaders(status, out.length);
    try (OutputStream stream = exchange.getResponseBody()) {
      stream.write(out);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
