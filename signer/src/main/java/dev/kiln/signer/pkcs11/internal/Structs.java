package dev.kiln.signer.pkcs11.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * Lays out the Cryptoki structures Kiln passes to the module in native memory, following the
 * platform's C ABI (natural alignment, {@code CK_ULONG} = {@code unsigned long}). On Linux x86-64
 * ({@code CK_ULONG} and pointers 8 bytes) the layouts are:
 *
 * <pre>
 * CK_ATTRIBUTE / CK_MECHANISM (24 bytes)
 *   offset 0   CK_ULONG type / mechanism
 *   offset 8   void*    pValue / pParameter
 *   offset 16  CK_ULONG ulValueLen / ulParameterLen
 *
 * CK_C_INITIALIZE_ARGS (48 bytes)
 *   offset 0   CreateMutex, DestroyMutex, LockMutex, UnlockMutex (4 function pointers, NULL)
 *   offset 32  CK_FLAGS flags (CKF_OS_LOCKING_OK)
 *   offset 40  void*    pReserved (NULL)
 *
 * CK_TOKEN_INFO (208 bytes; only the first fields are read)
 *   offset 0   label[32]          blank-padded UTF-8
 *   offset 32  manufacturerID[32] blank-padded
 *   offset 64  model[16]          blank-padded
 *   offset 80  serialNumber[16]   blank-padded
 *   offset 96  CK_FLAGS flags
 * </pre>
 *
 * Windows (LLP64, packed structures) is not supported.
 */
public final class Structs {
  private Structs() {}

  static final int LONG = Native.LONG_SIZE;
  static final int POINTER = Native.POINTER_SIZE;

  /** Offset of pValue in CK_ATTRIBUTE (the pointer is aligned to its own size). */
  static final int VALUE_OFFSET = align(LONG, POINTER);

  /** Offset of ulValueLen in CK_ATTRIBUTE. */
  static final int LENGTH_OFFSET = align(VALUE_OFFSET + POINTER, LONG);

  /** Size of CK_ATTRIBUTE and CK_MECHANISM. */
  static final int ATTRIBUTE_SIZE = align(LENGTH_OFFSET + LONG, Math.max(LONG, POINTER));

  /** Size reserved for CK_TOKEN_INFO: more than its 208 bytes, to be safe on any ABI. */
  public static final int TOKEN_INFO_SIZE = 512;

  public static final int TOKEN_LABEL_OFFSET = 0;
  public static final int TOKEN_MANUFACTURER_OFFSET = 32;
  public static final int TOKEN_MODEL_OFFSET = 64;
  public static final int TOKEN_SERIAL_OFFSET = 80;
  public static final int TOKEN_FLAGS_OFFSET = 96;

  private static int align(int offset, int alignment) {
    return (offset + alignment - 1) / alignment * alignment;
  }

  /** CK_C_INITIALIZE_ARGS asking the module to use the OS's own locking (we call from threads). */
  public static Memory initializeArgs() {
    int flagsOffset = 4 * POINTER;
    int reservedOffset = align(flagsOffset + LONG, POINTER);
    Memory args = new Memory(reservedOffset + POINTER);
    args.clear();
    args.setNativeLong(flagsOffset, new NativeLong(Ck.CKF_OS_LOCKING_OK));
    return args;
  }

  /** A CK_MECHANISM without parameters. */
  public static Memory mechanism(long mechanism) {
    Memory memory = new Memory(ATTRIBUTE_SIZE);
    memory.clear();
    memory.setNativeLong(0, new NativeLong(mechanism));
    return memory;
  }

  /** A CK_ULONG value as native bytes, for CKA_CLASS and similar attributes. */
  public static byte[] ulong(long value) {
    Memory memory = new Memory(LONG);
    memory.setNativeLong(0, new NativeLong(value));
    return memory.getByteArray(0, LONG);
  }

  /** Reads a CK_ULONG from native bytes (as returned for CKA_KEY_TYPE). */
  public static long ulong(byte[] value) {
    if (value.length != LONG) {
      throw new IllegalArgumentException("CK_ULONG attribute of " + value.length + " bytes");
    }
    Memory memory = new Memory(LONG);
    memory.write(0, value, 0, value.length);
    return memory.getNativeLong(0).longValue();
  }

  /**
   * A CK_ATTRIBUTE array. Each value buffer is owned by this object; {@link #clear()} zeroes them
   * (templates may carry key ids, never PINs).
   */
  public static final class Template {
    private final Memory array;
    private final Memory[] values;

    /** A template for C_FindObjectsInit: type/value pairs, all values given. */
    public Template(long[] types, byte[][] values) {
      this.array = new Memory((long) ATTRIBUTE_SIZE * Math.max(1, types.length));
      this.array.clear();
      this.values = new Memory[types.length];
      for (int i = 0; i < types.length; i++) {
        long base = (long) i * ATTRIBUTE_SIZE;
        array.setNativeLong(base, new NativeLong(types[i]));
        if (values[i] != null && values[i].length > 0) {
          this.values[i] = new Memory(values[i].length);
          this.values[i].write(0, values[i], 0, values[i].length);
          array.setPointer(base + VALUE_OFFSET, this.values[i]);
        }
        array.setNativeLong(
            base + LENGTH_OFFSET, new NativeLong(values[i] == null ? 0 : values[i].length));
      }
    }

    /** A template for the length query of C_GetAttributeValue: types only, NULL values. */
    public Template(long[] types) {
      this(types, new byte[types.length][]);
    }

    public Pointer pointer() {
      return array;
    }

    /** How many attributes the template holds. */
    public int count() {
      return values.length;
    }

    /** The ulValueLen the module wrote for attribute {@code index}. */
    public long length(int index) {
      return array.getNativeLong((long) index * ATTRIBUTE_SIZE + LENGTH_OFFSET).longValue();
    }

    /** Points attribute {@code index} at a fresh buffer of {@code length} bytes. */
    public void allocate(int index, int length) {
      long base = (long) index * ATTRIBUTE_SIZE;
      values[index] = new Memory(Math.max(1, length));
      values[index].clear();
      array.setPointer(base + VALUE_OFFSET, values[index]);
      array.setNativeLong(base + LENGTH_OFFSET, new NativeLong(length));
    }

    /** The bytes the module wrote for attribute {@code index}. */
    public byte[] value(int index) {
      return values[index].getByteArray(0, (int) length(index));
    }

    public void clear() {
      for (Memory value : values) {
        if (value != null) {
          value.clear();
        }
      }
    }
  }
}
