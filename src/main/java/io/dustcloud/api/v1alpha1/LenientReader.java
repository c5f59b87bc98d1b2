package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads a custom resource the way an operator that may be older or newer than its CRD must.
 * Unknown fields anywhere are ignored: an operator older than its CRD (an upgrade, a rollback of
 * the operator) meets fields added later. A value of the wrong type in the spec or the status (a
 * CRD installed by someone else, {@code x-kubernetes-preserve-unknown-fields}) does not fail the
 * read: that part is left null and the problem recorded ({@link ReadProblems}), so the object
 * still reaches the reconciler, which reports it. A failed read used to fail the informer's
 * watch, and JOSDK then stopped the whole operator for one object.
 *
 * <p>apiVersion, kind and metadata are read strictly: the API server guarantees their shape, and
 * without metadata there is no object to report on.
 *
 * @param <T> the resource
 * @param <S> its spec
 * @param <St> its status
 */
public abstract class LenientReader<T extends CustomResource<S, St> & LenientlyRead<S>, S, St>
    extends StdDeserializer<T> {
  static final int MAX_FOUND = 80;
  /** For a parser without a codec (never the case for fabric8's or the operator's mappers). */
  private static final ObjectMapper FALLBACK = JsonMapper.builder().build();

  private final transient Supplier<T> factory;
  private final Class<S> specType;
  private final Class<St> statusType;

  protected LenientReader(Class<T> type, Supplier<T> factory, Class<S> specType, Class<St> statusType) {
    super(type);
    this.factory = factory;
    this.specType = specType;
    this.statusType = statusType;
  }

  @Override
  public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonNode node = ctxt.readTree(p);
    if (!node.isObject()) {
      return ctxt.reportInputMismatch(this, "a %s must be a JSON object, found %s",
          handledType().getSimpleName(), node.getNodeType());
    }
    // the caller's mapper (fabric8's, with its modules), made tolerant of unknown fields
    ObjectReader reader = readerOf(p).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    T resource = factory.get();
    if (node.hasNonNull("apiVersion")) {
      resource.setApiVersion(node.get("apiVersion").asText());
    }
    if (node.hasNonNull("kind")) {
      resource.setKind(node.get("kind").asText());
    }
    if (node.has("metadata")) {
      resource.setMetadata(reader.forType(ObjectMeta.class).readValue(node.get("metadata")));
    }
    InvalidField specProblem = null;
    S readableSpec = null;
    InvalidField statusProblem = null;
    if (node.has("spec")) {
      try {
        resource.setSpec(reader.forType(specType).readValue(node.get("spec")));
      } catch (JsonMappingException e) {
        specProblem = problem("spec", node.get("spec"), e);
        readableSpec = readable(reader, node.get("spec"));
        resource.setSpec(null);
      }
    }
    if (node.has("status")) {
      try {
        resource.setStatus(reader.forType(statusType).readValue(node.get("status")));
      } catch (JsonMappingException e) {
        statusProblem = problem("status", node.get("status"), e);
        resource.setStatus(null);
      }
    }
    if (specProblem != null || statusProblem != null) {
      resource.readProblems(new ReadProblems<>(specProblem, readableSpec, statusProblem));
    }
    return resource;
  }

  private static ObjectReader readerOf(JsonParser p) {
    ObjectCodec codec = p.getCodec();
    if (codec instanceof ObjectMapper mapper) {
      return mapper.reader();
    }
    if (codec instanceof ObjectReader reader) {
      return reader.withValueToUpdate(null);
    }
    return FALLBACK.reader();
  }

  /**
   * The spec's top-level fields that can be read on their own (the others left at their
   * defaults): enough for deletion to know the provider and the deletion policy.
   */
  private S readable(ObjectReader reader, JsonNode spec) {
    if (!spec.isObject()) {
      return null;
    }
    ObjectNode kept = JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = spec.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      ObjectNode alone = JsonNodeFactory.instance.objectNode().set(field.getKey(), field.getValue());
      try {
        reader.forType(specType).readValue(alone);
        kept.set(field.getKey(), field.getValue());
      } catch (IOException unreadable) {
        // this field is the (or a) problem: left at its default
      }
    }
    try {
      return reader.forType(specType).readValue(kept);
    } catch (IOException e) {
      // fields readable alone but not together (a cross-field rule in a setter): nothing to offer
      return null;
    }
  }

  /** Where the read failed ({@code spec.bootArgs[2]}), what was there and what was expected. */
  static InvalidField problem(String part, JsonNode partNode, JsonMappingException e) {
    StringBuilder path = new StringBuilder(part);
    JsonPointer pointer = JsonPointer.empty();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append('.').append(ref.getFieldName());
        pointer = pointer.appendProperty(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
        pointer = pointer.appendIndex(ref.getIndex());
      }
    }
    JsonNode found = partNode.at(pointer);
    Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
    return new InvalidField(path.toString(), found.isMissingNode() ? "nothing" : shorten(found.toString()),
        target == null ? "a valid value" : expected(target));
  }

  private static String shorten(String json) {
    return json.length() <= MAX_FOUND ? json : json.substring(0, MAX_FOUND) + "…";
  }

  /** The JSON type a Java type is read from, as a person would say it. */
  static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class
        || type == Short.class || type == short.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "a boolean";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type.isEnum()) {
      return "one of " + String.join(", ", Arrays.stream(type.getEnumConstants()).map(String::valueOf).toList());
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "an object";
  }
}
