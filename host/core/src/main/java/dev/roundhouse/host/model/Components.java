package dev.roundhouse.host.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;

/** Builds plugin components from their JSON config (the registry implements it; tests may too). */
public interface Components {
  Attention attention(JsonNode config, String jsonPath, AttentionContext ctx);

  Router router(JsonNode config, String jsonPath, RouterContext ctx);
}
