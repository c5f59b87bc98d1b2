package io.dustcloud.api.v1alpha1;

/**
 * A resource read by a {@link LenientReader}: it carries what could not be read. The problems
 * are not part of the object's JSON (they are the reader's findings, not data), so a copy made
 * through JSON must carry them over ({@link #readProblems(ReadProblems)}).
 */
public interface LenientlyRead<S> {
  ReadProblems<S> readProblems();

  void readProblems(ReadProblems<S> problems);
}
