package io.dustcloud.api.v1alpha1;

/**
 * What could not be read of an object as the API server handed it ({@link LenientReader}): its
 * spec, its status, or both. An unreadable part is left null on the object and named here.
 *
 * @param spec the spec's first value of the wrong type, or null when the spec was read
 * @param readableSpec when the spec could not be read: its top-level fields that could (the
 *     others at their defaults), so that deletion still knows the provider and the deletion
 *     policy; never acted on otherwise. Null when the spec was read.
 * @param status the status's first value of the wrong type, or null when the status was read
 * @param <S> the spec's type
 */
public record ReadProblems<S>(InvalidField spec, S readableSpec, InvalidField status) {
  private static final ReadProblems<?> NONE = new ReadProblems<>(null, null, null);

  @SuppressWarnings("unchecked")
  public static <S> ReadProblems<S> none() {
    return (ReadProblems<S>) NONE;
  }

  public boolean any() {
    return spec != null || status != null;
  }
}
