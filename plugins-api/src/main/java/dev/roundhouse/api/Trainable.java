package dev.roundhouse.api;

import dev.roundhouse.tensor.Parameter;
import java.util.List;

/** A component that owns parameters. The list is fixed after {@code build} and never reordered. */
public interface Trainable {
  List<Parameter> parameters();
}
