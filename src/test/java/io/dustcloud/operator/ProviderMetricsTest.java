package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.FleetProvider;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderMetricsTest {
  /**
   * A decorator that inherits an SPI default method silently swallows the call (a default
   * {@code locate} meant GCE never learned where a fleet lives): every SPI method must be
   * overridden and forwarded.
   */
  @Test
  void overridesEveryProviderMethod() {
    List<String> missing = Arrays.stream(FleetProvider.class.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .filter(m -> !declares(ProviderMetrics.class, m))
        .map(Method::getName)
        .toList();
    assertThat(missing).isEmpty();
  }

  private static boolean declares(Class<?> type, Method m) {
    try {
      return type.getDeclaredMethod(m.getName(), m.getParameterTypes()) != null;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
