package dev.kiln.signer.kms;

import dev.kiln.signer.DigestAlgorithm;
import java.util.Optional;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

/**
 * The one table that ties AWS KMS key specs to Kiln's algorithms. The KMS signing algorithm is
 * always named explicitly: DescribeKey lists {@code RSASSA_PKCS1_V1_5_SHA_256} first for every RSA
 * key, so taking the first entry (as some tools do) would sign RSA-4096 images with SHA-256.
 *
 * <table>
 *   <caption>Key specs Kiln signs with</caption>
 *   <tr><th>KMS KeySpec</th><th>Modulus</th><th>Digest (mstflint's rule)</th>
 *       <th>KMS SigningAlgorithm</th></tr>
 *   <tr><td>RSA_2048</td><td>2048</td><td>SHA-256</td><td>RSASSA_PKCS1_V1_5_SHA_256</td></tr>
 *   <tr><td>RSA_4096</td><td>4096</td><td>SHA-512</td><td>RSASSA_PKCS1_V1_5_SHA_512</td></tr>
 * </table>
 *
 * Any other key spec (RSA_3072, ECC, symmetric...) is refused.
 */
public enum KmsAlgorithms {
  RSA_2048("RSA_2048", 2048, DigestAlgorithm.SHA256),
  RSA_4096("RSA_4096", 4096, DigestAlgorithm.SHA512);

  private final String keySpec;
  private final int modulusBits;
  private final DigestAlgorithm digest;

  KmsAlgorithms(String keySpec, int modulusBits, DigestAlgorithm digest) {
    this.keySpec = keySpec;
    this.modulusBits = modulusBits;
    this.digest = digest;
  }

  /** The KMS KeySpec name. */
  public String keySpec() {
    return keySpec;
  }

  public int modulusBits() {
    return modulusBits;
  }

  /** The digest mstflint uses with a key of this size. */
  public DigestAlgorithm digest() {
    return digest;
  }

  /** The KMS signing algorithm for this key spec's digest. */
  public SigningAlgorithmSpec signingAlgorithm() {
    return signingAlgorithm(digest);
  }

  /** The row for a KMS KeySpec, if Kiln signs with it. */
  public static Optional<KmsAlgorithms> forKeySpec(String keySpec) {
    for (KmsAlgorithms row : values()) {
      if (row.keySpec.equals(keySpec)) {
        return Optional.of(row);
      }
    }
    return Optional.empty();
  }

  /** The RSASSA-PKCS1-v1_5 KMS signing algorithm over {@code digest}. */
  public static SigningAlgorithmSpec signingAlgorithm(DigestAlgorithm digest) {
    return switch (digest) {
      case SHA256 -> SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256;
      case SHA512 -> SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_512;
    };
  }
}
