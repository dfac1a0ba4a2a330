package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GetFirmwareParameters (0x02; DSP0267 1.1.0, clause "GetFirmwareParameters command" and its
 * "ComponentParameterTable entry" table; libpldm {@code struct pldm_get_firmware_parameters_resp},
 * {@code struct pldm_component_parameter_entry}). The request has no fields. Response after the
 * completion code:
 *
 * <pre>
 * Offset  Size  Field
 * 0       4     CapabilitiesDuringUpdate (bitfield)
 * 4       2     ComponentCount
 * 6       1     ActiveComponentImageSetVersionStringType
 * 7       1     ActiveComponentImageSetVersionStringLength (a)
 * 8       1     PendingComponentImageSetVersionStringType
 * 9       1     PendingComponentImageSetVersionStringLength (p, 0 when nothing is pending)
 * 10      a     active set version string
 * 10+a    p     pending set version string
 * ...           ComponentCount entries:
 *   0     2     ComponentClassification
 *   2     2     ComponentIdentifier
 *   4     1     ComponentClassificationIndex
 *   5     4     ActiveComponentComparisonStamp
 *   9     1     ActiveComponentVersionStringType
 *   10    1     ActiveComponentVersionStringLength (x)
 *   11    8     ActiveComponentReleaseDate (ASCII YYYYMMDD)
 *   19    4     PendingComponentComparisonStamp
 *   23    1     PendingComponentVersionStringType
 *   24    1     PendingComponentVersionStringLength (y)
 *   25    8     PendingComponentReleaseDate
 *   33    2     ComponentActivationMethods (bitfield)
 *   35    4     CapabilitiesDuringUpdate (bitfield)
 *   39    x     active version string
 *   39+x  y     pending version string
 * </pre>
 */
public final class GetFirmwareParameters {
  private GetFirmwareParameters() {}

  /** One component parameter table entry. */
  public record Component(
      int classification,
      int identifier,
      int classificationIndex,
      long activeComparisonStamp,
      PldmString activeVersion,
      byte[] activeReleaseDate,
      long pendingComparisonStamp,
      PldmString pendingVersion,
      byte[] pendingReleaseDate,
      int activationMethods,
      long capabilities) {
    public Component {
      if (activeReleaseDate.length != 8 || pendingReleaseDate.length != 8) {
        throw new IllegalArgumentException("a release date field is 8 bytes");
      }
      activeReleaseDate = activeReleaseDate.clone();
      pendingReleaseDate = pendingReleaseDate.clone();
    }

    @Override
    public byte[] activeReleaseDate() {
      return activeReleaseDate.clone();
    }

    @Override
    public byte[] pendingReleaseDate() {
      return pendingReleaseDate.clone();
    }

    int size() {
      return 39 + activeVersion.length() + pendingVersion.length();
    }

    void write(ByteBuffer out) {
      out.putShort((short) classification).putShort((short) identifier)
          .put((byte) classificationIndex).putInt((int) activeComparisonStamp)
          .put((byte) activeVersion.type()).put((byte) activeVersion.length())
          .put(activeReleaseDate).putInt((int) pendingComparisonStamp)
          .put((byte) pendingVersion.type()).put((byte) pendingVersion.length())
          .put(pendingReleaseDate).putShort((short) activationMethods)
          .putInt((int) capabilities).put(activeVersion.bytes()).put(pendingVersion.bytes());
    }

    static Component read(ByteBuffer in, int index) throws PldmFormatException {
      String f = "component " + index + " ";
      int classification = Wire.u16(in, f + "ComponentClassification");
      int identifier = Wire.u16(in, f + "ComponentIdentifier");
      int classIndex = Wire.u8(in, f + "ComponentClassificationIndex");
      long activeStamp = Wire.u32(in, f + "ActiveComponentComparisonStamp");
      int activeType = Wire.u8(in, f + "ActiveComponentVersionStringType");
      int activeLength = Wire.u8(in, f + "ActiveComponentVersionStringLength");
      byte[] activeDate = Wire.bytes(in, 8, f + "ActiveComponentReleaseDate");
      long pendingStamp = Wire.u32(in, f + "PendingComponentComparisonStamp");
      int pendingType = Wire.u8(in, f + "PendingComponentVersionStringType");
      int pendingLength = Wire.u8(in, f + "PendingComponentVersionStringLength");
      byte[] pendingDate = Wire.bytes(in, 8, f + "PendingComponentReleaseDate");
      int methods = Wire.u16(in, f + "ComponentActivationMethods");
      long capabilities = Wire.u32(in, f + "CapabilitiesDuringUpdate");
      PldmString active = PldmString.read(in, activeType, activeLength, f + "active version");
      PldmString pending =
          PldmString.read(in, pendingType, pendingLength, f + "pending version");
      return new Component(classification, identifier, classIndex, activeStamp, active,
          activeDate, pendingStamp, pending, pendingDate, methods, capabilities);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Component c
          && c.classification == classification && c.identifier == identifier
          && c.classificationIndex == classificationIndex
          && c.activeComparisonStamp == activeComparisonStamp
          && c.activeVersion.equals(activeVersion)
          && Arrays.equals(c.activeReleaseDate, activeReleaseDate)
          && c.pendingComparisonStamp == pendingComparisonStamp
          && c.pendingVersion.equals(pendingVersion)
          && Arrays.equals(c.pendingReleaseDate, pendingReleaseDate)
          && c.activationMethods == activationMethods && c.capabilities == capabilities;
    }

    @Override
    public int hashCode() {
      return classification * 31 + identifier;
    }
  }

  /** The response's fields. */
  public record Response(
      long capabilities,
      PldmString activeSetVersion,
      PldmString pendingSetVersion,
      List<Component> components) {
    public Response {
      components = List.copyOf(components);
      if (components.size() > 0xFFFF) {
        throw new IllegalArgumentException("ComponentCount is 16 bits");
      }
    }

    public byte[] encode() {
      int size = 10 + activeSetVersion.length() + pendingSetVersion.length()
          + components.stream().mapToInt(Component::size).sum();
      ByteBuffer out = Wire.out(size);
      out.putInt((int) capabilities).putShort((short) components.size())
          .put((byte) activeSetVersion.type()).put((byte) activeSetVersion.length())
          .put((byte) pendingSetVersion.type()).put((byte) pendingSetVersion.length())
          .put(activeSetVersion.bytes()).put(pendingSetVersion.bytes());
      components.forEach(c -> c.write(out));
      return out.array();
    }

    public static Response decode(byte[] payload) throws PldmFormatException {
      ByteBuffer in = Wire.in(payload);
      long capabilities = Wire.u32(in, "CapabilitiesDuringUpdate");
      int count = Wire.u16(in, "ComponentCount");
      int activeType = Wire.u8(in, "ActiveComponentImageSetVersionStringType");
      int activeLength = Wire.u8(in, "ActiveComponentImageSetVersionStringLength");
      int pendingType = Wire.u8(in, "PendingComponentImageSetVersionStringType");
      int pendingLength = Wire.u8(in, "PendingComponentImageSetVersionStringLength");
      PldmString active = PldmString.read(in, activeType, activeLength, "active set version");
      PldmString pending =
          PldmString.read(in, pendingType, pendingLength, "pending set version");
      List<Component> components = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        components.add(Component.read(in, i));
      }
      Wire.end(in, "GetFirmwareParameters response");
      return new Response(capabilities, active, pending, components);
    }
  }
}
