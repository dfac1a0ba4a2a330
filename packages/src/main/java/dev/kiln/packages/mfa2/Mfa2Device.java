package dev.kiln.packages.mfa2;

import java.util.List;

/**
 * One device descriptor of an MFA2 archive: the PSID it is for and the indexes of its components
 * (its component pointer extensions, in order).
 */
public record Mfa2Device(String psid, List<Integer> components) {
  public Mfa2Device {
    components = List.copyOf(components);
    if (components.isEmpty()) {
      throw new IllegalArgumentException("device " + psid + " has no components");
    }
    if (psid.isEmpty() || psid.length() > 0xFFFF - 4) {
      throw new IllegalArgumentException("an MFA2 device needs a PSID");
    }
  }
}
