package dev.kiln.registers.pldm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The DSP0267 layouts byte by byte: each expected hex string is written out field by field from
 * the layout tables in the classes' Javadoc (little-endian numbers), then decoded back.
 */
class PldmCodecTest {
  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  @Test
  void headerCarriesRqBitInstanceTypeCommandAndCompletionCode() throws Exception {
    PldmMessage request = PldmMessage.request(7, FwUpdateCommand.REQUEST_UPDATE, new byte[] {1});
    assertEquals("87 05 10 01".replace(" ", ""), hex(request.encode()));
    PldmMessage response = PldmMessage.failure(request, CompletionCode.ALREADY_IN_UPDATE_MODE);
    assertEquals("07051081", hex(response.encode()));
    assertEquals(response, PldmMessage.decode(response.encode()));
    assertEquals(request, PldmMessage.decode(request.encode()));
    assertThrows(PldmFormatException.class, () -> PldmMessage.decode(bytes("8705")));
    assertThrows(PldmFormatException.class, () -> PldmMessage.decode(bytes("070510")));
    // D bit, header version 1.
    assertThrows(PldmFormatException.class, () -> PldmMessage.decode(bytes("c70510")));
    assertThrows(PldmFormatException.class, () -> PldmMessage.decode(bytes("874510")));
  }

  @Test
  void deviceIdentifiersAsNvidiaAdaptersReportThem() throws Exception {
    var response = new QueryDeviceIdentifiers.Response(List.of(
        Descriptor.pciVendorId(0x15B3), Descriptor.pciDeviceId(0x101D),
        Descriptor.psid("MT_0000000359")));
    String expected =
        "24000000" + "03" // 36 bytes of descriptors, 3 of them
            + "0000" + "0200" + "b315" // PCI vendor id 0x15b3
            + "0001" + "0200" + "1d10" // PCI device id 0x101d
            + "ffff" + "1400" + "01" + "04" + "50534944" // vendor defined, title ASCII "PSID"
            + "4d545f3030303030303033353900"; // "MT_0000000359" NUL (fixture metadata)
    assertEquals(expected, hex(response.encode()));
    var decoded = QueryDeviceIdentifiers.Response.decode(bytes(expected));
    assertEquals(response, decoded);
    assertEquals("MT_0000000359", decoded.descriptors().get(2).psid().orElseThrow());
    // Length field not matching what follows, a descriptor running past the end.
    assertThrows(PldmFormatException.class,
        () -> QueryDeviceIdentifiers.Response.decode(bytes("2500000003" + expected.substring(10))));
    assertThrows(PldmFormatException.class,
        () -> QueryDeviceIdentifiers.Response.decode(bytes("0600000001" + "0000" + "0400" + "b315")));
  }

  @Test
  void requestUpdateAndUpdateComponentLayouts() throws Exception {
    var request = new RequestUpdate.Request(4096, 1, 1, 0, PldmString.ascii("22.42.1000"));
    String expected = "00100000" + "0100" + "01" + "0000" + "01" + "0a" + "32322e34322e31303030";
    assertEquals(expected, hex(request.encode()));
    assertEquals(request, RequestUpdate.Request.decode(bytes(expected)));
    assertThrows(PldmFormatException.class,
        () -> RequestUpdate.Request.decode(bytes(expected + "00")));

    var update = new UpdateComponent.Request(0x000A, 1, 0, 0x16291000L, 0x10000, 0,
        PldmString.ascii("1"));
    String updateHex = "0a00" + "0100" + "00" + "00102916" + "00000100" + "00000000" + "01" + "01"
        + "31";
    assertEquals(updateHex, hex(update.encode()));
    assertEquals(update, UpdateComponent.Request.decode(bytes(updateHex)));
    var accepted = new UpdateComponent.Response(0, 0, 0, 0);
    assertEquals("0000" + "00000000" + "0000", hex(accepted.encode()));
    assertEquals(accepted, UpdateComponent.Response.decode(accepted.encode()));
  }

  @Test
  void firmwareParametersRoundTrip() throws Exception {
    byte[] date = "20240101".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    var component = new GetFirmwareParameters.Component(0x0A, 1, 0, 0x16291000L,
        PldmString.ascii("22.41.1000"), date, 0, PldmString.empty(), new byte[8], 0x0038, 0);
    var response = new GetFirmwareParameters.Response(0, PldmString.ascii("22.41.1000"),
        PldmString.empty(), List.of(component));
    byte[] encoded = response.encode();
    assertEquals(10 + 10 + 39 + 10, encoded.length);
    assertEquals("00000000" + "0100" + "010a" + "0000", hex(encoded).substring(0, 20));
    assertEquals(response, GetFirmwareParameters.Response.decode(encoded));
    byte[] truncated = java.util.Arrays.copyOf(encoded, encoded.length - 1);
    assertThrows(PldmFormatException.class, () -> GetFirmwareParameters.Response.decode(truncated));
  }

  @Test
  void theDeviceDrivenMessages() throws Exception {
    var data = new RequestFirmwareData.Request(0x1000, 0x400);
    assertEquals("00100000" + "00040000", hex(data.encode()));
    assertEquals(data, RequestFirmwareData.Request.decode(data.encode()));

    var verify = CompleteReport.of(FwUpdateCommand.VERIFY_COMPLETE,
        ResultCodes.VERIFY_FAILED_FD_SECURITY_CHECKS);
    assertEquals("03", hex(verify.encode()));
    var apply = new CompleteReport(FwUpdateCommand.APPLY_COMPLETE, 0, 0x0008);
    assertEquals("000800", hex(apply.encode()));
    assertEquals(apply, CompleteReport.decode(FwUpdateCommand.APPLY_COMPLETE, apply.encode()));
    assertThrows(PldmFormatException.class,
        () -> CompleteReport.decode(FwUpdateCommand.TRANSFER_COMPLETE, bytes("0000")));

    var status = new GetStatus.Response(FirmwareDeviceState.VERIFY, FirmwareDeviceState.DOWNLOAD,
        GetStatus.AUX_FAILED, 0x76, 100, 0, 0);
    assertEquals("04" + "03" + "02" + "76" + "64" + "00" + "00000000", hex(status.encode()));
    assertEquals(status, GetStatus.Response.decode(status.encode()));
    assertThrows(PldmFormatException.class,
        () -> GetStatus.Response.decode(bytes("07030276640000000000")));

    var cancel = new CancelUpdate.Response(false, 0);
    assertEquals("00" + "0000000000000000", hex(cancel.encode()));
    assertEquals(cancel, CancelUpdate.Response.decode(cancel.encode()));
    var activate = new ActivateFirmware.Response(0);
    assertEquals(activate, ActivateFirmware.Response.decode(activate.encode()));
    assertThrows(PldmFormatException.class, () -> ActivateFirmware.Request.decode(bytes("02")));
    var pass = new PassComponentTable.Request(TransferFlag.START_AND_END, 0x0A, 1, 0, 0,
        PldmString.ascii("x"));
    assertEquals("05" + "0a00" + "0100" + "00" + "00000000" + "01" + "01" + "78",
        hex(pass.encode()));
    assertEquals(pass, PassComponentTable.Request.decode(pass.encode()));
  }
}
