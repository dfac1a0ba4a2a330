package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MVTS, Management Version Time Stamp (0x902C, 20 bytes): the user timestamp a device keeps for
 * its running image and for the image it will run next ("the other bank"). mstflint reads it
 * before every burn of an HCA and, when the image carries a timestamp TLV, sets it (mstflint 4.21
 * mlxfwops/lib/fw_ops.cpp {@code FwOperations::TestAndSetTimeStamp}; mlxfwops/lib/aux_tlv_ops.cpp
 * {@code DeviceTimeStamp::queryTimeStamp}, {@code setTimeStamp}, {@code resetTimeStamp}).
 *
 * <p>Layout (mstflint 4.21 tools_layouts/tools_open_layouts.h {@code struct tools_open_mvts},
 * {@code tools_open_timestamp}, {@code tools_open_fw_version}, {@code tools_open_ts_entry}; bit
 * positions from {@code tools_open_mvts_pack} and the nested {@code _pack} functions in
 * tools_open_layouts.c):
 *
 * <pre>
 * Field                 Bits
 * check_timestamp_flag  0x00.29     SET: only check that the timestamp could be set
 * running_flag          0x00.30     GET: the running image's entry instead of the next one
 * clear_all_ts_flag     0x00.31     SET: clear the running and the next entries
 * fw_ver_major          0x04.16-31  timestamp.fw_version
 * fw_ver_subminor       0x08.0-15
 * fw_ver_minor          0x08.16-31
 * ts_day                0x0C.0-7    timestamp.ts_entry, each field packed BCD
 * ts_month              0x0C.8-15
 * ts_year               0x0C.16-31  (4 BCD digits)
 * ts_seconds            0x10.8-15
 * ts_minutes            0x10.16-23
 * ts_hour               0x10.24-31
 * </pre>
 *
 * <p>An all-zero timestamp (version and time) is how mstflint recognises "no valid timestamp"
 * ({@code DeviceTimeStamp::queryTimeStamp} compares the 16 bytes with zeros).
 *
 * @param checkTimestamp {@code check_timestamp_flag}
 * @param running {@code running_flag}
 * @param clearAll {@code clear_all_ts_flag}
 * @param timestamp the timestamp entry at 0x04
 */
public record Mvts(boolean checkTimestamp, boolean running, boolean clearAll, Timestamp timestamp) {

  public static final int SIZE = 0x14;

  public Mvts {
    if (timestamp == null) {
      throw new IllegalArgumentException("MVTS needs a timestamp entry (Timestamp.NONE for none)");
    }
  }

  /** A GET of the running ({@code true}) or the next ({@code false}) image's entry. */
  public static Mvts query(boolean running) {
    return new Mvts(false, running, false, Timestamp.NONE);
  }

  /** A SET of the next image's entry, as {@code DeviceTimeStamp::setTimeStamp} sends it. */
  public static Mvts set(Timestamp timestamp) {
    return new Mvts(false, false, false, timestamp);
  }

  /** A SET that clears both entries, as {@code DeviceTimeStamp::resetTimeStamp} sends it. */
  public static Mvts clear() {
    return new Mvts(false, false, true, Timestamp.NONE);
  }

  public static Mvts decode(byte[] reg) throws RegisterFormatException {
    Prm.requireLength("MVTS", reg, SIZE);
    return new Mvts(
        Prm.flag(reg, 0x00, 29),
        Prm.flag(reg, 0x00, 30),
        Prm.flag(reg, 0x00, 31),
        new Timestamp(
            (int) Prm.get(reg, 0x04, 16, 16),
            (int) Prm.get(reg, 0x08, 16, 16),
            (int) Prm.get(reg, 0x08, 0, 16),
            (int) Prm.get(reg, 0x0C, 16, 16),
            (int) Prm.get(reg, 0x0C, 8, 8),
            (int) Prm.get(reg, 0x0C, 0, 8),
            (int) Prm.get(reg, 0x10, 24, 8),
            (int) Prm.get(reg, 0x10, 16, 8),
            (int) Prm.get(reg, 0x10, 8, 8)));
  }

  public byte[] encode() {
    byte[] reg = new byte[SIZE];
    Prm.setFlag(reg, 0x00, 29, checkTimestamp);
    Prm.setFlag(reg, 0x00, 30, running);
    Prm.setFlag(reg, 0x00, 31, clearAll);
    Prm.set(reg, 0x04, 16, 16, timestamp.fwMajor());
    Prm.set(reg, 0x08, 16, 16, timestamp.fwMinor());
    Prm.set(reg, 0x08, 0, 16, timestamp.fwSubminor());
    Prm.set(reg, 0x0C, 16, 16, timestamp.yearBcd());
    Prm.set(reg, 0x0C, 8, 8, timestamp.monthBcd());
    Prm.set(reg, 0x0C, 0, 8, timestamp.dayBcd());
    Prm.set(reg, 0x10, 24, 8, timestamp.hourBcd());
    Prm.set(reg, 0x10, 16, 8, timestamp.minutesBcd());
    Prm.set(reg, 0x10, 8, 8, timestamp.secondsBcd());
    return reg;
  }

  /**
   * One timestamp entry: the FW version it stamps and the time, the time fields as the packed BCD
   * the wire carries (2025 is {@code 0x2025}).
   */
  public record Timestamp(
      int fwMajor,
      int fwMinor,
      int fwSubminor,
      int yearBcd,
      int monthBcd,
      int dayBcd,
      int hourBcd,
      int minutesBcd,
      int secondsBcd) {

    /** The all-zero entry: "no valid timestamp". */
    public static final Timestamp NONE = new Timestamp(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public Timestamp {
      Prm.checkField("fw_ver_major", fwMajor, 16);
      Prm.checkField("fw_ver_minor", fwMinor, 16);
      Prm.checkField("fw_ver_subminor", fwSubminor, 16);
      Prm.checkField("ts_year", yearBcd, 16);
      Prm.checkField("ts_month", monthBcd, 8);
      Prm.checkField("ts_day", dayBcd, 8);
      Prm.checkField("ts_hour", hourBcd, 8);
      Prm.checkField("ts_minutes", minutesBcd, 8);
      Prm.checkField("ts_seconds", secondsBcd, 8);
    }

    /** True for the all-zero entry mstflint reads as "no valid timestamp". */
    public boolean isNone() {
      return equals(NONE);
    }

    /**
     * The time as one number that orders entries chronologically (BCD digits compare like decimal
     * digits of the same width): year, month, day, hour, minutes, seconds.
     */
    public long chronologicalKey() {
      return ((long) yearBcd << 40)
          | ((long) monthBcd << 32)
          | ((long) dayBcd << 24)
          | ((long) hourBcd << 16)
          | ((long) minutesBcd << 8)
          | secondsBcd;
    }
  }
}
