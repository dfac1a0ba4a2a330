package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;

/**
 * MCQI info set ACTIVATION_METHOD (info_type 5), 4 bytes of bit flags at +0x00: which event makes a
 * pending component active (protocol doc §1.6, §4.1).
 *
 * <pre>
 * bit 0 all_hosts_sync            bit 4 pending_server_dc_power_cycle
 * bit 1 auto_activate             bit 5 pending_server_ac_power_cycle
 * bit 2 pending_fw_reset          bit 6 self_activation
 * bit 3 pending_server_reboot
 * </pre>
 */
public record McqiActivationMethod(int flags) {

  public static final int SIZE = 4;
  public static final int ALL_HOSTS_SYNC = 1;
  public static final int AUTO_ACTIVATE = 1 << 1;
  public static final int PENDING_FW_RESET = 1 << 2;
  public static final int PENDING_SERVER_REBOOT = 1 << 3;
  public static final int PENDING_SERVER_DC_POWER_CYCLE = 1 << 4;
  public static final int PENDING_SERVER_AC_POWER_CYCLE = 1 << 5;
  public static final int SELF_ACTIVATION = 1 << 6;

  public McqiActivationMethod {
    Prm.checkField("activation flags", flags, 7);
  }

  public boolean pendingFwReset() {
    return (flags & PENDING_FW_RESET) != 0;
  }

  public static McqiActivationMethod decode(byte[] info) throws RegisterFormatException {
    Prm.requireLength("MCQI ACTIVATION_METHOD", info, SIZE);
    return new McqiActivationMethod((int) Prm.get(info, 0x00, 0, 7));
  }

  public byte[] encode() {
    byte[] info = new byte[SIZE];
    Prm.set(info, 0x00, 0, 7, flags);
    return info;
  }
}
