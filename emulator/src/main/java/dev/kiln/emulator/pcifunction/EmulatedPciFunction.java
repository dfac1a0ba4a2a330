package dev.kiln.emulator.pcifunction;

import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.emulator.Identification;
import dev.kiln.emulator.DeviceMode;
import dev.kiln.emulator.pci.CrSpaceFlashGateway;
import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.emulator.pcifunction.fuse.FuseMount;
import dev.kiln.registers.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An emulated device directory served as a PCI function: the device powered on in this JVM, its
 * config space ({@link EmulatedConfigSpace}: VSEC gateway, ICMD mailbox) behind a fake sysfs
 * devices directory ({@link SysfsFunctionTree}) that FUSE serves from a private temporary
 * directory (mode 0700, so no other user can reach the mount).
 *
 * <p>The PCI and HW device ids come from the device's state at power-on ({@link
 * EmulatedDevice#identify}): in flash recovery (livefish) the PCI device id equals the HW device
 * id, which is how mstflint and our own {@code pci:} transport recognise livefish.
 *
 * <p>The device runs for the life of this object, like {@code kiln device serve}: a burn's
 * pending image stays pending until a reset. {@link #close} unmounts, powers the device off and
 * removes the temporary directory; it is idempotent and safe from a shutdown hook.
 */
public final class EmulatedPciFunction implements AutoCloseable {
  /** The PCI address {@code kiln device exec} uses unless told otherwise. */
  public static final String DEFAULT_BDF = "0000:03:00.0";

  private static final String PREFIX = "kiln-pcifn-";
  /** The process id of the JVM that made a private directory, for {@link #sweepLeftovers}. */
  private static final String OWNER_FILE = "owner.pid";

  private final Path privateDirectory;
  private final Path devicesDirectory;
  private final EmulatedConfigSpace config;
  private final Identification identification;
  private final String bdf;
  private final FuseMount mount;
  private boolean closed;

  private EmulatedPciFunction(
      Path privateDirectory,
      Path devicesDirectory,
      EmulatedConfigSpace config,
      Identification identification,
      String bdf,
      FuseMount mount) {
    this.privateDirectory = privateDirectory;
    this.devicesDirectory = devicesDirectory;
    this.config = config;
    this.identification = identification;
    this.bdf = bdf;
    this.mount = mount;
  }

  /**
   * Powers on the device in {@code deviceDirectory} and mounts its function {@code bdf}.
   *
   * @param bdf a canonical (lower-case) PCI address such as {@code 0000:03:00.0}
   * @throws IOException when the device cannot be powered on (no device, in use by another
   *     process) or FUSE cannot mount ({@link dev.kiln.emulator.pcifunction.fuse.FuseException})
   */
  public static EmulatedPciFunction start(Path deviceDirectory, String bdf) throws IOException {
    return start(deviceDirectory, bdf, EmulatedDevice.Options.defaults());
  }

  /**
   * As {@link #start(Path, String)}, powering the device on with {@code options} (for instance
   * {@link EmulatedDevice.Options#withRecording} to record every register transaction the command
   * makes, or the flash-not-present jumper, {@link EmulatedDevice.Options#withFlashNotPresent}).
   */
  public static EmulatedPciFunction start(
      Path deviceDirectory, String bdf, EmulatedDevice.Options options) throws IOException {
    if (bdf.isEmpty() || bdf.contains("/") || bdf.startsWith(".")) {
      throw new IllegalArgumentException("not a PCI address: " + bdf);
    }
    EmulatedDevice device = EmulatedDevice.open(deviceDirectory, options);
    Path privateDirectory = null;
    try {
      Identification identification = device.identify();
      EmulatedConfigSpace config =
          EmulatedConfigSpace.builder(device)
              .deviceIds(identification.pciDeviceId(), identification.hwDevId())
              .flash(rawFlash(device))
              .build();
      sweepLeftovers();
      privateDirectory =
          Files.createTempDirectory(
              PREFIX,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.writeString(
          privateDirectory.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      Path devicesDirectory = Files.createDirectory(privateDirectory.resolve("devices"));
      FuseMount mount =
          FuseMount.mount(
              devicesDirectory, new SysfsFunctionTree(bdf, config), "kiln-pcifn");
      return new EmulatedPciFunction(
          privateDirectory, devicesDirectory, config, identification, bdf, mount);
    } catch (IOException | RuntimeException e) {
      device.close();
      if (privateDirectory != null) {
        deleteTree(privateDirectory);
      }
      throw e;
    }
  }

  /**
   * The device's flash as the CR-space flash gateway reaches it: through the emulator's raw
   * livefish gateway, so the gateway's own rules (livefish only, bounds, durability) apply.
   */
  private static CrSpaceFlashGateway.RawFlash rawFlash(EmulatedDevice device) {
    return new CrSpaceFlashGateway.RawFlash() {
      @Override
      public boolean reachable() {
        return device.mode() == DeviceMode.LIVEFISH;
      }

      @Override
      public long size() {
        return device.identity().flashSize();
      }

      @Override
      public byte[] read(long address, int length) throws TransportException {
        return device.gatewayRead(address, length);
      }

      @Override
      public void write(long address, byte[] data) throws TransportException {
        device.gatewayWrite(address, data);
      }
    };
  }

  /** The mounted fake {@code /sys/bus/pci/devices}: bind it over the real one. */
  public Path devicesDirectory() {
    return devicesDirectory;
  }

  /** A directory only this process's user can enter, for files that go with the mount. */
  public Path privateDirectory() {
    return privateDirectory;
  }

  /** The function's PCI address. */
  public String bdf() {
    return bdf;
  }

  /** What the device presented at power-on (mode, PCI and HW device ids). */
  public Identification identification() {
    return identification;
  }

  /** Config-space accesses served so far. */
  public long configAccesses() {
    return config.configAccesses();
  }

  /**
   * Removes the mount from this process's mount namespace; copies bound into other namespaces
   * stay served. Called once a child's private namespace holds its own bind of the directory.
   */
  public void detachFromThisNamespace() throws IOException {
    mount.unmount();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    mount.close();
    try {
      config.close();
    } catch (dev.kiln.registers.TransportException e) {
      // The emulated device's close does not fail; nothing left to release.
    }
    deleteTree(privateDirectory);
  }

  /**
   * Removes the private directories of earlier runs whose JVM was killed outright (SIGKILL leaves
   * the directory, never a mount: the mount lived in the command's namespace). A directory is
   * removed only when its owner process no longer exists and nothing is mounted in it here.
   */
  private static void sweepLeftovers() {
    Path temp = Path.of(System.getProperty("java.io.tmpdir"));
    String mounts;
    try {
      mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    } catch (IOException e) {
      return;
    }
    try (Stream<Path> entries = Files.list(temp)) {
      for (Path directory :
          entries.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList()) {
        Path owner = directory.resolve(OWNER_FILE);
        if (!Files.isRegularFile(owner) || mounts.contains(directory.toString())) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(Files.readString(owner).strip());
        } catch (IOException | NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(pid).isEmpty()) {
          deleteTree(directory);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Leftovers are empty, private and harmless; a sweep that cannot run is no failure.
    }
  }

  private static void deleteTree(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // Best effort: a directory still mounted elsewhere cannot go; it is empty and private.
    }
  }
}
