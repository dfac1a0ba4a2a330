package dev.kiln.signer.kms;

import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.KeyReference;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/**
 * Builds the KMS client for a key reference: region, endpoint override (KMS only, never STS, so
 * web-identity credentials keep working with a private endpoint), credentials and a bounded retry
 * policy that backs off on throttling.
 */
public final class KmsClients {
  /** Attempts per request, the first included: throttling is retried up to 5 more times. */
  public static final int MAX_ATTEMPTS = 6;

  /** Backoff used in production: exponential with jitter, 200 ms base, 5 s cap per wait. */
  public static final BackoffStrategy DEFAULT_THROTTLING_BACKOFF =
      BackoffStrategy.exponentialDelay(Duration.ofMillis(200), Duration.ofSeconds(5));

  private KmsClients() {}

  /**
   * A client with credentials from the SDK's default chain (environment, system properties, web
   * identity through the {@code sts} module, profiles, container and instance roles).
   */
  public static KmsClient create(KeyReference.KmsKey reference, KeyOptions options)
      throws KeyAccessException {
    return create(
        reference,
        options,
        DefaultCredentialsProvider.builder().build(),
        DEFAULT_THROTTLING_BACKOFF);
  }

  /**
   * A client with the given credentials and throttling backoff (tests shorten the backoff).
   *
   * @throws KeyAccessException if no region can be determined
   */
  public static KmsClient create(
      KeyReference.KmsKey reference,
      KeyOptions options,
      AwsCredentialsProvider credentials,
      BackoffStrategy throttlingBackoff)
      throws KeyAccessException {
    KmsClientBuilder builder =
        KmsClient.builder()
            .region(region(reference, options))
            .credentialsProvider(credentials)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(30)))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(MAX_ATTEMPTS)
                            .backoffStrategy(throttlingBackoff)
                            .throttlingBackoffStrategy(throttlingBackoff)
                            .build())
                    .build());
    URI endpoint = options.kmsEndpoint() != null ? options.kmsEndpoint() : reference.endpoint();
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  private static Region region(KeyReference.KmsKey reference, KeyOptions options)
      throws KeyAccessException {
    if (options.kmsRegion() != null) {
      return Region.of(options.kmsRegion());
    }
    if (reference.arnRegion() != null) {
      return Region.of(reference.arnRegion());
    }
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion();
    } catch (SdkClientException e) {
      throw new KeyAccessException(
          reference + ": no AWS region: give --kms-region, a key ARN, or set AWS_REGION");
    }
  }
}
