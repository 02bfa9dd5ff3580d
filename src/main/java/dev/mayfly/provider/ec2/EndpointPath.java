package dev.mayfly.provider.ec2;

import java.net.URI;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Puts the endpoint's path back on every request: Eucalyptus serves EC2 under {@code
 * /services/compute}, and the SDK's query-protocol marshaller sends every call to {@code /}
 * whatever the endpoint says (aws-sdk-java-v2 issue 3387). Runs before signing, so the signature
 * covers the path the cloud sees.
 */
final class EndpointPath implements ExecutionInterceptor {
  private final String path;

  private EndpointPath(String path) {
    this.path = path;
  }

  /** The interceptor for {@code endpoint}, or null when its path is empty or {@code /}. */
  static EndpointPath of(URI endpoint) {
    String raw = endpoint.getRawPath();
    if (raw == null || raw.isEmpty() || raw.equals("/")) {
      return null;
    }
    return new EndpointPath(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
  }

  @Override
  public SdkHttpRequest modifyHttpRequest(
      Context.ModifyHttpRequest context, ExecutionAttributes executionAttributes) {
    SdkHttpRequest request = context.httpRequest();
    String sent = request.encodedPath();
    if (sent.equals(path) || sent.startsWith(path + "/")) {
      return request; // an SDK that keeps the path already did it
    }
    // POST /services/compute/, as the AWS CLI and euca2ools send it
    return request.toBuilder().encodedPath(path + (sent.isEmpty() ? "/" : sent)).build();
  }
}
