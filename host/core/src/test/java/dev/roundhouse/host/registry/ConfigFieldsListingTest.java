package dev.roundhouse.host.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code config:} line of {@code roundhouse plugins}: defaults as JSON, null left to the component, required fields. */
class ConfigFieldsListingTest {
  /** lr defaults to 0.1, mode to "fast"; heads stays null (the component decides). */
  public record Defaults(Double lr, String mode, Integer heads) {
    public Defaults {
      lr = lr == null ? 0.1 : lr;
      mode = mode == null ? "fast" : mode;
    }
  }

  /** rank has no default: an empty object is rejected. */
  public record Required(Integer rank, Double scale) {
    public Required {
      if (rank == null) {
        throw new IllegalArgumentException("rank: required");
      }
    }
  }

  @Test
  void defaultsAsJsonAndNullWhereTheComponentDecides() {
    assertEquals(List.of("lr=0.1", "mode=\"fast\"", "heads=null"), new ConfigReader().fieldsWithDefaults(Defaults.class));
  }

  @Test
  void aRecordWithARequiredFieldListsNamesAndTypes() {
    assertEquals(List.of("rank (Integer)", "scale (Double)"), new ConfigReader().fieldsWithDefaults(Required.class));
  }
}
