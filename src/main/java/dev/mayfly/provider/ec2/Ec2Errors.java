package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns SDK exceptions into one line that names the target and what was being done. Never a secret.
 */
final class Ec2Errors {
  private static final Set<String> BAD_CREDENTIALS =
      Set.of(
          "AuthFailure",
          "UnauthorizedOperation",
          "InvalidClientTokenId",
          "SignatureDoesNotMatch",
          "InvalidAccessKeyId",
          "UnrecognizedClientException");
  private static final Set<String> LIMITS =
      Set.of(
          "InstanceLimitExceeded",
          "VcpuLimitExceeded",
          "InsufficientInstanceCapacity",
          "MaxSpotInstanceCountExceeded",
          "InsufficientFreeAddressesInSubnet");
  private static final Set<String> THROTTLING =
      Set.of(
          "RequestLimitExceeded",
          "Throttling",
          "ThrottlingException",
          "RequestThrottled",
          "SlowDown");

  private Ec2Errors() {}

  static MayflyException convert(Ec2Settings s, String doing, SdkException e) {
    String where = "target '" + s.target() + "' (" + s.describeEndpoint() + "): " + doing + ": ";
    if (e instanceof AwsServiceException service
        && service.statusCode() == 404
        && (service.awsErrorDetails() == null || service.awsErrorDetails().errorCode() == null)) {
      return MayflyException.failed(
          where
              + "no EC2 API at this endpoint (HTTP 404); check endpoint:'s path"
              + " (Eucalyptus: https://HOST:8773/services/compute)");
    }
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      String code = String.valueOf(service.awsErrorDetails().errorCode());
      String message = oneLine(service.awsErrorDetails().errorMessage());
      if (code.startsWith("InvalidAMIID")) {
        return MayflyException.badInput(
            where
                + "image '"
                + s.image()
                + "' does not exist in region "
                + s.region().id()
                + " ("
                + code
                + ")");
      }
      if (BAD_CREDENTIALS.contains(code)) {
        return MayflyException.badInput(
            where + "the AWS credentials were refused (" + code + ": " + message + ")");
      }
      if (LIMITS.contains(code)) {
        return MayflyException.failed(
            where + "refused by the account's limits (" + code + ": " + message + ")");
      }
      if (THROTTLING.contains(code) || service.isThrottlingException()) {
        return MayflyException.failed(
            where
                + "EC2 kept throttling requests ("
                + code
                + ") through "
                + s.maxAttempts()
                + " attempts; try again later or raise max-attempts");
      }
      if (code.startsWith("Invalid") || code.startsWith("Missing") || code.equals("Unsupported")) {
        return MayflyException.badInput(where + code + ": " + message);
      }
      return MayflyException.failed(
          where + code + ": " + message + " (HTTP " + service.statusCode() + ")");
    }
    if (e instanceof ApiCallTimeoutException) {
      return MayflyException.failed(where + "no answer within " + s.apiTimeout().toSeconds() + "s");
    }
    Throwable cause = e;
    while (cause != null) {
      if (cause instanceof ConnectException
          || cause instanceof NoRouteToHostException
          || cause instanceof UnknownHostException
          || cause instanceof SocketTimeoutException) {
        return MayflyException.failed(
            where
                + "cannot reach the EC2 endpoint ("
                + cause.getClass().getSimpleName()
                + ": "
                + oneLine(cause.getMessage())
                + ")");
      }
      cause = cause.getCause();
    }
    return MayflyException.failed(where + oneLine(e.getMessage()));
  }

  static String code(SdkException e) {
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      return String.valueOf(service.awsErrorDetails().errorCode());
    }
    return "";
  }

  static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s+", " ").trim();
  }
}
