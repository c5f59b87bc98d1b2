package io.dustcloud.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that starts a whole operator (JOSDK, an API server, threads) and waits for it: kept for
 * what only the assembled operator can show — API semantics, watches, timing across threads,
 * crashes. Rules belong in the pipeline's and the pure classes' tests. Run only the fast ones
 * with {@code mvn verify -DexcludedGroups=end-to-end}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("end-to-end")
public @interface EndToEnd {}
