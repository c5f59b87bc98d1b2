package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.Unsupported;
import io.dustcloud.provider.local.Solo5Elf.Entry;
import io.dustcloud.provider.local.Solo5Manifest.Device;
import io.dustcloud.provider.local.Solo5Manifest.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Solo5 manifest read from synthetic ELF files written here, and the solo5 runtime's contract
 * (one network device named {@code service}, no block device) checked against it.
 */
class Solo5ManifestTest {
  @TempDir Path dir;

  @Test
  void readsTheDevicesOfAManifestInAProgramHeaderNote() throws IOException {
    Path k = write("ok.hvt", Solo5Elf.withManifest(List.of(Entry.net("service"))));

    assertThat(Solo5Manifest.read(k))
        .isEqualTo(new Solo5Manifest.Found(new Solo5Manifest(List.of(new Device("service", Kind.NET))), null));
    assertThat(Solo5Runtime.contractViolation(k, "hvt", List.of("--port=8080"))).isNull();
  }

  @Test
  void readsAManifestThroughASectionWhenThereAreNoProgramHeaders() throws IOException {
    Path k = write("obj.hvt", Solo5Elf.withManifestInSection(List.of(Entry.net("service"), Entry.block("disk"))));

    assertThat(Solo5Manifest.read(k)).isEqualTo(new Solo5Manifest.Found(new Solo5Manifest(
        List.of(new Device("service", Kind.NET), new Device("disk", Kind.BLOCK))), null));
  }

  @Test
  void refusesAnotherDeviceNameTwoNetworkDevicesNoneOrABlockDevice() throws IOException {
    Path eth0 = write("eth0.hvt", Solo5Elf.withManifest(List.of(Entry.net("eth0"))));
    assertThat(Solo5Runtime.contractViolation(eth0, "hvt", List.of()))
        .isEqualTo("artifact " + eth0 + "'s Solo5 manifest names its network device 'eth0'; the solo5 runtime"
            + " attaches exactly one network device, named 'service' (tap0), and no block device"
            + " (see docs/local-runtimes.md)");

    Path two = write("two.hvt", Solo5Elf.withManifest(List.of(Entry.net("service"), Entry.net("admin"))));
    assertThat(Solo5Runtime.contractViolation(two, "hvt", List.of()))
        .contains("declares 2 network devices 'service', 'admin'", "exactly one network device, named 'service'");

    Path none = write("none.hvt", Solo5Elf.withManifest(List.of()));
    assertThat(Solo5Runtime.contractViolation(none, "hvt", List.of())).contains("declares no network device");

    Path disk = write("disk.hvt", Solo5Elf.withManifest(List.of(Entry.net("service"), Entry.block("storage"))));
    assertThat(Solo5Runtime.contractViolation(disk, "hvt", List.of()))
        .contains("declares block device(s) 'storage'", "and no block device");
  }

  @Test
  void refusesAnArtifactBuiltForAnotherSolo5TargetThanItsFormat() throws IOException {
    Path spt = write("built-for-spt", Solo5Elf.withManifestAndAbi(List.of(Entry.net("service")), 2));

    assertThat(Solo5Manifest.read(spt)).isEqualTo(new Solo5Manifest.Found(
        new Solo5Manifest(List.of(new Device("service", Kind.NET))), "spt"));
    assertThat(Solo5Runtime.contractViolation(spt, "spt", List.of())).isNull();
    assertThat(Solo5Runtime.contractViolation(spt, "hvt", List.of()))
        .isEqualTo("artifact " + spt + " was built for Solo5's 'spt' target (its ABI note), but spec.image.format"
            + " is 'hvt': build it for hvt, or set the format to the one it was built for");
    Path virtio = write("built-for-virtio", Solo5Elf.withManifestAndAbi(List.of(Entry.net("service")), 3));
    assertThat(Solo5Runtime.contractViolation(virtio, "hvt", List.of())).contains("'virtio' target");
    Path odd = write("odd-target", Solo5Elf.withManifestAndAbi(List.of(Entry.net("service")), 77));
    assertThat(Solo5Runtime.contractViolation(odd, "hvt", List.of())).contains("'unknown target 77' target");
  }

  @Test
  void anElfWithoutAManifestIsLetThroughForTheTenderToJudge() throws IOException {
    Path old = write("old.hvt", Solo5Elf.withoutManifest());

    assertThat(Solo5Manifest.read(old)).isEqualTo(new Solo5Manifest.Absent());
    assertThat(Solo5Runtime.contractViolation(old, "hvt", List.of())).isNull();
  }

  @Test
  void bootArgsMayNotGiveTheGuestAnotherAddress() throws IOException {
    Path k = write("ok.hvt", Solo5Elf.withManifest(List.of(Entry.net("service"))));

    assertThat(Solo5Runtime.contractViolation(k, "hvt", List.of("--ipv4=10.0.0.5/24")))
        .isEqualTo("bootArgs set --ipv4=10.0.0.5/24, but the solo5 runtime gives the guest --ipv4=10.0.3.2/24"
            + " (the tap in its namespace is 10.0.3.1/24); remove it from bootArgs");
    assertThat(Solo5Runtime.contractViolation(k, "hvt", List.of("--ipv4-gateway=10.0.3.254"))).contains("--ipv4-gateway=10.0.3.1");
    assertThat(Solo5Runtime.contractViolation(k, "hvt", List.of("--ipv4=10.0.3.2/24", "--ipv4-gateway=10.0.3.1")))
        .as("repeating what the runtime passes is harmless").isNull();
  }

  @Test
  void refusesWhatIsNotAnElf64LittleEndianFilePrecisely() throws IOException {
    assertThat(problem(write("text.hvt", "not a real kernel".getBytes())))
        .isEqualTo("not an ELF file (it starts with 6e 6f 74 20)");
    assertThat(problem(write("empty.hvt", new byte[0]))).isEqualTo("not an ELF file (it starts with nothing: it is empty)");
    byte[] elf = Solo5Elf.withManifest(List.of(Entry.net("service")));
    assertThat(problem(write("short.hvt", Arrays.copyOf(elf, 40))))
        .isEqualTo("truncated: the ELF header needs bytes 0–64 but the file is 40 bytes");
    byte[] class32 = elf.clone();
    class32[4] = 1;
    assertThat(problem(write("32.hvt", class32))).isEqualTo("ELF class 1 (32-bit); Solo5 unikernels are ELF64");
    byte[] big = elf.clone();
    big[5] = 2;
    assertThat(problem(write("be.hvt", big))).startsWith("big-endian ELF");
    assertThat(Solo5Runtime.contractViolation(dir.resolve("text.hvt"), "hvt", List.of()))
        .isEqualTo("artifact " + dir.resolve("text.hvt") + " is not a Solo5 unikernel this runtime can check:"
            + " not an ELF file (it starts with 6e 6f 74 20)");
  }

  @Test
  void refusesACorruptManifestPrecisely() throws IOException {
    byte[] mft = Solo5Elf.manifest(List.of(Entry.net("service")));
    ByteBuffer m = ByteBuffer.wrap(mft).order(ByteOrder.LITTLE_ENDIAN);

    byte[] v2 = mft.clone();
    ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 2);
    assertThat(problem(write("v2.hvt", Solo5Elf.elf(Solo5Elf.note(v2), true))))
        .isEqualTo("the Solo5 manifest (program header 0) has version 2; this operator reads version 1");

    byte[] many = mft.clone();
    ByteBuffer.wrap(many).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 65);
    assertThat(problem(write("many.hvt", Solo5Elf.elf(Solo5Elf.note(many), true))))
        .isEqualTo("the Solo5 manifest (program header 0) declares 65 entries; Solo5 allows at most 64");

    byte[] three = mft.clone();
    ByteBuffer.wrap(three).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 3);
    assertThat(problem(write("three.hvt", Solo5Elf.elf(Solo5Elf.note(three), true))))
        .isEqualTo("the Solo5 manifest (program header 0) is truncated: 3 entries need a 324-byte descriptor, it has 220");

    byte[] unterminated = mft.clone();
    Arrays.fill(unterminated, 8 + 104, 8 + 104 + 68, (byte) 'a');
    assertThat(problem(write("name.hvt", Solo5Elf.elf(Solo5Elf.note(unterminated), true))))
        .isEqualTo("the Solo5 manifest (program header 0): the name of entry 1 is not NUL-terminated within 68 bytes");

    byte[] unknown = mft.clone();
    ByteBuffer.wrap(unknown).order(ByteOrder.LITTLE_ENDIAN).putInt(8 + 104 + 68, 9);
    assertThat(problem(write("type.hvt", Solo5Elf.elf(Solo5Elf.note(unknown), true))))
        .isEqualTo("the Solo5 manifest (program header 0): entry 1 ('service') has unknown device type 9");

    byte[] note = Solo5Elf.note(mft);
    ByteBuffer.wrap(note).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 100_000);
    assertThat(problem(write("descsz.hvt", Solo5Elf.elf(note, true))))
        .startsWith("a note in program header 0 at byte 0 runs past its end (name 6 bytes, descriptor 100000 bytes");
    assertThat(m.getInt(0)).as("the fixture's own version").isEqualTo(1);
  }

  @Test
  void everyTruncationOfAnArtifactIsRefusedAndNothingEscapes() throws IOException {
    byte[] elf = Solo5Elf.withManifestAndAbi(List.of(Entry.net("service")), 1);
    Path k = dir.resolve("cut.hvt");
    for (int len = 0; len < elf.length; len++) {
      Files.write(k, Arrays.copyOf(elf, len));
      int at = len;
      // the program header table is at the end, so every strict prefix lacks part of what it describes
      assertThatCode(() -> assertThat(Solo5Manifest.read(k)).as("cut at %d", at)
          .isInstanceOf(Solo5Manifest.Unreadable.class)).doesNotThrowAnyException();
    }
  }

  @Test
  void randomCorruptionNeverThrows() throws IOException {
    byte[] elf = Solo5Elf.withManifestAndAbi(List.of(Entry.net("service")), 1);
    Random random = new Random(19);
    Path k = dir.resolve("flipped.hvt");
    for (int i = 0; i < 1000; i++) {
      byte[] b = elf.clone();
      for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      Files.write(k, b);
      assertThatCode(() -> Solo5Runtime.contractViolation(k, "hvt", List.of())).doesNotThrowAnyException();
    }
  }

  @Test
  void aDirectoryIsRefusedNotThrown() {
    assertThat(Solo5Manifest.read(dir)).isInstanceOf(Solo5Manifest.Unreadable.class);
  }

  @Test
  void theSolo5RuntimeStallsAMismatchedArtifactWithItsOwnReason() throws IOException {
    Path eth0 = write("eth0.spt", Solo5Elf.withManifest(List.of(Entry.net("eth0"))));
    Path good = write("good.spt", Solo5Elf.withManifest(List.of(Entry.net("service"))));
    // a host where every Solo5 capability is there, so the artifact is what decides
    HostCommands solo5Host = new HostCommands() {
      @Override
      public Optional<Path> which(String name) {
        return name.startsWith("qemu") ? Optional.empty() : Optional.of(Path.of("/fake/bin", name));
      }

      @Override
      public Result run(List<String> command, Duration timeout) {
        return new Result(0, "");
      }
    };
    LocalProvider provider = new LocalProvider(dir.resolve("state"), Duration.ofSeconds(1), solo5Host,
        Files.createFile(dir.resolve("kvm")));
    try {
      Unsupported refused = provider.unsupported(image(eth0));
      assertThat(refused.reason()).isEqualTo(Reason.SOLO5_MANIFEST_MISMATCH);
      assertThat(refused.message()).contains("names its network device 'eth0'");
      assertThat(provider.unsupportedReason(image(eth0))).isEqualTo(refused.message());
      assertThat(provider.unsupported(image(good))).isNull();
    } finally {
      provider.close();
    }
  }

  private static RevisionImage image(Path kernel) {
    return new RevisionImage("r1", "spt", kernel.toString(), null, List.of(), 8080, LocalSettings.DEFAULT);
  }

  private String problem(Path p) {
    Solo5Manifest.Read read = Solo5Manifest.read(p);
    assertThat(read).isInstanceOf(Solo5Manifest.Unreadable.class);
    return ((Solo5Manifest.Unreadable) read).problem();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }
}
