package io.dustcloud.testing.gce;

/**
 * The Compute fake as a process, for trying the GCE provider by hand: {@code java -cp
 * target/test-classes:target/classes:DEPS io.dustcloud.testing.gce.FakeComputeMain [bootMillis]}
 * prints the endpoint to give {@code DUSTCLOUD_GCE_ENDPOINT} (and {@code DUSTCLOUD_GCS_ENDPOINT}) and serves
 * until killed. Its Cloud Storage holds any object under {@code gs://dustcloud-test/}, with sha256 0…0.
 */
public final class FakeComputeMain {
  private FakeComputeMain() {}

  public static void main(String[] args) throws Exception {
    FakeCompute fake = new FakeCompute();
    fake.provisioningMillis = 500;
    fake.stagingMillis = 500;
    fake.bootMillis = args.length > 0 ? Long.parseLong(args[0]) : 1000;
    System.out.println("endpoint: " + fake.endpoint());
    Runtime.getRuntime().addShutdownHook(new Thread(fake::close));
    Thread.currentThread().join();
  }
}
