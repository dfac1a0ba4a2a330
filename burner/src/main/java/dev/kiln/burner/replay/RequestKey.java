package dev.kiln.burner.replay;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What a recorded transaction must share with a request to answer it: the register id, the method
 * and the request's index/selector fields. This is the whole matching rule of the {@code replay:}
 * device (docs/burner.md "Replaying a recording"):
 *
 * <table>
 *   <caption>Fields compared, per register, for a GET</caption>
 *   <tr><th>register</th><th>fields (payload byte.bits)</th></tr>
 *   <tr><td>MCAM</td><td>access_reg_group 0x00.0-7, feature_group 0x00.16-23</td></tr>
 *   <tr><td>MCQS</td><td>component_index 0x00.0-15, device_index 0x00.16-27</td></tr>
 *   <tr><td>MCQI</td><td>component_index 0x00.0-15, device_index 0x00.16-27,
 *       read_pending 0x00.31, info_type 0x08.0-4, offset 0x10</td></tr>
 *   <tr><td>MQIS</td><td>info_type 0x00.0-7, read_offset 0x08.16-31</td></tr>
 *   <tr><td>MNVDA</td><td>TLV type 0x04, default 0x00.23, read_current 0x00.22</td></tr>
 *   <tr><td>MCC</td><td>instruction 0x00.0-7, component_index 0x04.0-15</td></tr>
 *   <tr><td>MCDA</td><td>offset 0x04, size 0x08.0-15</td></tr>
 *   <tr><td>MGIR, MLOCK, MFSV, MFRL, MIRC, MVTS</td><td>none (one answer per GET)</td></tr>
 *   <tr><td>any other id</td><td>the whole request payload</td></tr>
 * </table>
 *
 * <p>Deliberately not compared: how much the host asks for (MCQI {@code data_size}, MQIS {@code
 * read_length}, MNVDA {@code length}, the payload size). Those size the host's buffer, not the
 * question; the recorded reply says how much the device answered, and the host reads that.
 *
 * <p>A SET matches only a recorded SET with the same whole payload (the MLOCK key zeroed, as
 * recordings hold it): a replay is read-only and answers no write the device was not sent.
 *
 * @param registerId the register id
 * @param methodCode the method value of the operation TLV
 * @param fields the compared fields by name, in the order above
 */
public record RequestKey(int registerId, int methodCode, Map<String, String> fields) {

  public RequestKey {
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** The key of a request envelope (the request's secrets already zeroed, for SETs). */
  public static RequestKey of(RegisterEnvelope request) {
    Map<String, String> fields = new LinkedHashMap<>();
    byte[] payload = request.payload();
    AccessRegister register = request.register();
    if (request.methodCode() != RegisterMethod.GET.code() || register == null) {
      fields.put("payload", HexFormat.of().formatHex(payload));
      return new RequestKey(request.registerId(), request.methodCode(), fields);
    }
    switch (register) {
      case MCAM -> {
        put(fields, "access_reg_group", payload, 0x00, 0, 8);
        put(fields, "feature_group", payload, 0x00, 16, 8);
      }
      case MCQS -> {
        put(fields, "component_index", payload, 0x00, 0, 16);
        put(fields, "device_index", payload, 0x00, 16, 12);
      }
      case MCQI -> {
        put(fields, "component_index", payload, 0x00, 0, 16);
        put(fields, "device_index", payload, 0x00, 16, 12);
        put(fields, "read_pending", payload, 0x00, 31, 1);
        put(fields, "info_type", payload, 0x08, 0, 5);
        put(fields, "offset", payload, 0x10, 0, 32);
      }
      case MQIS -> {
        put(fields, "info_type", payload, 0x00, 0, 8);
        put(fields, "read_offset", payload, 0x08, 16, 16);
      }
      case MNVDA -> {
        put(fields, "type", payload, 0x04, 0, 32);
        put(fields, "default", payload, 0x00, 23, 1);
        put(fields, "read_current", payload, 0x00, 22, 1);
      }
      case MCC -> {
        put(fields, "instruction", payload, 0x00, 0, 8);
        put(fields, "component_index", payload, 0x04, 0, 16);
      }
      case MCDA -> {
        put(fields, "offset", payload, 0x04, 0, 32);
        put(fields, "size", payload, 0x08, 0, 16);
      }
      case MGIR, MLOCK, MFSV, MFRL, MIRC, MVTS -> {}
      default -> fields.put("payload", HexFormat.of().formatHex(payload));
    }
    return new RequestKey(request.registerId(), request.methodCode(), fields);
  }

  /** Bits {@code low..low+width-1} of the big-endian dword at {@code offset}; 0 past the end. */
  private static void put(
      Map<String, String> fields, String name, byte[] payload, int offset, int low, int width) {
    long dword = 0;
    if (offset + 4 <= payload.length) {
      dword = ByteBuffer.wrap(payload, offset, 4).getInt() & 0xFFFF_FFFFL;
    }
    long value = (dword >>> low) & ((1L << width) - 1);
    fields.put(name, "0x" + Long.toHexString(value));
  }

  /** {@code MCQI GET (component_index=0x0, ...)}, for messages; a SET's payload is not shown. */
  public String describe() {
    AccessRegister register = AccessRegister.fromId(registerId);
    RegisterMethod method = RegisterMethod.fromCode(methodCode);
    String name =
        register == null
            ? String.format("register 0x%04X", registerId)
            : register.describe();
    String verb = method == null ? "method " + methodCode : method.name();
    if (fields.containsKey("payload")) {
      return name + " " + verb + " with a " + fields.get("payload").length() / 2
          + "-byte payload";
    }
    if (fields.isEmpty()) {
      return name + " " + verb;
    }
    StringJoiner joined = new StringJoiner(", ", " (", ")");
    fields.forEach((field, value) -> joined.add(field + "=" + value));
    return name + " " + verb + joined;
  }
}
