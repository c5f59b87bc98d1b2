package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.RevisionImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The virtio layouts: kernel + initrd archives (microvm) and multiboot ELFs (pc). */
class VmArtifactsTest {
  @TempDir Path dir;

  private VmArtifacts artifacts() {
    return new VmArtifacts(dir.resolve("cache"), new ArtifactDigests());
  }

  @Test
  void aTarGzWithKernelAndInitrdIsUnpackedOnceAndBootsAsLinux() throws IOException {
    Path tgz = tar(dir.resolve("vm.tar.gz"), true, Map.of("./kernel", "K", "initrd", "I", "README", "x"));

    VmImage image = artifacts().resolve(image(tgz, List.of()));

    assertThat(image.kind()).isEqualTo(VmImage.Kind.LINUX);
    assertThat(image.kernel()).hasContent("K");
    assertThat(image.initrd()).hasContent("I");
    assertThat(image.kernel().getParent().getParent()).isEqualTo(dir.resolve("cache"));
    assertThat(artifacts().resolve(image(tgz, List.of())).kernel()).isEqualTo(image.kernel());
  }

  @Test
  void aPlainTarAndADirectoryWorkToo() throws IOException {
    Path tar = tar(dir.resolve("vm.tar"), false, Map.of("kernel", "K", "initrd", "I"));
    assertThat(artifacts().resolve(image(tar, List.of())).kind()).isEqualTo(VmImage.Kind.LINUX);
    Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
    Files.writeString(unpacked.resolve("kernel"), "K");
    Files.writeString(unpacked.resolve("initrd"), "I");
    assertThat(artifacts().resolve(image(unpacked, List.of())).initrd()).isEqualTo(unpacked.resolve("initrd"));
  }

  @Test
  void aMultibootElfBootsOnPc() throws IOException {
    byte[] elf = new byte[4096];
    elf[0] = 0x7f;
    elf[1] = 'E';
    elf[2] = 'L';
    elf[3] = 'F';
    ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putInt(1024, 0x1BADB002).putInt(1028, 0x3)
        .putInt(1032, -(0x1BADB002 + 0x3));
    Path f = Files.write(dir.resolve("hello.virtio"), elf);

    assertThat(artifacts().resolve(image(f, List.of()))).isEqualTo(new VmImage(VmImage.Kind.MULTIBOOT, f, null));
  }

  @Test
  void whatIsNoVirtioImageIsExplained() throws IOException {
    Path noInitrd = tar(dir.resolve("k.tar.gz"), true, Map.of("kernel", "K"));
    assertThat(artifacts().unsupportedReason(image(noInitrd, List.of())))
        .contains("only [kernel]", "expected a tar or tar.gz with 'kernel' and 'initrd'");
    byte[] plainElf = {0x7f, 'E', 'L', 'F', 0, 0, 0, 0};
    assertThat(artifacts().unsupportedReason(image(Files.write(dir.resolve("elf"), plainElf), List.of())))
        .contains("without a multiboot header");
    assertThat(artifacts().unsupportedReason(image(dir.resolve("missing"), List.of()))).contains("does not exist");
    Path ok = tar(dir.resolve("ok.tar.gz"), true, Map.of("kernel", "K", "initrd", "I"));
    assertThat(artifacts().unsupportedReason(image(ok, List.of("--name=two words")))).contains("kernel command line");
    assertThat(artifacts().unsupportedReason(image(ok, List.of("--version=v1")))).isNull();
    RevisionImage wrongDigest = new RevisionImage("r1", "virtio", ok.toString(), "0".repeat(64), List.of(), 8080, LocalSettings.DEFAULT);
    assertThat(artifacts().unsupportedReason(wrongDigest)).contains("sha256");
  }

  private static RevisionImage image(Path artifact, List<String> args) {
    return new RevisionImage("r1", "virtio", artifact.toString(), null, args, 8080, LocalSettings.DEFAULT);
  }

  /** A minimal ustar archive, as tar(1) writes it. */
  static Path tar(Path file, boolean gzip, Map<String, String> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (var e : new java.util.TreeMap<>(entries).entrySet()) {
      byte[] data = e.getValue().getBytes(StandardCharsets.UTF_8);
      byte[] h = new byte[512];
      put(h, 0, e.getKey());
      put(h, 100, "0000644");
      put(h, 124, String.format("%011o", data.length));
      put(h, 136, "00000000000");
      h[156] = '0';
      put(h, 257, "ustar");
      put(h, 263, "00");
      java.util.Arrays.fill(h, 148, 156, (byte) ' ');
      int sum = 0;
      for (byte b : h) {
        sum += b & 0xff;
      }
      put(h, 148, String.format("%06o", sum));
      bytes.write(h);
      bytes.write(data);
      bytes.write(new byte[(512 - data.length % 512) % 512]);
    }
    bytes.write(new byte[1024]);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(bytes.toByteArray());
    }
    return file;
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }
}
