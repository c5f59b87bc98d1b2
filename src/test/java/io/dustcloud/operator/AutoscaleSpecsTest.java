package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.ScalingSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.core.autoscale.TargetTracking;
import io.dustcloud.supervisor.AutoscaleSpec;
import org.junit.jupiter.api.Test;

/** The operator runs the same target tracking the simulator measures, told where its metric saturates. */
class AutoscaleSpecsTest {
  static UnikernelSpec spec(ScalingSpec.Metric metric) {
    UnikernelSpec spec = new UnikernelSpec();
    spec.scaling = new ScalingSpec();
    spec.scaling.metric = metric;
    spec.scaling.target = 70.0;
    spec.scaling.metricName = metric == ScalingSpec.Metric.cpu ? null : "in_flight";
    return spec;
  }

  @Test
  void cpuSaturatesAtOneCoreAndOtherMetricsNever() {
    AutoscaleSpec cpu = AutoscaleSpecs.from(spec(ScalingSpec.Metric.cpu));
    assertThat(cpu.target().saturation()).isEqualTo(100.0);
    assertThat(cpu.newPolicy()).isInstanceOf(TargetTracking.class);
    for (ScalingSpec.Metric m : new ScalingSpec.Metric[] {ScalingSpec.Metric.rps, ScalingSpec.Metric.concurrency,
        ScalingSpec.Metric.custom}) {
      assertThat(AutoscaleSpecs.from(spec(m)).target().saturation()).as(m.name()).isNaN();
    }
  }
}
