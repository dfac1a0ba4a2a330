package dev.kiln.emulator;

import dev.kiln.inspector.io.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The device's non-volatile state outside the flash image slots, stored as {@code nv.properties}
 * and always replaced atomically (temp file, fsync, rename, directory fsync). Every field survives
 * power loss; the update state machine, the handle owner and downloaded data do not.
 *
 * @param bootSlot the slot the boot ROM tries first (0 or 1)
 * @param slot0Size bytes of the image last written to slot 0 (0 = none)
 * @param slot1Size bytes of the image last written to slot 1 (0 = none)
 * @param efuseSecurityVersion the eFuse security version: only ever grows
 * @param hwAccessDisabled true while the HW access key lock (MLOCK) is set
 * @param hwAccessKeyHash SHA-256 (hex) of the HW access key, empty when none is set
 * @param csToken true when a CS token is installed ({@code cs-token.bin})
 * @param lifeCycle MGIR life_cycle (1 = GA SECURED)
 * @param nextHandle the update handle the next lock uses (24 bits)
 * @param bootCount boots so far
 */
public record NvState(
    int bootSlot,
    int slot0Size,
    int slot1Size,
    long efuseSecurityVersion,
    boolean hwAccessDisabled,
    String hwAccessKeyHash,
    boolean csToken,
    int lifeCycle,
    int nextHandle,
    long bootCount) {

  public static final String FILE = "nv.properties";

  public NvState {
    if (bootSlot != 0 && bootSlot != 1) {
      throw new IllegalArgumentException("boot slot is 0 or 1");
    }
    if (hwAccessKeyHash == null) {
      hwAccessKeyHash = "";
    }
  }

  /** The state of a freshly initialised device booting {@code slot}. */
  public static NvState initial(int slot, int imageSize) {
    return new NvState(
        slot, slot == 0 ? imageSize : 0, slot == 1 ? imageSize : 0, 0, false, "", false, 1, 0x1001,
        0);
  }

  public int slotSize(int slot) {
    return slot == 0 ? slot0Size : slot1Size;
  }

  public NvState withBootSlot(int slot) {
    return new NvState(
        slot, slot0Size, slot1Size, efuseSecurityVersion, hwAccessDisabled, hwAccessKeyHash,
        csToken, lifeCycle, nextHandle, bootCount);
  }

  public NvState withSlotSize(int slot, int size) {
    return new NvState(
        bootSlot, slot == 0 ? size : slot0Size, slot == 1 ? size : slot1Size,
        efuseSecurityVersion, hwAccessDisabled, hwAccessKeyHash, csToken, lifeCycle, nextHandle,
        bootCount);
  }

  public NvState withEfuse(long value) {
    return new NvState(
        bootSlot, slot0Size, slot1Size, value, hwAccessDisabled, hwAccessKeyHash, csToken,
        lifeCycle, nextHandle, bootCount);
  }

  public NvState withHwAccess(boolean disabled, String keyHash) {
    return new NvState(
        bootSlot, slot0Size, slot1Size, efuseSecurityVersion, disabled, keyHash, csToken,
        lifeCycle, nextHandle, bootCount);
  }

  public NvState withCsToken(boolean present) {
    return new NvState(
        bootSlot, slot0Size, slot1Size, efuseSecurityVersion, hwAccessDisabled, hwAccessKeyHash,
        present, lifeCycle, nextHandle, bootCount);
  }

  public NvState withNextHandle(int handle) {
    return new NvState(
        bootSlot, slot0Size, slot1Size, efuseSecurityVersion, hwAccessDisabled, hwAccessKeyHash,
        csToken, lifeCycle, handle, bootCount);
  }

  public NvState withBootCount(long count) {
    return new NvState(
        bootSlot, slot0Size, slot1Size, efuseSecurityVersion, hwAccessDisabled, hwAccessKeyHash,
        csToken, lifeCycle, nextHandle, count);
  }

  /** Reads {@code nv.properties}. */
  public static NvState load(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    Properties props = new Properties();
    props.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    try {
      return new NvState(
          Integer.parseInt(get(props, file, "boot_slot")),
          Integer.parseInt(get(props, file, "slot0_size")),
          Integer.parseInt(get(props, file, "slot1_size")),
          Long.parseLong(get(props, file, "efuse_security_version")),
          Boolean.parseBoolean(get(props, file, "hw_access_disabled")),
          props.getProperty("hw_access_key_sha256", ""),
          Boolean.parseBoolean(get(props, file, "cs_token")),
          Integer.parseInt(get(props, file, "life_cycle")),
          Integer.parseInt(get(props, file, "next_handle")),
          Long.parseLong(get(props, file, "boot_count")));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Replaces {@code nv.properties} atomically and durably. */
  public void store(Path dir) throws IOException {
    String text =
        "# Kiln emulated device non-volatile state (replaced atomically)\n"
            + "boot_slot=" + bootSlot
            + "\nslot0_size=" + slot0Size
            + "\nslot1_size=" + slot1Size
            + "\nefuse_security_version=" + efuseSecurityVersion
            + "\nhw_access_disabled=" + hwAccessDisabled
            + "\nhw_access_key_sha256=" + hwAccessKeyHash
            + "\ncs_token=" + csToken
            + "\nlife_cycle=" + lifeCycle
            + "\nnext_handle=" + nextHandle
            + "\nboot_count=" + bootCount
            + "\n";
    AtomicFiles.write(dir.resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
  }

  private static String get(Properties props, Path file, String key) throws IOException {
    String value = props.getProperty(key);
    if (value == null) {
      throw new IOException(file + ": missing " + key);
    }
    return value.trim();
  }
}
