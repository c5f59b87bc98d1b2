package io.dustcloud.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Deep copies and structural comparison of API objects, through their JSON form. */
final class Json {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  static <T> T copy(T value, Class<T> type) {
    return value == null ? null : MAPPER.convertValue(value, type);
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static boolean same(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    return MAPPER.valueToTree(a).equals(MAPPER.valueToTree(b));
  }
}
