package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One JSON file per fleet under {@code <stateDir>/fleets}, replaced atomically on every write. */
final class FleetStateStore {
  private static final Logger log = LoggerFactory.getLogger(FleetStateStore.class);

  private final Path dir;
  private final ObjectMapper mapper =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          // images' settings are this provider's; files of operators that kept them as a map of
          // strings ({"runtime":"qemu","memoryMiB":"256"}) read the same (scalars are coerced)
          .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
              .addAbstractTypeMapping(io.dustcloud.provider.ProviderSettings.class, LocalSettings.class))
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          // an older operator reading a newer file should still adopt what it understands
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  FleetStateStore(Path stateDir) {
    this.dir = stateDir.resolve("fleets");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state directory " + dir, e);
    }
  }

  Path file(FleetId fleet) {
    return dir.resolve(fleet.key() + ".json");
  }

  /**
   * Every readable fleet state. An unreadable file is moved aside rather than deleted: its
   * processes may still run and a person may want to find them.
   */
  List<FleetState> loadAll() {
    List<FleetState> states = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        try {
          states.add(mapper.readValue(f.toFile(), FleetState.class));
        } catch (IOException e) {
          Path aside = f.resolveSibling(f.getFileName() + ".unreadable");
          log.error("cannot read fleet state {}, moving it to {}", f, aside, e);
          Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new ProviderException(Reason.STATE_UNREADABLE, "cannot list " + dir + ": " + e, true, e);
    }
    return states;
  }

  void save(FleetState state) {
    Path target = file(state.fleetId());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      mapper.writeValue(tmp.toFile(), state);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ProviderException(
          Reason.STATE_WRITE_FAILED, "cannot write fleet state " + target + ": " + e, true, e);
    }
  }

  void delete(FleetId fleet) {
    try {
      Files.deleteIfExists(file(fleet));
    } catch (IOException e) {
      throw new ProviderException(
          Reason.STATE_WRITE_FAILED, "cannot delete fleet state " + file(fleet) + ": " + e, true, e);
    }
  }
}
