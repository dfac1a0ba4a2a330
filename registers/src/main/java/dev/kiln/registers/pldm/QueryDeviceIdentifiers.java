package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * QueryDeviceIdentifiers (0x01; DSP0267 1.1.0, clause "QueryDeviceIdentifiers command"; libpldm
 * {@code struct pldm_query_device_identifiers_resp}). The request has no fields. Response after
 * the completion code:
 *
 * <pre>
 * Offset  Size  Field
 * 0       4     DeviceIdentifiersLength: bytes of the descriptors that follow
 * 4       1     DescriptorCount (at least 1)
 * 5       n     Descriptors ({@link Descriptor}), the first one the initial descriptor
 * </pre>
 */
public final class QueryDeviceIdentifiers {
  private QueryDeviceIdentifiers() {}

  /** The response's fields. */
  public record Response(List<Descriptor> descriptors) {
    public Response {
      descriptors = List.copyOf(descriptors);
      if (descriptors.isEmpty() || descriptors.size() > 0xFF) {
        throw new IllegalArgumentException("a device reports 1 to 255 descriptors");
      }
    }

    public byte[] encode() {
      int length = descriptors.stream().mapToInt(Descriptor::encodedLength).sum();
      ByteBuffer out = Wire.out(5 + length);
      out.putInt(length).put((byte) descriptors.size());
      descriptors.forEach(d -> d.writeTo(out));
      return out.array();
    }

    public static Response decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      long length = Wire.u32(in, "DeviceIdentifiersLength");
      int count = Wire.u8(in, "DescriptorCount");
      if (length != in.remaining()) {
        throw new PldmFormatException(
            "DeviceIdentifiersLength " + length + " but " + in.remaining() + " bytes follow");
      }
      if (count == 0) {
        throw new PldmFormatException("DescriptorCount 0: a device has at least one descriptor");
      }
      List<Descriptor> descriptors = Descriptor.readAll(in, count);
      Wire.end(in, "QueryDeviceIdentifiers response");
      return new Response(descriptors);
    }
  }
}
