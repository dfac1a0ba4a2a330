package dev.kiln.emulator.pcifunction;

import dev.kiln.emulator.pcifunction.fuse.FuseDirectory;
import dev.kiln.emulator.pcifunction.fuse.FuseFile;
import dev.kiln.emulator.pcifunction.fuse.FuseFilesystem;
import dev.kiln.emulator.pcifunction.fuse.FuseNode;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.ConfigSpace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A fake {@code /sys/bus/pci/devices} holding one function, {@code BDF/}, with the files mstflint
 * 4.21 reads when it opens a device by its PCI address ({@code mtcr_ul/mtcr_ul_com.c}):
 *
 * <ul>
 *   <li>{@code mopen_ul_int} → {@code mtcr_parse_name} → {@code check_force_config}: the first
 *       0x40 bytes of {@code config} (not a ConnectX-3, so config-space access is forced, and the
 *       {@code resource0} memory BAR is never tried: there is none);
 *   <li>{@code mdevices_v_ul} (via {@code init_dev_info_ul}): lists the directory and reads each
 *       entry's {@code vendor}; a missing {@code vendor} fails the whole listing;
 *   <li>{@code is_supported_device}: {@code device}, parsed with {@code strtol(…, 0)};
 *   <li>{@code mdevices_info_v_ul}: {@code infiniband/} and {@code net/} (absent: no kernel
 *       driver bound), {@code numa_node}, {@code virtfn*} (none: no SR-IOV), the config header;
 *   <li>{@code mtcr_pciconf_open}: {@code config}, opened read-write, then dword accesses.
 * </ul>
 *
 * <p>The identification files ({@code vendor}, {@code device}, {@code subsystem_vendor}, {@code
 * subsystem_device}, {@code class}, {@code revision}) are derived from the config header at every
 * open, in the kernel's formats ({@code drivers/pci/pci-sysfs.c}: {@code 0x%04x}, class {@code
 * 0x%06x}, revision {@code 0x%02x}); {@code numa_node} is {@code -1} and {@code irq} {@code 0}
 * (no NUMA affinity, no interrupt: nothing of this function is a real device).
 */
public final class SysfsFunctionTree implements FuseFilesystem {
  private final String bdf;
  private final String functionPath;
  private final ConfigSpaceFile configFile;
  private final Map<String, FuseNode> files;
  private final FuseDirectory root;
  private final FuseDirectory function;

  /**
   * @param bdf the function's address, e.g. {@code 0000:03:00.0}
   * @param config the function's config space (the device side)
   */
  public SysfsFunctionTree(String bdf, ConfigSpace config) {
    this.bdf = bdf;
    this.functionPath = "/" + bdf;
    this.configFile = new ConfigSpaceFile(config);
    this.files =
        Map.of(
            "config", configFile,
            "vendor", attribute(config, 0x00, v -> hex4(v & 0xFFFF)),
            "device", attribute(config, 0x00, v -> hex4(v >>> 16)),
            "subsystem_vendor", attribute(config, 0x2C, v -> hex4(v & 0xFFFF)),
            "subsystem_device", attribute(config, 0x2C, v -> hex4(v >>> 16)),
            "class", attribute(config, 0x08, v -> String.format("0x%06x\n", v >>> 8)),
            "revision", attribute(config, 0x08, v -> String.format("0x%02x\n", v & 0xFF)),
            "numa_node", constant("-1\n"),
            "irq", constant("0\n"));
    List<String> names = List.copyOf(new java.util.TreeSet<>(files.keySet()));
    this.function = directory(names);
    this.root = directory(List.of(bdf));
  }

  /** The function's address. */
  public String bdf() {
    return bdf;
  }

  @Override
  public FuseNode lookup(String path) {
    if (path.equals("/")) {
      return root;
    }
    if (path.equals(functionPath)) {
      return function;
    }
    if (path.startsWith(functionPath) && path.charAt(functionPath.length()) == '/') {
      return files.get(path.substring(functionPath.length() + 1));
    }
    return null;
  }

  private static String hex4(int value) {
    return String.format("0x%04x\n", value);
  }

  private static FuseDirectory directory(List<String> entries) {
    return new FuseDirectory() {
      @Override
      public List<String> entries() {
        return entries;
      }

      @Override
      public int permissions() {
        return 0755;
      }
    };
  }

  private static FuseFile constant(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    return new AttributeFile(() -> bytes);
  }

  /** A read-only text file computed from one config-header dword when it is read. */
  private static FuseFile attribute(ConfigSpace config, int offset, IntFunction<String> format) {
    return new AttributeFile(
        () -> format.apply(config.readDword(offset)).getBytes(StandardCharsets.US_ASCII));
  }

  /** The content of a sysfs attribute, computed on demand. */
  @FunctionalInterface
  private interface Content {
    byte[] bytes() throws TransportException;
  }

  /** A read-only sysfs attribute (0444), like the kernel's: its text, then end of file. */
  private record AttributeFile(Content content) implements FuseFile {
    @Override
    public int permissions() {
      return 0444;
    }

    @Override
    public long size() {
      // sysfs reports one page for every attribute; readers read until end of file.
      return 4096;
    }

    @Override
    public boolean writable() {
      return false;
    }

    @Override
    public int read(long offset, byte[] buffer, int length) throws IOException {
      byte[] bytes;
      try {
        bytes = content.bytes();
      } catch (TransportException e) {
        throw new IOException(e.getMessage(), e);
      }
      if (offset >= bytes.length) {
        return 0;
      }
      int count = (int) Math.min(length, bytes.length - offset);
      System.arraycopy(bytes, (int) offset, buffer, 0, count);
      return count;
    }

    @Override
    public int write(long offset, byte[] buffer, int length) throws IOException {
      throw new IOException("read-only attribute");
    }
  }
}
