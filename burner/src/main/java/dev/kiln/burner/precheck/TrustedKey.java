package dev.kiln.burner.precheck;

import dev.kiln.signer.fs4.KeyUuid;
import java.util.Arrays;
import java.util.Objects;

/**
 * A public key the device trusts for firmware updates: its 16-byte keypair UUID (as carried in
 * signature sections) and, when known, the key itself (X.509 SubjectPublicKeyInfo DER).
 *
 * @param uuid the keypair UUID in its one printed spelling, the dashed lower-case form of {@link
 *     KeyUuid#toString()} (any spelling {@link KeyUuid#parse} accepts is normalised to it)
 * @param publicKeyDer the encoded public key, or an empty array when the profile holds only the
 *     UUID
 */
public record TrustedKey(String uuid, byte[] publicKeyDer) {
  public TrustedKey {
    Objects.requireNonNull(uuid, "uuid");
    uuid = KeyUuid.parse(uuid).toString();
    publicKeyDer = publicKeyDer == null ? new byte[0] : publicKeyDer.clone();
  }

  @Override
  public byte[] publicKeyDer() {
    return publicKeyDer.clone();
  }

  /** Whether the profile holds the key itself and not just its UUID. */
  public boolean hasKey() {
    return publicKeyDer.length > 0;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TrustedKey that
        && uuid.equals(that.uuid)
        && Arrays.equals(publicKeyDer, that.publicKeyDer);
  }

  @Override
  public int hashCode() {
    return 31 * uuid.hashCode() + Arrays.hashCode(publicKeyDer);
  }

  @Override
  public String toString() {
    return "TrustedKey[" + uuid + (hasKey() ? ", " + publicKeyDer.length + "-byte key" : "") + "]";
  }
}
