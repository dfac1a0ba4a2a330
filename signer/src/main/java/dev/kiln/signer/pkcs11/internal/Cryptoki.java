package dev.kiln.signer.pkcs11.internal;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;

/**
 * The Cryptoki (PKCS#11 v2.40) functions Kiln calls, mapped by JNA from the module's exported
 * {@code C_*} symbols. {@code CK_ULONG} and {@code CK_RV} are C {@code unsigned long}, hence {@link
 * NativeLong}; structures are passed as raw {@link Pointer}s laid out by {@link Structs}.
 *
 * @see <a href="https://docs.oasis-open.org/pkcs11/pkcs11-base/v2.40/pkcs11-base-v2.40.html">PKCS
 *     #11 v2.40 base specification</a>
 */
public interface Cryptoki extends Library {
  NativeLong C_Initialize(Pointer initArgs);

  NativeLong C_Finalize(Pointer reserved);

  NativeLong C_GetSlotList(byte tokenPresent, Pointer slotList, NativeLongByReference count);

  NativeLong C_GetTokenInfo(NativeLong slotId, Pointer tokenInfo);

  NativeLong C_OpenSession(
      NativeLong slotId,
      NativeLong flags,
      Pointer application,
      Pointer notify,
      NativeLongByReference session);

  NativeLong C_CloseSession(NativeLong session);

  NativeLong C_Login(NativeLong session, NativeLong userType, byte[] pin, NativeLong pinLength);

  NativeLong C_Logout(NativeLong session);

  NativeLong C_FindObjectsInit(NativeLong session, Pointer template, NativeLong count);

  NativeLong C_FindObjects(
      NativeLong session, Pointer objects, NativeLong maxCount, NativeLongByReference count);

  NativeLong C_FindObjectsFinal(NativeLong session);

  NativeLong C_GetAttributeValue(
      NativeLong session, NativeLong object, Pointer template, NativeLong count);

  NativeLong C_SignInit(NativeLong session, Pointer mechanism, NativeLong key);

  NativeLong C_Sign(
      NativeLong session,
      byte[] data,
      NativeLong dataLength,
      byte[] signature,
      NativeLongByReference signatureLength);
}
