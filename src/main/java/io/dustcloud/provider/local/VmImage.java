package io.dustcloud.provider.local;

import java.nio.file.Path;

/**
 * A virtio artifact resolved to what QEMU boots.
 *
 * @param kind {@link Kind#LINUX} boots {@code kernel} + {@code initrd} on {@code -M microvm};
 *     {@link Kind#MULTIBOOT} boots one multiboot ELF (a Solo5 virtio unikernel) on {@code -M pc}
 * @param initrd null for multiboot images
 */
record VmImage(Kind kind, Path kernel, Path initrd) {
  enum Kind {
    LINUX,
    MULTIBOOT
  }
}
