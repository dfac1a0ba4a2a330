package dev.kiln.burner;

import dev.kiln.burner.pci.PciTransport;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.TransportException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs one BOOT_IMG burn through MCC (protocol doc §2.6, §2.7), from the size checks to the
 * version check afterwards: LOCK, UPDATE_COMPONENT, INITIALIZE polling, MCDA chunks, VERIFY,
 * ACTIVATE, RELEASE; on any failure after LOCK, CANCEL and RELEASE so the device is left idle.
 */
final class BootImageBurner {
  /** Sleep between INITIALIZE polls (mstflint: 240 ms). */
  static final long INITIALIZE_POLL_MS = 240;

  static final int MAX_STATE_POLLS = 3000;

  /**
   * Image bytes whose MCDA chunks go to the transport in one {@link RegisterClient#accessAll}
   * (pipelined over {@code tcp://}); progress and cancellation checkpoints follow every chunk's
   * reply, so a cancelled burn stops within one batch.
   */
  static final int BATCH_BYTES = 64 * 1024;

  private final DeviceLink link;
  private final UpdatePathSupport support;
  private final ComponentCatalog catalog;
  private final UpdateHandle handle;
  private final DeviceQuery query;
  private final TimestampCheck timestamps;

  BootImageBurner(
      DeviceLink link,
      UpdatePathSupport support,
      ComponentCatalog catalog,
      UpdateHandle handle,
      DeviceQuery query,
      TimestampCheck timestamps) {
    this.link = link;
    this.support = support;
    this.catalog = catalog;
    this.handle = handle;
    this.query = query;
    this.timestamps = timestamps;
  }

  /** See {@link SecureDevice#burn}. */
  BurnReport burn(byte[] component, BurnOptions options, BurnProgress progress)
      throws DeviceException, ImageRejectedException, TransportException {
    String uri = link.uri();
    RegisterClient client = link.client();
    support.checkSupported();
    // The handle as mstflint's burn takes it: one MCC GET when its FwCompsMgr is created, before
    // the MVTS check, and its LOCK reuses that handle.
    handle.takeOpeningHandle();
    SecureDevice.Component boot = catalog.bootImage();
    if (component.length % 4 != 0) {
      throw new DeviceException(uri + ": the component size must be a multiple of 4 bytes");
    }
    long max = boot.capabilities().maxComponentSize();
    if (max > 0 && component.length > max) {
      throw new DeviceException(
          String.format(
              "%s: the image (%d bytes) is larger than the device's largest BOOT_IMG (%d bytes)",
              uri, component.length, max));
    }
    int chunk = Mcda.MAX_DATA;
    int deviceChunk = boot.capabilities().mcdaMaxWriteSize();
    if (deviceChunk > 0 && deviceChunk < chunk) {
      chunk = deviceChunk & ~3;
    }
    // mstflint checks the user timestamps (MVTS) before it takes the flash semaphore and LOCKs.
    timestamps.check(options.expectedVersion());
    long started = System.nanoTime();
    long transactionsBefore = client.transactions();
    PciTransport pci = client.transport() instanceof PciTransport p ? p : null;
    if (pci != null) {
      pci.lockFlashSemaphore();
    }
    long transferNanos;
    try {
      progress.step("Locking the update handle");
      handle.lock(boot.index());
      try {
        transferNanos = download(boot.index(), component, chunk, progress);
        progress.step("Verifying the image on the device");
        handle.require(handle.mcc(MccInstruction.VERIFY_COMPONENT, boot.index(), 0),
            "VERIFY_COMPONENT", FsmState.LOCKED);
        if (options.activate()) {
          progress.step("Activating");
          handle.require(handle.mcc(MccInstruction.ACTIVATE, boot.index(), 0), "ACTIVATE");
        }
        handle.require(handle.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, boot.index(), 0),
            "RELEASE_UPDATE_HANDLE");
        handle.released();
      } catch (DeviceException | ImageRejectedException | TransportException
          | RuntimeException e) {
        handle.abandon(e, boot.index());
        throw e;
      }
    } finally {
      if (pci != null) {
        pci.unlockFlashSemaphore();
      }
    }
    long total = System.nanoTime() - started;
    long transactions = client.transactions() - transactionsBefore;
    catalog.invalidate(); // the component states changed
    Optional<FwVersion> pending = query.version(true).map(DeviceQuery::versionOf);
    FwVersion running = DeviceQuery.versionOf(query.version(false).orElseThrow());
    if (options.activate() && options.expectedVersion() != null) {
      FwVersion now = pending.orElse(running);
      if (!now.equals(options.expectedVersion())) {
        throw new DeviceException(
            String.format(
                "%s: the burn completed but the device reports version %s, not the new %s",
                uri, now, options.expectedVersion()));
      }
    }
    return new BurnReport(
        uri, component.length, transferNanos, total, transactions, options.activate(), running,
        pending);
  }

  /** UPDATE_COMPONENT, INITIALIZE polling and the MCDA chunks; returns the transfer time. */
  private long download(int index, byte[] component, int chunk, BurnProgress progress)
      throws DeviceException, ImageRejectedException, TransportException {
    String uri = link.uri();
    progress.step("Preparing the inactive partition");
    Mcc update =
        handle.require(
            handle.mcc(MccInstruction.UPDATE_COMPONENT, index, component.length),
            "UPDATE_COMPONENT",
            FsmState.INITIALIZE,
            FsmState.DOWNLOAD);
    for (int poll = 0; update.state() == FsmState.INITIALIZE; poll++) {
      if (poll >= MAX_STATE_POLLS) {
        throw new DeviceException(
            uri + ": Time-out reached while waiting for the FSM to be updated (INITIALIZE)");
      }
      link.pause(INITIALIZE_POLL_MS);
      update = handle.require(handle.mcc(MccInstruction.QUERY, index, 0), "MCC query");
      if (update.errorCode() != 0) {
        throw new DeviceException(
            uri + ": preparing the partition failed: " + MccMessages.describe(update.error()));
      }
    }
    if (update.state() != FsmState.DOWNLOAD) {
      throw new DeviceException(
          uri + ": UPDATE_COMPONENT: Unexpected state " + update.state() + " (wanted DOWNLOAD)");
    }
    long start = System.nanoTime();
    progress.written(0, component.length);
    int chunksPerBatch = Math.max(1, BATCH_BYTES / chunk);
    for (int batchStart = 0; batchStart < component.length; ) {
      List<byte[]> payloads = new ArrayList<>(chunksPerBatch);
      int offset = batchStart;
      for (int n = 0; n < chunksPerBatch && offset < component.length; n++, offset += chunk) {
        int length = Math.min(chunk, component.length - offset);
        payloads.add(
            Mcda.fromImage(handle.handle(), offset, component, offset, length).encode());
      }
      List<RegisterClient.Reply> replies =
          link.client().accessAll(AccessRegister.MCDA, RegisterMethod.SET, payloads);
      offset = batchStart;
      for (RegisterClient.Reply reply : replies) {
        if (!reply.ok()) {
          progress.transferEnded();
          throw new DeviceException(
              String.format(
                  "%s: writing the image failed at offset 0x%x: %s",
                  uri, offset, reply.status().text()));
        }
        offset = Math.min(offset + chunk, component.length);
        progress.written(offset, component.length);
      }
      batchStart = offset;
    }
    progress.transferEnded();
    return System.nanoTime() - start;
  }
}
