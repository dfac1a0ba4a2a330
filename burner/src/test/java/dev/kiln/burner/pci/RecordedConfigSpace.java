package dev.kiln.burner.pci;

import dev.kiln.registers.pci.ConfigSpace;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * A config space that behaves as a recorded adapter did: the device side of {@code
 * config-space.jsonl.gz} (shared fixture {@code real-cx5-query}), played for our PCI transport.
 * Test code: it knows only what the trace shows and fails (a {@link TransportException} saying
 * what) on anything else, so a transport that does what the real adapter was never asked cannot
 * pass.
 *
 * <p>What is taken from the trace:
 *
 * <ul>
 *   <li>the config header bytes mstflint read (capability pointer at 0x34, the capability list
 *       0x60 → 0x48 → 0x9C → 0xC0, the VSEC header at 0xC0);
 *   <li>the control dword (VSEC +0x4): every value written maps to the value read back after it,
 *       as recorded (the adapter keeps only the low byte of the space: 0x101, 0x102, 0x10A read
 *       back 0x1, 0x2, 0xA, which is how it refuses them; 0xC reads back with status 0);
 *   <li>the counter (+0x8), starting at its first recorded value and counting up per read; the
 *       gateway semaphore (+0xC), which keeps what is written;
 *   <li>per address space, every address read with one constant value (CR space 0xF0014 = HW id,
 *       0xB5E04 = static configuration done, ICMD 0x1000 = mailbox size), the first value of the
 *       ICMD control dword;
 *   <li>the dynamic parts as the trace shows them behave: the ICMD mailbox (0x100000, mailbox
 *       size bytes) keeps what is written, the ICMD and flash semaphores (SEMAPHORE space) keep
 *       what is written, the address flag completes at once, and the go bit runs the command at
 *       once: the envelope in the mailbox is answered by {@code registers} (the recorded replies)
 *       and the control dword reads back with the go bit clear and ICMD status 0.
 * </ul>
 *
 * <p>Not in the trace (mstflint reads them through sysfs files, not the config file) and supplied
 * from the fixture README: the vendor/device id dword at 0x00 (15b3:1019) and the status
 * register's capability-list bit (the adapter has a list: mstflint walked it). Every other byte
 * mstflint never read reads as 0 and is not used by our gateway.
 */
final class RecordedConfigSpace implements ConfigSpace {
  private static final int VSEC = 0xC0;
  private static final int CONTROL = VSEC + 0x4;
  private static final int COUNTER = VSEC + 0x8;
  private static final int SEMAPHORE = VSEC + 0xC;
  private static final int ADDRESS = VSEC + 0x10;
  private static final int DATA = VSEC + 0x14;
  private static final int SPACE_ICMD = 0x3;
  private static final int SPACE_SEMAPHORE = 0xA;
  private static final int MAILBOX = 0x100000;

  private final RegisterTransport registers;
  private final Map<Integer, Integer> headerBytes = new HashMap<>();
  private final Map<Integer, Integer> controlAnswers = new HashMap<>();
  private final Map<Integer, Map<Integer, Integer>> constants = new HashMap<>();
  private final int mailboxSize;
  private final byte[] mailbox;
  private final Map<Integer, Integer> semaphores = new HashMap<>();
  private final Set<Integer> spacesUsed = new LinkedHashSet<>();
  private int counter;
  private int gatewaySemaphore;
  private int control;
  private int address;
  private int data;
  private int icmdControl;
  private int commands;

  private RecordedConfigSpace(
      RegisterTransport registers, List<Access> trace, int pciId) throws TransportException {
    this.registers = registers;
    for (int i = 0; i < 4; i++) {
      headerBytes.put(i, (pciId >>> (8 * i)) & 0xFF);
    }
    headerBytes.put(0x06, 1 << 4);
    int space = -1;
    int lastWrittenControl = -1;
    int address = 0;
    boolean counterSeen = false;
    boolean icmdControlSeen = false;
    Map<Integer, Map<Integer, Set<Integer>>> seen = new HashMap<>();
    for (Access access : trace) {
      if (access.offset() < VSEC || access.offset() >= VSEC + 0x18) {
        if (access.write()) {
          throw new TransportException("the trace writes config offset " + access.offset());
        }
        for (int i = 0; i < access.size(); i++) {
          headerBytes.put(access.offset() + i, access.bytes()[i] & 0xFF);
        }
        continue;
      }
      int value = access.dword();
      if (access.offset() == VSEC && !access.write()) {
        for (int i = 0; i < access.size(); i++) {
          headerBytes.put(VSEC + i, access.bytes()[i] & 0xFF);
        }
      } else if (access.offset() == CONTROL) {
        if (access.write()) {
          lastWrittenControl = value & 0xFFFF;
        } else {
          if (lastWrittenControl >= 0) {
            controlAnswers.putIfAbsent(lastWrittenControl, value);
          } else {
            control = value; // what the control dword read before any write
          }
          space = value & 0xFFFF;
        }
      } else if (access.offset() == COUNTER && !counterSeen) {
        counter = value;
        counterSeen = true;
      } else if (access.offset() == ADDRESS && access.write()) {
        address = value & 0x3FFF_FFFF;
      } else if (access.offset() == DATA && !access.write()) {
        if (space == SPACE_ICMD && address == 0 && !icmdControlSeen) {
          icmdControl = value;
          icmdControlSeen = true;
        }
        seen.computeIfAbsent(space, s -> new HashMap<>())
            .computeIfAbsent(address, a -> new LinkedHashSet<>())
            .add(value);
      }
    }
    seen.forEach(
        (s, addresses) ->
            addresses.forEach(
                (a, values) -> {
                  if (values.size() == 1 && !(s == SPACE_ICMD && a >= MAILBOX) && a != 0) {
                    constants.computeIfAbsent(s, x -> new HashMap<>()).put(a, values.iterator()
                        .next());
                  }
                }));
    Integer size = constants.getOrDefault(SPACE_ICMD, Map.of()).get(0x1000);
    if (size == null) {
      throw new TransportException("the trace never reads the ICMD mailbox size");
    }
    this.mailboxSize = size;
    this.mailbox = new byte[size];
  }

  /** One recorded access. */
  record Access(boolean write, int offset, int size, byte[] bytes) {
    /** The little-endian value of the bytes (config space is little-endian). */
    int dword() {
      int value = 0;
      for (int i = bytes.length - 1; i >= 0; i--) {
        value = (value << 8) | (bytes[i] & 0xFF);
      }
      return value;
    }
  }

  /** Plays {@code trace} ({@code config-space.jsonl.gz}); register replies come from {@code registers}. */
  static RecordedConfigSpace of(Path trace, int pciId, RegisterTransport registers)
      throws IOException, TransportException {
    List<Access> accesses = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(trace)), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonNode node = json.readTree(line);
        accesses.add(
            new Access(
                node.get("op").asText().equals("write"),
                node.get("offset").asInt(),
                node.get("size").asInt(),
                HexFormat.of().parseHex(node.get("bytes").asText())));
      }
    }
    return new RecordedConfigSpace(registers, accesses, pciId);
  }

  /** Control-dword values the trace shows the adapter answering, by the space written. */
  Map<Integer, Integer> controlAnswers() {
    return Map.copyOf(controlAnswers);
  }

  /** The spaces our host accessed through the address/data registers, in first-use order. */
  Set<Integer> spacesUsed() {
    return Set.copyOf(spacesUsed);
  }

  /** ICMD commands run. */
  int commands() {
    return commands;
  }

  /** The SEMAPHORE-space dword at {@code address} (0 = free). */
  int semaphore(int address) {
    return semaphores.getOrDefault(address, 0);
  }

  /** The gateway semaphore (0 = free). */
  int gatewaySemaphore() {
    return gatewaySemaphore;
  }

  @Override
  public int readDword(int offset) throws TransportException {
    switch (offset) {
      case CONTROL:
        return control;
      case COUNTER:
        return counter++;
      case SEMAPHORE:
        return gatewaySemaphore;
      case ADDRESS:
        return address;
      case DATA:
        return data;
      default:
        int value = 0;
        for (int i = 3; i >= 0; i--) {
          value = (value << 8) | headerBytes.getOrDefault(offset + i, 0);
        }
        return value;
    }
  }

  @Override
  public void writeDword(int offset, int value) throws TransportException {
    switch (offset) {
      case CONTROL -> {
        Integer answer = controlAnswers.get(value & 0xFFFF);
        if (answer == null) {
          throw new TransportException(
              String.format(
                  "the recorded adapter was never asked for space 0x%x: what it answers is not"
                      + " known", value & 0xFFFF));
        }
        control = answer;
      }
      case SEMAPHORE -> gatewaySemaphore = value;
      case DATA -> data = value;
      case ADDRESS -> access(value);
      default ->
          throw new TransportException(
              String.format("the recorded adapter's config offset 0x%x was never written", offset));
    }
  }

  /** An address write: runs the read or write of the selected space at once. */
  private void access(int value) throws TransportException {
    int space = control >>> 29 == 0 ? -1 : control & 0xFFFF;
    int target = value & 0x3FFF_FFFF;
    boolean write = (value & 0x8000_0000) != 0;
    if (space < 0) {
      throw new TransportException("address access with no supported space selected");
    }
    spacesUsed.add(space);
    if (write) {
      store(space, target, data);
      address = target;
    } else {
      data = load(space, target);
      address = target | 0x8000_0000;
    }
  }

  private int load(int space, int target) throws TransportException {
    if (space == SPACE_ICMD && target >= MAILBOX && target < MAILBOX + mailboxSize) {
      return ByteBuffer.wrap(mailbox).getInt(target - MAILBOX);
    }
    if (space == SPACE_ICMD && target == 0) {
      return icmdControl;
    }
    if (space == SPACE_SEMAPHORE) {
      return semaphores.getOrDefault(target, 0);
    }
    Integer constant = constants.getOrDefault(space, Map.of()).get(target);
    if (constant == null) {
      throw new TransportException(
          String.format("the recorded adapter was never read at space 0x%x address 0x%x",
              space, target));
    }
    return constant;
  }

  private void store(int space, int target, int value) throws TransportException {
    if (space == SPACE_ICMD && target >= MAILBOX && target < MAILBOX + mailboxSize) {
      ByteBuffer.wrap(mailbox).putInt(target - MAILBOX, value);
    } else if (space == SPACE_ICMD && target == 0) {
      icmdControl = value;
      if ((value & 1) != 0) {
        run();
      }
    } else if (space == SPACE_SEMAPHORE) {
      semaphores.put(target, value);
    } else {
      throw new TransportException(
          String.format("the recorded adapter was never written at space 0x%x address 0x%x",
              space, target));
    }
  }

  /** The go bit: answer the envelope in the mailbox from the recorded replies. */
  private void run() throws TransportException {
    int opcode = icmdControl >>> 16;
    if (opcode != PciTransport.OPCODE_FLASH_REG_ACCESS) {
      throw new TransportException("the trace runs only FLASH_REG_ACCESS, not 0x"
          + Integer.toHexString(opcode));
    }
    int regDwords = ((mailbox[0x10] & 0x07) << 8) | (mailbox[0x11] & 0xFF);
    int length = Math.min(mailboxSize, 0x10 + regDwords * 4);
    byte[] reply = registers.exchange(java.util.Arrays.copyOf(mailbox, length));
    System.arraycopy(reply, 0, mailbox, 0, Math.min(reply.length, mailboxSize));
    icmdControl &= ~0xFF01;
    commands++;
  }

  @Override
  public String describe() {
    return "recorded ConnectX-5 config space";
  }

  @Override
  public void close() {}
}
