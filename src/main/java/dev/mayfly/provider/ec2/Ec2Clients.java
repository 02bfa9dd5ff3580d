package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/**
 * Builds the SDK client a target asks for: endpoint, region, credentials, retry mode and timeouts.
 */
final class Ec2Clients {
  private Ec2Clients() {}

  /**
   * @param heard interceptors that hear every request the client sends
   */
  static Ec2Client build(Ec2Settings settings, List<ExecutionInterceptor> heard) {
    List<ExecutionInterceptor> interceptors = new ArrayList<>(heard);
    settings.endpoint().map(EndpointPath::of).ifPresent(path -> interceptors.add(0, path));
    AwsCredentialsProvider credentials = credentials(settings);
    RetryStrategy retry =
        (settings.retryMode().equals("standard")
                ? AwsRetryStrategy.standardRetryStrategy().toBuilder()
                : AwsRetryStrategy.adaptiveRetryStrategy().toBuilder())
            .maxAttempts(settings.maxAttempts())
            .build();
    Ec2ClientBuilder builder =
        Ec2Client.builder()
            .region(settings.region())
            .credentialsProvider(credentials)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(settings.apiTimeout()))
            .overrideConfiguration(
                o ->
                    o.retryStrategy(retry)
                        .apiCallTimeout(settings.apiTimeout().multipliedBy(settings.maxAttempts()))
                        .apiCallAttemptTimeout(settings.apiTimeout())
                        .executionInterceptors(interceptors));
    settings.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  /**
   * The SDK's default chain, or the named profile; resolved now so missing credentials fail before
   * any call.
   */
  private static AwsCredentialsProvider credentials(Ec2Settings s) {
    Supplier<ProfileFile> files =
        () -> {
          ProfileFile.Aggregator aggregate = ProfileFile.aggregator();
          if (Files.isRegularFile(s.credentialsFile())) {
            aggregate.addFile(
                ProfileFile.builder()
                    .content(s.credentialsFile())
                    .type(ProfileFile.Type.CREDENTIALS)
                    .build());
          }
          if (Files.isRegularFile(s.configFile())) {
            aggregate.addFile(
                ProfileFile.builder()
                    .content(s.configFile())
                    .type(ProfileFile.Type.CONFIGURATION)
                    .build());
          }
          return aggregate.build();
        };
    AwsCredentialsProvider provider =
        s.profile().isPresent()
            ? ProfileCredentialsProvider.builder()
                .profileFile(files)
                .profileName(s.profile().get())
                .build()
            : DefaultCredentialsProvider.builder().profileFile(files).build();
    try {
      provider.resolveCredentials();
    } catch (SdkException e) {
      String where =
          s.profile()
              .map(
                  p ->
                      "profile '"
                          + p
                          + "' is not in "
                          + s.credentialsFile()
                          + " or "
                          + s.configFile())
              .orElse("none in the environment, " + s.credentialsFile() + " or instance metadata");
      throw MayflyException.badInput(
          "target '"
              + s.target()
              + "': no AWS credentials ("
              + where
              + "); give --profile NAME or AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }
    return provider;
  }
}
