package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import java.io.IOException;
import io.dustcloud.core.revision.RevisionNaming;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON file per fleet under {@code <stateDir>/fleets}, replaced atomically on every write.
 *
 * <p>A file is named {@code <readable prefix>_<hash>.json} ({@link #fileName}): a namespace
 * (63) and a name (253) together do not fit in a file name (255 bytes), so the name carries a
 * hash of both and the file the full {@link FleetId}. Operators before this one named files
 * {@code <namespace>.<name>.json}; those are still read, and replaced by the new name on the
 * next save, so an upgrade adopts the instances they record.
 */
final class FleetStateStore {
  private static final Logger log = LoggerFactory.getLogger(FleetStateStore.class);
  /** Characters of {@code namespace.name} kept in a file name, for people listing the directory. */
  static final int PREFIX_LENGTH = 100;
  /** Hex characters of the SHA-256 of {@code namespace/name} (128 bits: distinct fleets never meet). */
  static final int HASH_LENGTH = 32;
  /** The longest file name most file systems (ext4, xfs, btrfs, tmpfs) allow, in bytes. */
  static final int MAX_FILE_NAME = 255;
  private static final String SUFFIX = ".json";

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
    this.dir = PrivateFiles.directory(stateDir.resolve("fleets"));
  }

  Path file(FleetId fleet) {
    return dir.resolve(fileName(fleet));
  }

  /**
   * {@code <namespace>.<name>} cut to {@link #PREFIX_LENGTH}, then {@code _} and a hash of
   * {@code <namespace>/<name>}: at most 138 bytes whatever the name, so {@code .tmp} and
   * {@code .unreadable} still fit. {@code _} is in no Kubernetes name, so no new name equals a
   * legacy one ({@link #legacyFile}) and deleting a legacy file never hits another fleet's file.
   */
  static String fileName(FleetId fleet) {
    String key = fleet.key();
    // names are DNS-1123 (ASCII); anything else (a test's FleetId) is kept out of the name
    String prefix = (key.length() > PREFIX_LENGTH ? key.substring(0, PREFIX_LENGTH) : key)
        .replaceAll("[^a-z0-9.-]", "-");
    String hash = RevisionNaming.sha256Hex(
        (fleet.namespace() + "/" + fleet.name()).getBytes(StandardCharsets.UTF_8)).substring(0, HASH_LENGTH);
    return prefix + "_" + hash + SUFFIX;
  }

  /**
   * Where an operator before this one kept the fleet's state ({@code <namespace>.<name>.json}),
   * if such a name can exist at all: longer ones could never be written.
   */
  private Optional<Path> legacyFile(FleetId fleet) {
    String name = fleet.key() + SUFFIX;
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_FILE_NAME || name.contains("/")) {
      return Optional.empty();
    }
    Path legacy = dir.resolve(name);
    return legacy.equals(file(fleet)) ? Optional.empty() : Optional.of(legacy);
  }

  /**
   * Every readable fleet state. An unreadable file is moved aside rather than deleted: its
   * processes may still run and a person may want to find them.
   */
  List<FleetState> loadAll() {
    Map<FleetId, FleetState> states = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
        try {
          FleetState state = mapper.readValue(f.toFile(), FleetState.class);
          // both names exist when an operator stopped between writing the new and deleting the
          // legacy one: the new is the later write (instances only the legacy one knows are
          // reaped as unrecorded)
          if (f.equals(file(state.fleetId())) || !states.containsKey(state.fleetId())) {
            states.put(state.fleetId(), state);
          }
        } catch (IOException e) {
          Path aside = f.resolveSibling(f.getFileName() + ".unreadable");
          log.error("cannot read fleet state {}, moving it to {}", f, aside, e);
          Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new ProviderException(Reason.STATE_UNREADABLE, "cannot list " + dir + ": " + e, true, e);
    }
    return new ArrayList<>(states.values());
  }

  void save(FleetState state) {
    Path target = file(state.fleetId());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      // created 0600: the file names pids the operator will signal, and the images it runs
      mapper.writeValue(PrivateFiles.fresh(tmp).toFile(), state);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      // after the new file is in place: a crash in between leaves both, and loadAll prefers the new
      Optional<Path> legacy = legacyFile(state.fleetId());
      if (legacy.isPresent() && Files.deleteIfExists(legacy.get())) {
        log.info("fleet {}: state moved from {} to {}", state.fleetId(), legacy.get(), target);
      }
    } catch (IOException e) {
      throw new ProviderException(
          Reason.STATE_WRITE_FAILED, "cannot write fleet state " + target + ": " + e, true, e);
    }
  }

  void delete(FleetId fleet) {
    try {
      Optional<Path> legacy = legacyFile(fleet);
      if (legacy.isPresent()) {
        Files.deleteIfExists(legacy.get());
      }
      Files.deleteIfExists(file(fleet));
    } catch (IOException e) {
      throw new ProviderException(
          Reason.STATE_WRITE_FAILED, "cannot delete fleet state " + file(fleet) + ": " + e, true, e);
    }
  }
}
