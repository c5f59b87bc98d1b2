package io.dustcloud.core.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Target tracking: as many instances as it takes to hold the metric at {@code target} per
 * instance, sized for what the fleet will have to carry when the instances asked for now are
 * ready (docs/autoscaling.md has the whole rule and the figures against KPA, HPA and GCE):
 *
 * <ul>
 *   <li>sized for the demand's <em>level</em>: the short (panic) window's mean, or the latest
 *       reading less twice the observed noise when that is higher — a step is served on the
 *       tick that sees it, noise is neither chased nor paid for all day;
 *   <li>up at once to the level and, when demand rises steadily, to the demand expected one
 *       boot time ahead (the boot time is learned from the fleet: {@link BootEstimate});
 *   <li>a fleet whose metric is saturated (CPU at a core) is sized for twice what it reads:
 *       above the cap demand is not seen, and {@code cap / target} per decision is too slow;
 *   <li>down to the level, held for the scale-down delay, only by a step worth a resize and in
 *       one resize rather than a staircase as the delay releases (resizes are API calls);
 *   <li>a jump is provisioned with a margin; on a fleet that boots within the short window, a
 *       margin that demand has not grown into within the stable window is trimmed;
 *   <li>panic — the short window's mean at {@code panicThreshold} times the ready capacity, or
 *       saturation — forbids scaling down until a short window has passed without it.
 * </ul>
 */
public final class TargetTracking implements ScalingPolicy {

  /**
   * @param metric the metric's name, for reasons
   * @param target the metric's value one instance should carry
   * @param stableWindow the longest stretch read for a trend
   * @param panicWindow the short window: its mean (or a reading beyond the noise) is what the fleet is sized for
   * @param panicThreshold the short window's demand, as a multiple of ready capacity, that starts panic
   * @param saturation where one instance's metric stops however much it is offered (CPU: 100,
   *     one core); NaN for a metric that keeps growing with demand
   */
  public record Settings(String metric, double target, Duration stableWindow, Duration panicWindow,
      double panicThreshold, double saturation) {
    public static final Duration DEFAULT_STABLE_WINDOW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_PANIC_WINDOW = Duration.ofSeconds(6);
    public static final double DEFAULT_PANIC_THRESHOLD = 2.0;

    public Settings {
      if (!(target > 0) || panicWindow.compareTo(stableWindow) > 0 || panicWindow.isZero() || panicThreshold <= 1) {
        throw new IllegalArgumentException(
            "need target > 0, 0 < panicWindow <= stableWindow and panicThreshold > 1");
      }
      if (!Double.isNaN(saturation) && !(saturation > 0)) {
        throw new IllegalArgumentException("saturation must be positive, or NaN for a metric without a cap");
      }
    }

    public static Settings of(String metric, double target) {
      return new Settings(metric, target, DEFAULT_STABLE_WINDOW, DEFAULT_PANIC_WINDOW, DEFAULT_PANIC_THRESHOLD,
          Double.NaN);
    }

    public Settings withWindows(Duration stable, Duration panic) {
      return new Settings(metric, target, stable, panic, panicThreshold, saturation);
    }

    public Settings withSaturation(double perInstance) {
      return new Settings(metric, target, stableWindow, panicWindow, panicThreshold, perInstance);
    }
  }

  /** A fleet reading at least this share of its saturation point is saturated: demand above it is not seen. */
  static final double SATURATED = 0.95;
  /** A saturated fleet is sized for this multiple of what it reads: more than {@code saturation / target} per decision. */
  static final double SATURATED_GROWTH = 2.0;
  /** Growth to at least this multiple of the fleet is a jump, provisioned with {@link #JUMP_MARGIN} on top. */
  static final double JUMP = 1.5;
  static final double JUMP_MARGIN = 0.1;
  /** A scale-down smaller than this share of the fleet (and more than one instance) is not worth a resize. */
  static final double DOWN_STEP = 0.15;
  /** A reading this many noise deviations above the short window's mean is a change of level, not noise. */
  static final double NOISE_BAND = 2.0;

  private final Settings settings;
  private final ScaleLimits limits;
  private final Limiter limiter;
  private final TimeSeries demand;
  /** Each tick's need before any jump margin, for the margin's trim. */
  private final TimeSeries needs;
  private final BootEstimate boot = new BootEstimate();
  /** The last time the panic condition held; null when not in panic. */
  private Instant panicTriggeredAt;
  private Instant previousAt;
  /** When the fleet last grew with a jump margin that has not been shed since; null otherwise. */
  private Instant marginAt;
  /** A scale-down cut short by the delay: since when, what the delay kept last, when that last fell. */
  private Instant cutSince;
  private Instant keptFellAt;
  private int kept = Integer.MAX_VALUE;

  public TargetTracking(Settings settings, ScaleLimits limits) {
    this.settings = settings;
    this.limits = limits;
    this.limiter = new Limiter(limits);
    this.demand = new TimeSeries(settings.stableWindow());
    this.needs = new TimeSeries(settings.stableWindow());
  }

  @Override
  public ScaleDecision decide(MetricSample sample, int current, Instant now) {
    boot.observe(sample.ready(), now);
    double tick = previousAt == null ? 1 : Math.max(0.001, Duration.between(previousAt, now).toMillis() / 1000.0);
    previousAt = now;
    if (sample.hasData()) {
      demand.add(now, sample.total());
    }
    OptionalDouble stable = demand.mean(now, settings.stableWindow());
    OptionalDouble burst = demand.mean(now, settings.panicWindow());
    if (burst.isEmpty()) {
      return limiter.hold(noData(sample), current, panicTriggeredAt != null, Double.NaN, now);
    }
    double target = settings.target();
    double capacity = Math.max(1, sample.ready()) * target;
    double mean = burst.getAsDouble();
    double noise = demand.noise(now, settings.stableWindow()).orElse(0);
    double level = level(mean, demand.last().orElse(mean), noise, settings.panicThreshold() * capacity);
    // CPU stops at a core: a saturated fleet's demand is unknown above what it reads, and the
    // panic window can never reach 200 % of a target above 50 %. The level must be at the cap
    // too, not just this reading: noise around a target close to the cap touches it every few
    // seconds, and doubling the fleet on each touch would grow and shrink it forever
    boolean saturated = sample.hasData() && sample.mean() >= saturatedAt()
        && level >= saturatedAt() * Math.max(1, sample.ready());
    boolean trigger = mean >= settings.panicThreshold() * capacity || saturated;
    if (trigger) {
      panicTriggeredAt = now;
    } else if (panicTriggeredAt != null && !now.isBefore(panicTriggeredAt.plus(settings.panicWindow()))) {
      panicTriggeredAt = null;
    }
    boolean panic = panicTriggeredAt != null;
    // instances asked for now serve one boot (and a tick) from now: size for the demand then
    double lead = boot.seconds() + tick;
    double needNow = saturated ? Math.max(level, sample.total() * SATURATED_GROWTH) : level;
    // the short window's mean lags half the window behind; the trend carries it a lead ahead
    double ahead = mean + trend(now, lead) * (lead + settings.panicWindow().toSeconds() / 2.0);
    int upWants = instancesFor(Math.max(needNow, ahead), target);
    needs.add(now, upWants);
    boolean margined = false;
    if (!saturated && upWants >= JUMP * current) {
      // a jump's next seconds usually climb further: provision a margin above it now rather
      // than a resize (and, on slow boots, another boot's wait) for each further step
      upWants = instancesFor(Math.max(needNow, ahead) * (1 + JUMP_MARGIN), target);
      margined = true;
    }
    int downWants = instancesFor(level, target);
    int recommended;
    int atLeast = 0;
    String why;
    String seen = String.format(Locale.ROOT, "%s %s over %ds%s", settings.metric(), num(level),
        settings.panicWindow().toSeconds(), noise > 0 ? " (noise " + num(Math.rint(noise)) + ")" : "");
    if (panic) {
      recommended = Math.max(upWants, downWants);
      atLeast = current;
      why = String.format(Locale.ROOT, "panic: %s %s over %ds %s the capacity of %d ready at target %s; wants %d",
          settings.metric(), num(mean), settings.panicWindow().toSeconds(),
          saturated ? "saturates" : trigger ? "is >= " + num(settings.panicThreshold()) + "x"
              : "was recently >= " + num(settings.panicThreshold()) + "x",
          sample.ready(), num(target), Math.max(recommended, current));
    } else if (upWants > current && upWants >= downWants) {
      recommended = upWants;
      why = String.format(Locale.ROOT, "%s, %s expected in %ss, needs %d at target %s", seen, num(ahead),
          num(Math.rint(lead)), upWants, num(target));
    } else {
      recommended = downWants;
      why = String.format(Locale.ROOT, "%s needs %d at target %s (%s over %ds)", seen, downWants, num(target),
          num(stable.getAsDouble()), settings.stableWindow().toSeconds());
      if (downWants < current && current - downWants < Math.max(1, DOWN_STEP * current)) {
        // a step of less than DOWN_STEP of the fleet is not worth a resize, except to trim a
        // margin demand did not grow into
        boolean trimmable = marginAt != null && bootsWithinShortWindow();
        int grewInto = (int) needs.max(now, settings.stableWindow()).orElse(current);
        if (trimmable && !now.isBefore(marginAt.plus(settings.stableWindow())) && grewInto < current) {
          recommended = Math.max(downWants, grewInto);
          why += "; trimming the jump margin: the last " + settings.stableWindow().toSeconds() + "s needed at most "
              + grewInto;
        } else if (trimmable) {
          // held as a floor, not recorded as a recommendation: the trim must not then wait a
          // further scale-down delay for this hold to age out
          atLeast = current;
        } else {
          recommended = current;
        }
      }
    }
    ScaleDecision d = limiter.apply(recommended, atLeast, why, current, sample.ready(), sample.missing() > 0, panic,
        sample.mean(), now);
    d = oneStepDown(d, current, now);
    if (d.desired() > current) {
      boot.grew(current, d.desired(), now);
      marginAt = margined ? now : marginAt;
    } else if (d.desired() < current) {
      boot.shrank(d.desired());
      marginAt = null;
    }
    return d;
  }

  /**
   * The demand level the fleet is sized for: the short window's mean, or the latest reading
   * when it is more than {@link #NOISE_BAND} deviations of the observed noise above that mean,
   * less the band. A step shows at once, as the window's peak would; noise does not — sizing
   * for the peak cost the noise's height (±5 % on {@code diurnal}) every second of the day. A
   * reading at the panic threshold of the ready capacity ({@code jump}) is taken whole whatever
   * the noise: a short stable window can hold a start's or a burst's tail, which inflates the
   * noise, and the first tick of a load step must not wait for a second reading.
   */
  static double level(double mean, double latest, double noise, double jump) {
    return latest >= jump ? Math.max(mean, latest) : Math.max(mean, latest - NOISE_BAND * noise);
  }

  /**
   * A scale-down that the scale-down delay cut short, and that would leave the fleet more than
   * a scale-down step above what the metric asks for, waits while the delay is releasing: as a
   * burst's recommendations age out of the delay one by one, following them costs a resize each
   * (22, 17, 14, 11, 9, 6 after a step down), waiting costs a few seconds of the larger fleet.
   * It stops waiting once what the delay keeps has not fallen for a short window (noisy
   * recommendations hold it up, not a release), and after one scale-down delay at most. A cut
   * step smaller than a scale-down step is not taken at all (the uncut one would not be). A cut
   * made by {@code maxScaleDownRate} is taken: waiting would not change it.
   */
  private ScaleDecision oneStepDown(ScaleDecision d, int current, Instant now) {
    // what the fleet would be without the delay: never below min, nor below one instance
    int wanted = Math.max(d.recommended(), Math.max(limits.min(), 1));
    boolean cutByDelay = d.desired() < current && d.desired() > wanted && d.cap() == ScaleDecision.Cap.NONE
        && d.desired() > Math.floor(current / limits.maxScaleDownRate());
    if (!cutByDelay) {
      cutSince = null;
      keptFellAt = null;
      kept = Integer.MAX_VALUE;
      return d;
    }
    if (d.desired() < kept) {
      keptFellAt = now;
    }
    kept = d.desired();
    String wait;
    if (current - d.desired() < Math.max(1, DOWN_STEP * current)) {
      wait = "; a step of " + (current - d.desired()) + " is not worth a resize";
    } else {
      // the wait is bounded from the first step that would otherwise have been taken
      cutSince = cutSince == null ? now : cutSince;
      if (now.isBefore(keptFellAt.plus(settings.panicWindow())) && now.isBefore(cutSince.plus(
          limits.scaleDownDelay())) && d.desired() - wanted >= Math.max(1, DOWN_STEP * d.desired())) {
        wait = "; waiting for the delay to release more than one step";
      } else {
        return d;
      }
    }
    return new ScaleDecision(current, current, d.recommended(), d.reason() + wait, d.cap(), d.panic(), d.observed(),
        d.at());
  }

  /** Whether the fleet's instances are known to boot within the short window: a trimmed margin is then back in seconds. */
  private boolean bootsWithinShortWindow() {
    return boot.known() && boot.seconds() <= settings.panicWindow().toSeconds();
  }

  /**
   * The per-instance reading from which the fleet counts as saturated: near the cap, and past
   * halfway from the target to it — a fleet held at a target close to the cap reads close to
   * the cap too, and that must not look like saturation (it would grow and shrink forever).
   * Never, for a metric without a cap.
   */
  private double saturatedAt() {
    double cap = settings.saturation();
    return Double.isNaN(cap) ? Double.POSITIVE_INFINITY
        : Math.max(SATURATED * cap, settings.target() + (cap - settings.target()) / 2);
  }

  /**
   * Demand's rise per second, 0 when it is not rising. Read over twice the lead (at least four
   * short windows, so noise is not a trend; at most the stable window), as the smaller of the
   * slopes of the window's two halves: a ramp rises in both, a step in only one — a step is no
   * trend and must not be extrapolated.
   */
  private double trend(Instant now, double lead) {
    Duration w = Duration.ofMillis((long) (2000 * lead));
    Duration least = settings.panicWindow().multipliedBy(4);
    w = w.compareTo(least) < 0 ? least : w;
    w = w.compareTo(settings.stableWindow()) > 0 ? settings.stableWindow() : w;
    Instant mid = now.minus(w.dividedBy(2));
    double older = demand.slope(now.minus(w), mid).orElse(0);
    double recent = demand.slope(mid, now).orElse(0);
    return Math.max(0, Math.min(older, recent));
  }

  static int instancesFor(double demand, double perInstance) {
    // tolerate float noise: 2.0000000001 instances' worth of demand is 2 instances
    return (int) Math.ceil(demand / perInstance - 1e-9);
  }

  static String noData(MetricSample sample) {
    return "no metrics from " + (sample.ready() == 0 ? "any instance (none ready)" : sample.ready() + " ready instances")
        + ": holding";
  }

  static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e12 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
