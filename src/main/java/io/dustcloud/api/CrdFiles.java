package io.dustcloud.api;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The committed CRDs, packaged into the jar from {@code crds/}. */
public final class CrdFiles {
  public static final List<String> NAMES =
      List.of("unikernels.dustcloud.io-v1.yml", "unikernelrevisions.dustcloud.io-v1.yml");

  private CrdFiles() {}

  public static List<CustomResourceDefinition> load() {
    return NAMES.stream().map(CrdFiles::load).toList();
  }

  private static CustomResourceDefinition load(String name) {
    try (InputStream in = CrdFiles.class.getResourceAsStream("/crds/" + name)) {
      if (in == null) {
        throw new IllegalStateException("CRD " + name + " is not on the classpath");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
