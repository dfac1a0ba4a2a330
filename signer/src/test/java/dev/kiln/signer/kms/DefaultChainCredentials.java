package dev.kiln.signer.kms;

import dev.kiln.testkit.kms.LocalKms;

/**
 * Hands the local KMS credentials to the AWS SDK's default credentials chain through its first
 * source, the {@code aws.accessKeyId} / {@code aws.secretAccessKey} system properties, so tests can
 * exercise the production client path; restores the previous values afterwards.
 */
final class DefaultChainCredentials {
  private static String previousId;
  private static String previousSecret;

  private DefaultChainCredentials() {}

  static synchronized void install() {
    previousId = System.getProperty("aws.accessKeyId");
    previousSecret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", LocalKms.ACCESS_KEY_ID);
    System.setProperty("aws.secretAccessKey", LocalKms.SECRET_ACCESS_KEY);
  }

  static synchronized void uninstall() {
    restore("aws.accessKeyId", previousId);
    restore("aws.secretAccessKey", previousSecret);
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
