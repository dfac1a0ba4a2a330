package dev.kiln.burner.bench;

import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.BurnReport;
import dev.kiln.burner.RegisterClient;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.e2e.BurnerImages;
import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.burner.pci.PciTransport;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.burner.transport.TcpTransport;
import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.RegisterTransport;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Burn throughput benchmark (not a test): a 32 MiB signed image burnt into an emulated device over
 * {@code emu:} (in-process), {@code tcp://} (loopback daemon) and the PCI path (VSEC gateway over
 * the emulated config space), plus the host-side cost of one register transaction measured
 * against a device that answers instantly. Run with {@code bench/burn-bench.sh}; appends a row to
 * the results file given as the first argument.
 *
 * <p>Targets (issue 5): at least 20 MiB/s in-process and 5 MiB/s over loopback TCP.
 */
public final class BurnBench {
  private BurnBench() {}

  public static void main(String[] args) throws Exception {
    int sizeMib = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    Path work = Files.createTempDirectory("kiln-burn-bench");
    try {
      run(work, sizeMib, args.length > 0 ? Path.of(args[0]) : null);
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Path work, int sizeMib, Path results) throws Exception {
    long size = (long) sizeMib << 20;
    Path v1 = BurnerImages.build(work, BurnerImages.spec("22.39.1002").withSize(size));
    Path v2 = BurnerImages.build(work, BurnerImages.spec("22.41.1000").withSize(size));
    byte[] c1 = component(v1);
    byte[] c2 = component(v2);
    DeviceIdentity identity =
        new DeviceIdentity(BurnerImages.DEVICE, BurnerImages.PSID, 0x0002C9ABCDEFL, 4 * size, 0);

    Path dir = work.resolve("dev");
    EmulatedDevice.create(dir, identity, Files.readAllBytes(v1));
    BurnReport emu;
    BurnReport tcp;
    BurnReport pci;
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      // Warm-up: one small burn cycle so the JIT has seen the code paths.
      emu = burn(device.client(), c2, "22.41.1000");
      emu = burn(device.client(), c1, "22.39.1002");
      try (DeviceServer server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
        tcp = burn(TcpTransport.connect("127.0.0.1", server.port(), 60_000, server.tokenFile()), c2, "22.41.1000");
      }
      pci =
          burn(
              PciTransport.open(EmulatedConfigSpace.builder(device.client()).build(), ms -> {}, 9),
              c1,
              "22.39.1002");
    }
    double hostNanos = hostCostPerTransaction();
    String row =
        String.format(
            Locale.ROOT,
            "| %s | %d MiB | %.1f MiB/s (%.0f µs/txn) | %.1f MiB/s (%.0f µs/txn) |"
                + " %.2f MiB/s (%.0f µs/txn) | %.2f µs | %d | %.1f |",
            LocalDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
            sizeMib,
            emu.mibPerSecond(), perTransactionMicros(emu),
            tcp.mibPerSecond(), perTransactionMicros(tcp),
            pci.mibPerSecond(), perTransactionMicros(pci),
            hostNanos / 1000,
            emu.transactions(),
            java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
    System.out.println(
        "| date (UTC) | image | emu: | tcp:// | pci: (emulated config space) |"
            + " host cost / txn | txns / burn | load |");
    System.out.println(row);
    if (results != null) {
      Files.writeString(results, row + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  private static double perTransactionMicros(BurnReport report) {
    return report.totalNanos() / 1000.0 / report.transactions();
  }

  private static byte[] component(Path image) throws Exception {
    return UpdateComponent.bytes(ImageParser.parse(image));
  }

  private static BurnReport burn(RegisterTransport transport, byte[] component, String version)
      throws Exception {
    try (SecureDevice session = SecureDevice.open(transport, ms -> {}, transport.describe())) {
      BurnReport report =
          session.burn(component, new BurnOptions(true, FwVersion.parse(version)),
              BurnProgress.SILENT);
      session.reset();
      return report;
    }
  }

  /**
   * Host-side cost of one MCDA transaction: building the chunk (byte swap), the envelope, the
   * exchange call and decoding the reply, against a device that returns a prepared OK reply.
   */
  private static double hostCostPerTransaction() throws Exception {
    byte[] image = new byte[1 << 20];
    byte[] reply =
        RegisterEnvelope.request(AccessRegister.MCDA, dev.kiln.registers.RegisterMethod.SET,
                new byte[Mcda.SIZE])
            .reply(RegisterStatus.OK, new byte[Mcda.SIZE])
            .encode();
    RegisterTransport instant =
        new RegisterTransport() {
          @Override
          public byte[] exchange(byte[] request) {
            return reply;
          }

          @Override
          public String describe() {
            return "instant";
          }

          @Override
          public void close() {}
        };
    RegisterClient client = new RegisterClient(instant, ms -> {}, 1);
    int transactions = 0;
    long start = 0;
    for (int round = 0; round < 8; round++) {
      if (round == 3) {
        start = System.nanoTime(); // after warm-up
        transactions = 0;
      }
      for (int offset = 0; offset < image.length; offset += Mcda.MAX_DATA) {
        client.set(
            AccessRegister.MCDA, Mcda.fromImage(1, offset, image, offset, Mcda.MAX_DATA).encode());
        transactions++;
      }
    }
    return (System.nanoTime() - start) / (double) transactions;
  }
}
