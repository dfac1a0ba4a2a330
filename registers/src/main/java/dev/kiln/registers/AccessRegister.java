package dev.kiln.registers;

/**
 * The access registers of the controlled-update flow (protocol doc §1.5) with their ids and payload
 * sizes. A size of 0 marks a register whose layout Kiln does not model (variable or unknown); such
 * registers appear here only so both sides name the same id (the blocked raw-flash registers of
 * §7, for instance).
 */
public enum AccessRegister {
  /** FW-mediated flash parameters; blocked on secure FW. */
  MFPA(0x9010, 0),
  /** FW-mediated flash block access (read/write); blocked on secure FW. */
  MFBA(0x9011, 0),
  /** FW-mediated flash block erase; blocked on secure FW. */
  MFBE(0x9012, 0),
  /** Flash memory configuration; blocked on secure FW. */
  MFMC(0x9013, 0),
  /** General information: versions, secure bits, PSID, life cycle. */
  MGIR(0x9020, Mgir.SIZE),
  /** Non-volatile configuration TLV access (variable length). */
  MNVDA(0x9024, 0),
  /** Firmware reset level. */
  MFRL(0x9028, Mfrl.SIZE),
  /** User timestamp of the running and the next image. */
  MVTS(0x902C, Mvts.SIZE),
  /** ISSU preparation. */
  MPCIR(0x905A, 0x10),
  /** DMA variant of MCDA (Kiln never advertises it). */
  MCDD(0x905C, 0x20),
  /** Component query status. */
  MCQS(0x9060, Mcqs.SIZE),
  /** Component query info. */
  MCQI(0x9061, Mcqi.SIZE),
  /** Component control: the update state machine. */
  MCC(0x9062, Mcc.SIZE),
  /** Component data access. */
  MCDA(0x9063, Mcda.SIZE),
  /** Query information strings. */
  MQIS(0x9064, Mqis.SIZE),
  /** Token challenge query (declared, unused by the flow). */
  MTCQ(0x9065, 0),
  /** Declared, unused by the flow. */
  MKDC(0x9066, 0),
  /** Register capability mask. */
  MCAM(0x907F, Mcam.SIZE),
  /** Firmware security version and eFuses. */
  MFSV(0x9115, Mfsv.SIZE),
  /** Image reactivation. */
  MIRC(0x9162, Mirc.SIZE),
  /** HW access key lock ("secure host"). */
  MLOCK(0x402D, Mlock.SIZE);

  private final int id;
  private final int size;

  AccessRegister(int id, int size) {
    this.id = id;
    this.size = size;
  }

  /** The 16-bit register id carried in the operation TLV. */
  public int id() {
    return id;
  }

  /** The payload size in bytes; 0 when Kiln does not model the layout. */
  public int size() {
    return size;
  }

  /** The register for an id, or null when Kiln does not know the id. */
  public static AccessRegister fromId(int id) {
    for (AccessRegister register : values()) {
      if (register.id == id) {
        return register;
      }
    }
    return null;
  }

  /** {@code MCC (0x9062)}, for messages. */
  public String describe() {
    return name() + " (0x" + Integer.toHexString(id).toUpperCase(java.util.Locale.ROOT) + ")";
  }
}
