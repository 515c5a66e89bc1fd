package dev.roundhouse.host.data.prepare;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON mapper of mixture files and manifests: as strict as the run config's (unknown fields, duplicate keys,
 * trailing tokens and fractional counts are errors), kept here because data sits below config in host/core's layers.
 */
final class PrepareJson {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
      .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
      .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
      .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
      .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);

  private PrepareJson() {}
}
