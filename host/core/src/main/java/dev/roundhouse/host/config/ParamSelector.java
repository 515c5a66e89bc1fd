package dev.roundhouse.host.config;

import dev.roundhouse.tensor.ParamRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which parameters an optimizer group takes: {@code {"roles": ["attention", "routed_expert"],
 * "names": ["layers.*.attn.*"], "rank": 2}} or {@code {"rest": true}}. Every given criterion must
 * hold (AND); within a list any entry may match (OR); an absent criterion matches everything. Name
 * globs: {@code *} any run of characters (dots included), {@code ?} one character.
 *
 * @param roles lower-case {@link ParamRole} names: embedding, attention, dense_ffn, router,
 *     routed_expert, shared_expert, norm, head, bias, other
 * @param names parameter-name globs, e.g. {@code layers.1.moe.experts.*}
 * @param rank tensor rank, e.g. 2 for matrices, 1 for norm gains
 * @param rest true: every parameter no other group selects (at most one group); no other criterion
 */
public record ParamSelector(List<String> roles, List<String> names, Integer rank, Boolean rest) {
  public ParamSelector {
    roles = roles == null ? null : List.copyOf(roles);
    names = names == null ? null : List.copyOf(names);
    rest = rest != null && rest;
  }

  /** Structural problems, each under {@code path} (e.g. optimizerGroups[1].select). */
  void check(String path, Problems p) {
    if (rest && (roles != null || names != null || rank != null)) {
      p.add(path + ".rest", "a rest selector takes no roles, names or rank");
    }
    if (!rest && roles == null && names == null && rank == null) {
      p.add(path, "needs roles, names, rank or \"rest\": true");
    }
    if (roles != null) {
      for (int i = 0; i < roles.size(); i++) {
        if (role(roles.get(i)) == null) {
          p.add(path + ".roles[" + i + "]", "unknown role '" + roles.get(i) + "' (known: " + knownRoles() + ")");
        }
      }
    }
    if (names != null) {
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i) == null || names.get(i).isEmpty()) {
          p.add(path + ".names[" + i + "]", "must be a non-empty glob");
        }
      }
    }
    if (rank != null && rank < 0) {
      p.add(path + ".rank", "must be >= 0, got " + rank);
    }
  }

  /** True when a parameter satisfies every given criterion (never for a rest selector: see {@code optim.GroupAssignment}). */
  public boolean matches(String name, ParamRole role, int rank) {
    if (rest) {
      return false;
    }
    if (roles != null && roles.stream().noneMatch(r -> role(r) == role)) {
      return false;
    }
    if (names != null && names.stream().noneMatch(g -> glob(g).matcher(name).matches())) {
      return false;
    }
    return this.rank == null || this.rank == rank;
  }

  /** A short text for the group table, e.g. "roles=attention,router rank=2". */
  public String describe() {
    if (rest) {
      return "rest";
    }
    List<String> parts = new ArrayList<>();
    if (roles != null) {
      parts.add("roles=" + String.join(",", roles));
    }
    if (names != null) {
      parts.add("names=" + String.join(",", names));
    }
    if (rank != null) {
      parts.add("rank=" + rank);
    }
    return String.join(" ", parts);
  }

  static ParamRole role(String name) {
    for (ParamRole r : ParamRole.values()) {
      if (r.name().toLowerCase(Locale.ROOT).equals(name)) {
        return r;
      }
    }
    return null;
  }

  static String knownRoles() {
    List<String> out = new ArrayList<>();
    for (ParamRole r : ParamRole.values()) {
      out.add(r.name().toLowerCase(Locale.ROOT));
    }
    return String.join(", ", out);
  }

  /** {@code *} any characters, {@code ?} one, everything else literal. */
  public static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
