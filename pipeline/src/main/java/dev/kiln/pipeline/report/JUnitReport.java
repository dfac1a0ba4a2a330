package dev.kiln.pipeline.report;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes check results as JUnit XML (the Ant/Surefire "testsuites" format that Jenkins, GitLab and
 * GitHub test views read).
 *
 * <p>Mapping: one {@code <testsuite>} per subject (image), one {@code <testcase>} per check that
 * that applies (name = finding code), with a {@code <failure>} child for every error finding of
 * that code, and an {@code <error>} child when the check could not run at all (its input is not an
 * image: the check neither passed nor found a problem, and must not show as a pass). Warnings
 * appear in {@code <system-out>} of their test case and do not fail it.
 */
public final class JUnitReport {
  private JUnitReport() {}

  /** Renders the entries as UTF-8 JUnit XML under a {@code <testsuites name=suiteName>} root. */
  public static byte[] render(List<ReportEntry> entries, String suiteName) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(bytes, "UTF-8");
      xml.writeStartDocument("UTF-8", "1.0");
      xml.writeCharacters("\n");
      int totalTests = 0;
      int totalFailures = 0;
      int totalErrors = 0;
      List<List<TestCase>> suites = new ArrayList<>();
      for (ReportEntry entry : entries) {
        List<TestCase> cases = testCases(entry);
        suites.add(cases);
        totalTests += cases.size();
        totalFailures += (int) cases.stream().filter(TestCase::failed).count();
        totalErrors += (int) cases.stream().filter(c -> c.notEvaluated != null).count();
      }
      xml.writeStartElement("testsuites");
      xml.writeAttribute("name", suiteName);
      xml.writeAttribute("tests", Integer.toString(totalTests));
      xml.writeAttribute("failures", Integer.toString(totalFailures));
      xml.writeAttribute("errors", Integer.toString(totalErrors));
      xml.writeCharacters("\n");
      for (int i = 0; i < entries.size(); i++) {
        writeSuite(xml, entries.get(i).subject(), suites.get(i));
      }
      xml.writeEndElement();
      xml.writeCharacters("\n");
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      // Writing to memory cannot fail for I/O reasons; this would be a bug in the writer.
      throw new IllegalStateException("cannot render JUnit XML", e);
    }
    return bytes.toByteArray();
  }

  private static void writeSuite(XMLStreamWriter xml, String subject, List<TestCase> cases)
      throws XMLStreamException {
    long failures = cases.stream().filter(TestCase::failed).count();
    long errors = cases.stream().filter(c -> c.notEvaluated != null).count();
    xml.writeCharacters("  ");
    xml.writeStartElement("testsuite");
    xml.writeAttribute("name", subject);
    xml.writeAttribute("tests", Integer.toString(cases.size()));
    xml.writeAttribute("failures", Long.toString(failures));
    xml.writeAttribute("errors", Long.toString(errors));
    xml.writeAttribute("skipped", "0");
    xml.writeAttribute("time", "0");
    xml.writeCharacters("\n");
    for (TestCase testCase : cases) {
      xml.writeCharacters("    ");
      xml.writeStartElement("testcase");
      xml.writeAttribute("classname", subject);
      xml.writeAttribute("name", testCase.code);
      xml.writeAttribute("time", "0");
      if (testCase.notEvaluated != null) {
        xml.writeStartElement("error");
        xml.writeAttribute("type", "NOT_EVALUATED");
        xml.writeAttribute("message", testCase.notEvaluated);
        xml.writeCharacters(testCase.code + " was not evaluated: " + testCase.notEvaluated);
        xml.writeEndElement();
      }
      for (CheckFinding failure : testCase.failures) {
        xml.writeStartElement("failure");
        xml.writeAttribute("type", failure.code());
        xml.writeAttribute("message", failure.message());
        xml.writeCharacters(failure.toString());
        xml.writeEndElement();
      }
      if (!testCase.notes.isEmpty()) {
        xml.writeStartElement("system-out");
        xml.writeCharacters(String.join("\n", testCase.notes));
        xml.writeEndElement();
      }
      xml.writeEndElement();
      xml.writeCharacters("\n");
    }
    xml.writeCharacters("  ");
    xml.writeEndElement();
    xml.writeCharacters("\n");
  }

  private static List<TestCase> testCases(ReportEntry entry) {
    Set<String> codes = new LinkedHashSet<>(entry.checks());
    entry.findings().forEach(f -> codes.add(f.code()));
    List<TestCase> cases = new ArrayList<>();
    for (String code : codes) {
      TestCase testCase = new TestCase(code);
      testCase.notEvaluated = entry.notEvaluated().get(code);
      for (CheckFinding finding : entry.findings()) {
        if (finding.code().equals(code)) {
          if (finding.isError()) {
            testCase.failures.add(finding);
          } else {
            testCase.notes.add(finding.toString());
          }
        }
      }
      cases.add(testCase);
    }
    return cases;
  }

  private static final class TestCase {
    final String code;
    final List<CheckFinding> failures = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** Why the check could not run, or null when it ran. */
    String notEvaluated;

    TestCase(String code) {
      this.code = code;
    }

    /** A failure is a check that ran and found an error (JUnit counts errors separately). */
    boolean failed() {
      return notEvaluated == null && !failures.isEmpty();
    }
  }
}
