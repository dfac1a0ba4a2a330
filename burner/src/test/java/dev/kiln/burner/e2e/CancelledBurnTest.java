package dev.kiln.burner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnCancelledException;
import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.CancellationToken;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.FsmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancelled burn or read-back leaves the handle free: the token is cancelled from the progress
 * callbacks at a random step or chunk (as a signal handler would, between two transactions); the
 * session then sends CANCEL and RELEASE, the device is IDLE, still runs the old image and the
 * next burn succeeds at once.
 */
class CancelledBurnTest {
  @TempDir static Path images;
  static Path oldImage;
  static Path newImage;

  @BeforeAll
  static void buildImages() throws Exception {
    oldImage = BurnerImages.build(images, BurnerImages.spec("22.39.1002"));
    newImage = BurnerImages.build(images, BurnerImages.spec("22.41.1000"));
  }

  /** Cancels the token at the {@code at}-th callback. */
  private static BurnProgress cancelAt(CancellationToken token, int at) {
    int[] calls = {0};
    return new BurnProgress() {
      @Override
      public void step(String description) {
        tick();
      }

      @Override
      public void written(long done, long total) {
        tick();
      }

      private void tick() {
        if (++calls[0] == at) {
          token.cancel("SIGINT");
        }
      }
    };
  }

  @Test
  void aBurnCancelledAtRandomPointsReleasesTheHandleEveryTime(@TempDir Path dir) throws Exception {
    byte[] component = Files.readAllBytes(newImage);
    Arrays.fill(component, 0, Fs4Magic.LENGTH, (byte) 0xFF);
    Path device = BurnerImages.device(dir.resolve("dev"), oldImage);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    // Callbacks of a whole burn: 4 steps plus one per 128-byte chunk (and the initial 0).
    int callbacks = 4 + component.length / 128 + 1;
    try (EmulatedDevice emulated = EmulatedDevice.open(device)) {
      for (int round = 0; round < 34; round++) {
        int at = 1 + random.nextInt(callbacks - 1);
        CancellationToken token = new CancellationToken();
        try (SecureDevice session = SecureDevice.open(emulated.client(), ms -> {}, "dev")) {
          BurnCancelledException cancelled =
              assertThrows(
                  BurnCancelledException.class,
                  () ->
                      session.burn(
                          component,
                          new BurnOptions(true, FwVersion.parse("22.41.1000")),
                          token.checkpoints(cancelAt(token, at))),
                  "seed " + seed + " round " + round + " at " + at);
          assertEquals("SIGINT", cancelled.reason());
        }
        assertEquals(FsmState.IDLE, emulated.fsmState(), "seed " + seed + " at " + at);
        assertTrue(emulated.pendingVersion().isEmpty(), "nothing activated");
      }
      // A read-back cancelled half-way also releases.
      CancellationToken token = new CancellationToken();
      try (SecureDevice session = SecureDevice.open(emulated.client(), ms -> {}, "dev")) {
        assertThrows(
            BurnCancelledException.class,
            () -> session.readBootImage(false, token.checkpoints(cancelAt(token, 20))));
      }
      assertEquals(FsmState.IDLE, emulated.fsmState());
      try (SecureDevice session = SecureDevice.open(emulated.client(), ms -> {}, "dev")) {
        session.burn(
            component, new BurnOptions(true, FwVersion.parse("22.41.1000")),
            new CancellationToken().checkpoints(BurnProgress.SILENT));
      }
      assertEquals(FwVersion.parse("22.41.1000"), emulated.pendingVersion().orElseThrow());
    }
  }
}
