package dev.kiln.burner;

import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.TransportException;
import java.util.ArrayList;
import java.util.List;

/** Reads the BOOT_IMG component back through MCC, running or pending (protocol doc §2.8). */
final class BootImageReader {
  private final DeviceLink link;
  private final UpdatePathSupport support;
  private final ComponentCatalog catalog;
  private final UpdateHandle handle;
  private final DeviceQuery query;

  BootImageReader(
      DeviceLink link,
      UpdatePathSupport support,
      ComponentCatalog catalog,
      UpdateHandle handle,
      DeviceQuery query) {
    this.link = link;
    this.support = support;
    this.catalog = catalog;
    this.handle = handle;
    this.query = query;
  }

  /** See {@link SecureDevice#readBootImage}. */
  byte[] readBootImage(boolean preferPending, BurnProgress progress)
      throws DeviceException, ImageRejectedException, TransportException {
    String uri = link.uri();
    support.checkSupported();
    SecureDevice.Component boot = catalog.bootImage();
    if (!boot.capabilities().rdEn()) {
      throw new DeviceException(uri + ": Reading component is not supported (rd_en = 0)");
    }
    if (query.generalInfo().encryption()) {
      throw new DeviceException(uri + ": Cannot verify an encrypted flash");
    }
    long size = boot.capabilities().componentSize();
    if (size <= 0 || size > Integer.MAX_VALUE - 8) {
      throw new DeviceException(uri + ": the device reports no BOOT_IMG size to read");
    }
    handle.lock(boot.index());
    byte[] image = new byte[(int) size];
    try {
      UpdateHandle.MccReply reading =
          preferPending
              ? handle.mcc(MccInstruction.READ_PENDING_COMPONENT, boot.index(), 0)
              : null;
      if (reading == null
          || reading.status() != RegisterStatus.OK
          || reading.mcc().state() != FsmState.UPLOAD) {
        reading = handle.mcc(MccInstruction.READ_COMPONENT, boot.index(), 0);
      }
      handle.require(reading, "READ_COMPONENT", FsmState.UPLOAD);
      int chunksPerBatch = BootImageBurner.BATCH_BYTES / Mcda.MAX_DATA;
      for (int batchStart = 0; batchStart < image.length; ) {
        List<byte[]> payloads = new ArrayList<>(chunksPerBatch);
        int offset = batchStart;
        for (int n = 0; n < chunksPerBatch && offset < image.length; n++) {
          int length = Math.min(Mcda.MAX_DATA, image.length - offset);
          payloads.add(new Mcda(handle.handle(), offset, length, new byte[Mcda.MAX_DATA]).encode());
          offset += length;
        }
        List<RegisterClient.Reply> replies =
            link.client().accessAll(AccessRegister.MCDA, RegisterMethod.GET, payloads);
        offset = batchStart;
        for (RegisterClient.Reply reply : replies) {
          if (!reply.ok()) {
            throw new DeviceException(
                String.format(
                    "%s: reading the image failed at offset 0x%x: %s",
                    uri, offset, reply.status().text()));
          }
          Mcda.decode(reply.payload()).copyImageBytes(image, offset);
          offset = Math.min(offset + Mcda.MAX_DATA, image.length);
          progress.written(offset, image.length);
        }
        batchStart = offset;
      }
      progress.transferEnded();
      handle.require(
          handle.mcc(MccInstruction.RELEASE_UPDATE_HANDLE, boot.index(), 0), "RELEASE");
      handle.released();
    } catch (DeviceException | ImageRejectedException | TransportException
        | RuntimeException e) {
      handle.release(e, boot.index());
      throw e;
    }
    return image;
  }
}
