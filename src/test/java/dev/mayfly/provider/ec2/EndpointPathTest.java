package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

class EndpointPathTest {
  private static String sent(String endpoint, String marshalledPath) {
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create("http://compute.example:8773"))
            .encodedPath(marshalledPath)
            .build();
    Context.ModifyHttpRequest context =
        new Context.ModifyHttpRequest() {
          @Override
          public SdkRequest request() {
            return null;
          }

          @Override
          public SdkHttpRequest httpRequest() {
            return request;
          }

          @Override
          public Optional<RequestBody> requestBody() {
            return Optional.empty();
          }

          @Override
          public Optional<AsyncRequestBody> asyncRequestBody() {
            return Optional.empty();
          }
        };
    return EndpointPath.of(URI.create(endpoint))
        .modifyHttpRequest(context, new ExecutionAttributes())
        .encodedPath();
  }

  @Test
  void theEndpointsPathPrefixesWhatTheSdkSends() {
    assertEquals("/services/compute/", sent("http://h:8773/services/compute", ""));
    assertEquals("/services/compute/", sent("http://h:8773/services/compute/", "/"));
    assertEquals("/services/compute/", sent("http://h:8773/services/compute", "/"));
  }

  @Test
  void aPathTheSdkAlreadyKeptIsLeftAlone() {
    assertEquals(
        "/services/compute/", sent("http://h:8773/services/compute", "/services/compute/"));
    assertEquals("/services/compute", sent("http://h:8773/services/compute", "/services/compute"));
  }

  @Test
  void anEndpointWithoutAPathNeedsNoInterceptor() {
    assertNull(EndpointPath.of(URI.create("http://h:8773")));
    assertNull(EndpointPath.of(URI.create("http://h:8773/")));
  }
}
