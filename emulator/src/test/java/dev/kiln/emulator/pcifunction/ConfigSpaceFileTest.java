package dev.kiln.emulator.pcifunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.ConfigSpace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte offsets and lengths of the sysfs config file onto little-endian config dwords. */
class ConfigSpaceFileTest {
  /** 1024 dwords, each holding its own byte offsets (0x43424140 at 0x40), logging every access. */
  static final class Recorded implements ConfigSpace {
    final int[] dwords = new int[1024];
    final List<String> log = new ArrayList<>();
    boolean broken;

    Recorded() {
      for (int i = 0; i < dwords.length; i++) {
        dwords[i] = (i * 4) * 0x01010101 + 0x03020100;
      }
    }

    @Override
    public int readDword(int offset) throws TransportException {
      if (broken) {
        throw new TransportException("device gone");
      }
      log.add("r" + offset);
      return dwords[offset / 4];
    }

    @Override
    public void writeDword(int offset, int value) {
      log.add("w" + offset + "=" + Integer.toHexString(value));
      dwords[offset / 4] = value;
    }

    @Override
    public String describe() {
      return "recorded";
    }

    @Override
    public void close() {}
  }

  @Test
  void aReadAtAnyOffsetReadsEachOverlappedDwordOnce() throws Exception {
    Recorded config = new Recorded();
    ConfigSpaceFile file = new ConfigSpaceFile(config);
    byte[] buffer = new byte[16];
    assertEquals(6, file.read(5, buffer, 6));
    // Dword 4 is 0x07060504 (bytes 04 05 06 07 in memory), dword 8 is 0x0b0a0908.
    assertArrayEquals(new byte[] {5, 6, 7, 8, 9, 10}, java.util.Arrays.copyOf(buffer, 6));
    assertEquals(List.of("r4", "r8"), config.log);
  }

  @Test
  void readsEndAtTheEndOfTheExtendedConfigSpace() throws Exception {
    ConfigSpaceFile file = new ConfigSpaceFile(new Recorded());
    byte[] buffer = new byte[64];
    assertEquals(2, file.read(4094, buffer, 64));
    assertEquals(0, file.read(4096, buffer, 64));
    assertEquals(4096, file.size());
  }

  @Test
  void aWholeDwordWriteIsOneWriteAndAPartialOneMergesIntoTheDword() throws Exception {
    Recorded config = new Recorded();
    ConfigSpaceFile file = new ConfigSpaceFile(config);
    assertEquals(4, file.write(0x60, new byte[] {0x11, 0x22, 0x33, 0x44}, 4));
    assertEquals(List.of("w96=44332211"), config.log);
    config.log.clear();
    assertEquals(1, file.write(0x41, new byte[] {(byte) 0xAA}, 1));
    assertEquals(List.of("r64", "w64=4342aa40"), config.log);
  }

  @Test
  void aDeviceFailureIsAnIoError() {
    Recorded config = new Recorded();
    config.broken = true;
    ConfigSpaceFile file = new ConfigSpaceFile(config);
    IOException e = assertThrows(IOException.class, () -> file.read(0, new byte[4], 4));
    assertEquals("device gone", e.getMessage());
  }
}
