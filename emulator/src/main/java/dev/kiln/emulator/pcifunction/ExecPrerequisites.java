package dev.kiln.emulator.pcifunction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What serving an emulated PCI function needs from the machine, checked before anything is
 * started so that a missing piece gives one clear sentence instead of a failure half-way: the FUSE
 * device {@code /dev/fuse}, readable and writable, and the CAP_SYS_ADMIN capability (mounting
 * FUSE without the setuid helper, creating a mount namespace, bind-mounting over sysfs).
 */
public final class ExecPrerequisites {
  /** Bit of CAP_SYS_ADMIN in the capability sets ({@code linux/capability.h}). */
  private static final int CAP_SYS_ADMIN = 21;

  private static final Path FUSE_DEVICE = Path.of("/dev/fuse");
  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private ExecPrerequisites() {}

  /** Why this process cannot serve an emulated PCI function, or empty when it can. */
  public static Optional<String> problem() {
    if (!Files.exists(FUSE_DEVICE)) {
      return Optional.of(
          "/dev/fuse does not exist: the emulated PCI function needs FUSE (apt-get install fuse3;"
              + " in a container, pass --device /dev/fuse)");
    }
    if (!Files.isReadable(FUSE_DEVICE) || !Files.isWritable(FUSE_DEVICE)) {
      return Optional.of("/dev/fuse is not readable and writable by this user");
    }
    if (!hasSysAdmin()) {
      return Optional.of(
          "the emulated PCI function needs CAP_SYS_ADMIN (run as root) to mount FUSE and bind it"
              + " over /sys/bus/pci/devices in a private mount namespace");
    }
    return Optional.empty();
  }

  /** Whether CAP_SYS_ADMIN is in this process's effective set ({@code CapEff} in proc(5)). */
  static boolean hasSysAdmin() {
    try {
      for (String line : Files.readAllLines(PROC_STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("CapEff:")) {
          long effective = Long.parseUnsignedLong(line.substring(7).trim(), 16);
          return (effective & (1L << CAP_SYS_ADMIN)) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }
}
