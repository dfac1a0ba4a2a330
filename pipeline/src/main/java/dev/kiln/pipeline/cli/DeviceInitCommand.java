package dev.kiln.pipeline.cli;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.section.DeviceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code kiln device init DIR --device cx6dx --psid PSID --image IMAGE [--flash-size SIZE]}:
 * creates an emulated secure-FW device directory (docs/emulator.md) running {@code IMAGE}. The
 * image's PUBLIC_KEYS and FORBIDDEN_VERSIONS sections become what the device trusts and refuses.
 */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create an emulated secure-FW device directory running a first image.",
      "The image must be for this device (HW id, PSID), signed by one of its own keys and"
          + " secure FW; its public keys and forbidden versions are what the device trusts."
    })
public final class DeviceInitCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "New device directory (empty).")
  Path dir;

  @Option(
      names = "--device",
      required = true,
      paramLabel = "TYPE",
      description = "Chip type: ${COMPLETION-CANDIDATES}.",
      completionCandidates = DeviceTypes.class)
  String device;

  @Option(names = "--psid", required = true, description = "Board PSID (1-16 characters).")
  String psid;

  @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "First image.")
  Path image;

  @Option(
      names = "--flash-size",
      paramLabel = "SIZE",
      description =
          "Flash size (bytes, or with K/M/G suffix; two image slots of half each). Default: twice"
              + " the image's slot size, at least twice the image rounded up to a power of 2.")
  String flashSize;

  @Option(
      names = "--base-mac",
      paramLabel = "HEX",
      description = "Manufacturing base MAC, 12 hex digits (default ${DEFAULT-VALUE}).",
      defaultValue = "0002c9000001")
  String baseMac;

  /** Lists the chip names for the help text. */
  static final class DeviceTypes implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.Arrays.stream(DeviceType.values()).map(DeviceType::cliName).iterator();
    }
  }

  @Override
  public Integer call() throws IOException {
    DeviceType type =
        DeviceType.byCliName(device.toLowerCase(Locale.ROOT))
            .orElseThrow(
                () ->
                    new CommandFailure(
                        ExitCodes.USAGE,
                        "unknown device type '" + device + "'; known: " + DeviceType.cliNames()));
    long mac;
    try {
      mac = Long.parseLong(baseMac.replace(":", ""), 16);
    } catch (NumberFormatException e) {
      throw new CommandFailure(ExitCodes.USAGE, "--base-mac wants 12 hex digits: " + baseMac);
    }
    if (Files.exists(dir)) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new CommandFailure(
              ExitCodes.USAGE, dir + " is not empty; a device directory is created empty");
        }
      }
    }
    // One bounded read: the image parsed is the image written to the emulated flash.
    byte[] bytes = ImageParser.readFile(image);
    Fs4Image parsed = ImageParser.parse(bytes, image.toString());
    long flash = flashSize == null ? defaultFlashSize(parsed, bytes.length) : parseSize(flashSize);
    DeviceIdentity identity;
    try {
      identity = new DeviceIdentity(type, psid, mac, flash, 0);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(ExitCodes.USAGE, e.getMessage());
    }
    try {
      EmulatedDevice.create(dir, identity, bytes);
    } catch (IllegalArgumentException e) {
      // The image does not fit this device or is not acceptable as its first image.
      throw new CommandFailure(ExitCodes.CHECK_FAILED, image + ": " + e.getMessage());
    }
    String running;
    try (EmulatedDevice created = EmulatedDevice.open(dir)) {
      running = created.runningVersion().map(Object::toString).orElse("none");
    }
    spec.commandLine()
        .getOut()
        .printf(
            "Created %s device %s (PSID %s, flash %d MiB), running %s%n",
            type.cliName(), dir, psid, flash >> 20, running);
    return ExitCodes.OK;
  }

  /** Two slots of the image's own slot size, and never smaller than twice the image. */
  static long defaultFlashSize(Fs4Image image, long imageSize) {
    long slot = image.log2SlotSize() > 0 && image.log2SlotSize() < 31
        ? 1L << image.log2SlotSize()
        : 0;
    long fit = Long.highestOneBit(Math.max(imageSize, 1L << 17) - 1) << 1;
    return 2 * Math.max(slot, fit);
  }

  /** {@code 8M}, {@code 64MiB}, {@code 0x4000000}, {@code 16777216}. */
  static long parseSize(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
    long unit = 1;
    if (t.endsWith("K")) {
      unit = 1L << 10;
    } else if (t.endsWith("M")) {
      unit = 1L << 20;
    } else if (t.endsWith("G")) {
      unit = 1L << 30;
    }
    if (unit != 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      long value = t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
      return Math.multiplyExact(value, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new CommandFailure(ExitCodes.USAGE, "--flash-size: not a size: " + text);
    }
  }
}
