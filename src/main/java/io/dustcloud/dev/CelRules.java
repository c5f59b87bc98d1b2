package io.dustcloud.dev;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates a CRD's {@code x-kubernetes-validations} rules with Google's CEL implementation, the
 * way an API server does: {@code self} is the value at the rule's schema node and
 * {@code oldSelf} the previous value on update (rules that mention it are skipped on create).
 */
final class CelRules {
  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .build();
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  /** Whether {@code rule} mentions {@code oldSelf}: a transition rule, checked only on update. */
  static boolean isTransitionRule(String rule) {
    return rule.contains("oldSelf");
  }

  /**
   * @return null when the rule holds, otherwise why not (the rule failed, or could not be
   *     evaluated: an API server reports both as invalid)
   */
  String check(String rule, Object self, Object oldSelf) {
    try {
      CelRuntime.Program program = programs.computeIfAbsent(rule, CelRules::compile);
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", self);
      if (oldSelf != null) {
        vars.put("oldSelf", oldSelf);
      }
      Object result = program.eval(vars);
      return Boolean.TRUE.equals(result) ? null : "failed";
    } catch (CelEvaluationException | IllegalArgumentException e) {
      return "could not be evaluated: " + e.getMessage();
    }
  }

  private static CelRuntime.Program compile(String rule) {
    try {
      CelAbstractSyntaxTree ast = CEL.compile(rule).getAst();
      return CEL.createProgram(ast);
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException("rule " + rule + " does not compile: " + e.getMessage(), e);
    }
  }
}
