package dev.kiln.packages.mfa2;

import java.nio.charset.StandardCharsets;

/** The MFA2 constants both the reader and the writer use (layouts in {@link Mfa2Archive}). */
final class Mfa2Format {
  private Mfa2Format() {}

  static final byte[] FINGERPRINT = "MLNX.MFA2.XZ.00!".getBytes(StandardCharsets.US_ASCII);
  static final byte[] COMPONENT_MARKER = "#BIN.COMPONENT!#".getBytes(StandardCharsets.US_ASCII);

  static final int TLV_HEADER = 4;
  static final int ELEMENT_VERSION = 0;

  static final int TYPE_MULTI_PART = 0x01;
  static final int TYPE_PACKAGE_DESCRIPTOR = 0x02;
  static final int TYPE_DEVICE_DESCRIPTOR = 0x03;
  static final int TYPE_COMPONENT_DESCRIPTOR = 0x04;
  static final int TYPE_VERSION = 0x21;
  static final int TYPE_COMPONENT_POINTER = 0x22;
  static final int TYPE_SHA256 = 0x27;
  static final int TYPE_PSID = 0x2A;

  static final int MULTI_PART_LENGTH = 4;
  static final int PACKAGE_DESCRIPTOR_LENGTH = 28;
  static final int COMPONENT_DESCRIPTOR_LENGTH = 16;
  static final int COMPONENT_POINTER_LENGTH = 8;
  static final int SHA256_LENGTH = 32;

  /** The compression byte mstarchive writes (XZ). */
  static final int COMPRESSION_XZ = 1;

  /** The storage id mstarchive writes in every component pointer. */
  static final int STORAGE_ID = 1;

  static int align4(long value) {
    return (int) ((value + 3) & ~3L);
  }
}
