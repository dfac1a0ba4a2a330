package dev.kiln.burner.pci;

import com.sun.jna.LastErrorException;
import dev.kiln.burner.pci.internal.LibC;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.ConfigSpace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The config space of a real PCI function through its sysfs file {@code
 * /sys/bus/pci/devices/<BDF>/config}, dword by dword with {@code pread}/{@code pwrite} (through
 * JNA). This is the only part of the PCI path that needs hardware; everything above it is tested
 * against the emulator's {@code EmulatedConfigSpace}.
 *
 * <p>Linux lets anyone read the first 64 bytes of the file but needs root (CAP_SYS_ADMIN) for the
 * rest and for writes, so the file is opened read-write and a permission failure is reported as
 * such. PCI config space is little-endian.
 */
public final class SysfsConfigSpace implements ConfigSpace {
  /** Domain:bus:device.function, e.g. {@code 0000:03:00.0}. */
  public static final Pattern BDF =
      Pattern.compile("[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]");

  private static final Path DEFAULT_ROOT = Path.of("/sys/bus/pci/devices");

  private final String bdf;
  private final Path file;
  private final int fd;
  private final byte[] buffer = new byte[4];
  private boolean closed;

  private SysfsConfigSpace(String bdf, Path file, int fd) {
    this.bdf = bdf;
    this.file = file;
    this.fd = fd;
  }

  /** Opens the config file of {@code bdf} under {@code /sys/bus/pci/devices}. */
  public static SysfsConfigSpace open(String bdf) throws TransportException {
    return open(DEFAULT_ROOT, bdf);
  }

  /**
   * Opens {@code root/<bdf>/config}.
   *
   * @throws TransportException naming the device and the cause (no such device, no permission, no
   *     native library) in one line
   */
  public static SysfsConfigSpace open(Path root, String bdf) throws TransportException {
    if (!BDF.matcher(bdf).matches()) {
      throw new TransportException(
          "pci:" + bdf + " is not a PCI address; expected domain:bus:device.function,"
              + " e.g. pci:0000:03:00.0");
    }
    Path file = root.resolve(bdf).resolve("config");
    if (!Files.exists(file)) {
      throw new TransportException(
          "pci:" + bdf + ": no such PCI device (" + file + " does not exist)");
    }
    LibC libc;
    try {
      libc = LibC.Holder.INSTANCE;
    } catch (LinkageError e) {
      throw new TransportException(
          "pci:" + bdf + ": cannot load the C library through JNA: " + e.getMessage(), e);
    }
    try {
      int fd = libc.open(file.toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
      return new SysfsConfigSpace(bdf, file, fd);
    } catch (LastErrorException e) {
      throw openFailure(bdf, file, e.getErrorCode(), e);
    }
  }

  static TransportException openFailure(String bdf, Path file, int errno, Throwable cause) {
    if (errno == LibC.EACCES || errno == LibC.EPERM) {
      return new TransportException(
          "pci:" + bdf + ": permission denied opening " + file
              + "; access to the device's configuration gateway needs root (CAP_SYS_ADMIN)",
          cause);
    }
    if (errno == LibC.ENOENT) {
      return new TransportException(
          "pci:" + bdf + ": no such PCI device (" + file + " does not exist)", cause);
    }
    return new TransportException(
        "pci:" + bdf + ": cannot open " + file + " (errno " + errno + ")", cause);
  }

  @Override
  public int readDword(int offset) throws TransportException {
    checkOffset(offset);
    try {
      long read = LibC.Holder.INSTANCE.pread(fd, buffer, 4, offset);
      if (read != 4) {
        throw new TransportException(
            String.format(
                "%s: short read of config space at 0x%x (%d bytes); are you root?",
                describe(), offset, read));
      }
    } catch (LastErrorException e) {
      throw new TransportException(
          String.format(
              "%s: reading config space at 0x%x failed (errno %d)",
              describe(), offset, e.getErrorCode()),
          e);
    }
    return ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
  }

  @Override
  public void writeDword(int offset, int value) throws TransportException {
    checkOffset(offset);
    ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value);
    try {
      long written = LibC.Holder.INSTANCE.pwrite(fd, buffer, 4, offset);
      if (written != 4) {
        throw new TransportException(
            String.format(
                "%s: short write of config space at 0x%x (%d bytes)", describe(), offset, written));
      }
    } catch (LastErrorException e) {
      throw new TransportException(
          String.format(
              "%s: writing config space at 0x%x failed (errno %d)",
              describe(), offset, e.getErrorCode()),
          e);
    }
  }

  private void checkOffset(int offset) throws TransportException {
    if (closed) {
      throw new TransportException(describe() + " is closed");
    }
    if ((offset & 3) != 0 || offset < 0) {
      throw new IllegalArgumentException("config-space offsets are dword aligned: " + offset);
    }
  }

  @Override
  public String describe() {
    return "pci:" + bdf;
  }

  /** The sysfs file behind this config space. */
  public Path file() {
    return file;
  }

  @Override
  public void close() throws TransportException {
    if (!closed) {
      closed = true;
      try {
        LibC.Holder.INSTANCE.close(fd);
      } catch (LastErrorException e) {
        throw new TransportException(describe() + ": closing the config file failed", e);
      }
    }
  }
}
