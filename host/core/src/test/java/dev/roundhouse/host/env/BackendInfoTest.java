package dev.roundhouse.host.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The backend report on whatever backend this build has (CPU in CI). */
class BackendInfoTest {
  @Test
  void reportsTheBackendNd4jActuallyUses() {
    BackendInfo info = BackendInfo.detect();
    assertEquals(Nd4j.getBackend().getClass().getSimpleName(), info.backend());
    assertFalse(info.devices().isEmpty(), "at least one device");
    assertTrue(info.lines().get(0).startsWith("backend: " + info.backend()), info.lines().toString());
    if (!info.cuda()) {
      assertTrue(info.devices().get(0).startsWith("cpu: "), info.devices().toString());
      assertTrue(info.details().containsKey("blas.vendor"), "CPU backend names its BLAS: " + info.details());
      String build = info.details().get("nd4j.native.build");
      assertTrue(build.startsWith("linux-x86_64"), "native build: " + build);
      assertEquals(build.startsWith("linux-x86_64-onednn"), build.contains("oneDNN"), "oneDNN build says so: " + build);
      assertTrue(info.details().containsKey("cpu.bf16") && info.details().containsKey("bf16.products"), info.details().toString());
      // the host ships oneDNN's native jar: products run on it directly on linux-x86_64
      assertTrue(info.details().get("products").startsWith("oneDNN "), info.details().toString());
    }
  }
}
