package dev.roundhouse.host.data.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes Hugging Face {@code tokenizer.json} files with a byte-level BPE model (GPT-2,
 * Llama-3, Qwen style).
 *
 * <p>Supported: model "BPE" (vocab, merges as "a b" strings or [a, b] pairs, ignore_merges);
 * normalizer null or NFC; pre-tokenizers ByteLevel (add_prefix_space false; use_regex splits with the
 * GPT-2 pattern), Split (Regex or String pattern, behavior Isolated, invert false) and Sequence of
 * those; added tokens (lstrip/rstrip false). A file using anything else is refused with a message
 * naming the file and the unsupported part, never silently encoded differently.
 */
public final class HfTokenizerJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HfTokenizerJson() {}

  /**
   * Loads a byte-level BPE tokenizer.json.
   *
   * @throws TokenizerFileException naming the file on anything missing or unsupported
   */
  public static BpeTokenizer load(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new TokenizerFileException(file + ": cannot read tokenizer.json: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new TokenizerFileException(file + ": not a tokenizer.json (top level is not a JSON object)");
    }
    JsonNode model = root.path("model");
    String type = model.path("type").asText("BPE");
    if (!model.isObject() || !type.equals("BPE")) {
      throw new TokenizerFileException(file + ": model type " + (model.isObject() ? type : "missing")
          + " is not supported; only byte-level BPE tokenizer.json files are");
    }
    for (String field : new String[] {"continuing_subword_prefix", "end_of_word_suffix", "dropout"}) {
      JsonNode v = model.path(field);
      if (!v.isMissingNode() && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
        throw new TokenizerFileException(file + ": model." + field + " = " + v + " is not supported");
      }
    }
    if (model.path("byte_fallback").asBoolean(false)) {
      throw new TokenizerFileException(file + ": model.byte_fallback is a SentencePiece-style BPE, not byte-level;"
          + " not supported");
    }
    String where = file.toString();
    boolean nfc = normalizer(root.path("normalizer"), where);
    List<SplitPattern> splits = new ArrayList<>();
    boolean[] byteLevel = {false};
    preTokenizer(root.path("pre_tokenizer"), where, splits, byteLevel);
    if (!byteLevel[0] && !"ByteLevel".equals(root.path("decoder").path("type").asText())) {
      throw new TokenizerFileException(file + ": BPE model without a ByteLevel pre-tokenizer or decoder is not"
          + " byte-level; not supported");
    }
    JsonNode vocab = model.path("vocab");
    if (!vocab.isObject()) {
      throw new TokenizerFileException(file + ": model.vocab is missing or not an object");
    }
    int maxId = -1;
    for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
      maxId = Math.max(maxId, it.next().asInt());
    }
    byte[][] tokenBytes = new byte[maxId + 1][];
    Map<String, Integer> ids = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int id = e.getValue().asInt();
      byte[] b = ByteLevel.decode(e.getKey());
      if (b == null) {
        throw new TokenizerFileException(file + ": vocab entry \"" + e.getKey()
            + "\" is not in the byte-level alphabet (not a byte-level BPE)");
      }
      tokenBytes[id] = b;
      ids.put(e.getKey(), id);
    }
    JsonNode mergeList = model.path("merges");
    PairTable table = new PairTable(Math.max(16, mergeList.size()));
    int rank = 0;
    for (JsonNode m : mergeList) {
      String left;
      String right;
      if (m.isArray() && m.size() == 2) {
        left = m.get(0).asText();
        right = m.get(1).asText();
      } else {
        String s = m.asText();
        int sp = s.indexOf(' ', 1);
        if (sp < 0) {
          throw new TokenizerFileException(file + ": merge " + rank + " \"" + s + "\" is not \"left right\"");
        }
        left = s.substring(0, sp);
        right = s.substring(sp + 1);
      }
      Integer a = ids.get(left);
      Integer b = ids.get(right);
      Integer merged = ids.get(left + right);
      if (a == null || b == null || merged == null) {
        throw new TokenizerFileException(file + ": merge " + rank + " (" + left + " " + right
            + ") uses a token missing from model.vocab");
      }
      table.putIfAbsent(a, b, rank, merged);
      rank++;
    }
    Map<String, Integer> added = new LinkedHashMap<>();
    for (JsonNode t : root.path("added_tokens")) {
      if (t.path("lstrip").asBoolean(false) || t.path("rstrip").asBoolean(false)
          || t.path("single_word").asBoolean(false)) {
        throw new TokenizerFileException(file + ": added token " + t.path("content")
            + " uses lstrip/rstrip/single_word, not supported");
      }
      added.put(t.path("content").asText(), t.path("id").asInt());
    }
    Map<String, Integer> whole = null;
    if (model.path("ignore_merges").asBoolean(false)) {
      whole = new HashMap<>();
      for (int id = 0; id < tokenBytes.length; id++) {
        if (tokenBytes[id] != null) {
          whole.putIfAbsent(new String(tokenBytes[id], StandardCharsets.ISO_8859_1), id);
        }
      }
    }
    return new BpeTokenizer("bpe", tokenBytes, table, whole, splits, true, nfc, added, true);
  }

  private static boolean normalizer(JsonNode n, String file) {
    if (n.isMissingNode() || n.isNull()) {
      return false;
    }
    String type = n.path("type").asText();
    if (type.equals("NFC")) {
      return true;
    }
    if (type.equals("Sequence") && n.path("normalizers").isEmpty()) {
      return false;
    }
    throw new TokenizerFileException(file + ": normalizer type " + type + " is not supported (only none or NFC)");
  }

  private static void preTokenizer(JsonNode n, String file, List<SplitPattern> splits, boolean[] byteLevel) {
    if (n.isMissingNode() || n.isNull()) {
      return;
    }
    String type = n.path("type").asText();
    switch (type) {
      case "Sequence" -> {
        for (JsonNode child : n.path("pretokenizers")) {
          preTokenizer(child, file, splits, byteLevel);
        }
      }
      case "ByteLevel" -> {
        if (n.path("add_prefix_space").asBoolean(false)) {
          throw new TokenizerFileException(file + ": ByteLevel add_prefix_space=true is not supported");
        }
        byteLevel[0] = true;
        if (n.path("use_regex").asBoolean(true)) {
          splits.add(SplitPattern.compile(SplitPattern.GPT2));
        }
      }
      case "Split" -> {
        if (!n.path("behavior").asText().equals("Isolated") || n.path("invert").asBoolean(false)) {
          throw new TokenizerFileException(file + ": Split pre-tokenizer with behavior "
              + n.path("behavior").asText() + (n.path("invert").asBoolean(false) ? " inverted" : "")
              + " is not supported (only Isolated)");
        }
        JsonNode p = n.path("pattern");
        String regex = p.has("Regex") ? p.get("Regex").asText()
            : java.util.regex.Pattern.quote(p.path("String").asText());
        try {
          splits.add(SplitPattern.compile(regex));
        } catch (IllegalArgumentException e) {
          throw new TokenizerFileException(file + ": " + e.getMessage());
        }
      }
      default -> throw new TokenizerFileException(file + ": pre-tokenizer type " + type + " is not supported");
    }
  }

  /**
   * A byte-level BPE tokenizer.json: pre-tokenizer Split(pattern, Isolated) then ByteLevel(no regex),
   * ByteLevel decoder, ids 0..255 the bytes, merges in rank order, added tokens marked special.
   *
   * @param tokenBytes bytes of every non-added id (0..255 must be the single bytes)
   * @param merges rank-ordered merges as {left id, right id}
   * @param pattern split regex, or null for no regex split (the byte tokenizer)
   * @param special added token text -> id
   */
  public static ObjectNode build(byte[][] tokenBytes, List<int[]> merges, String pattern, Map<String, Integer> special) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode addedTokens = root.putArray("added_tokens");
    special.forEach((text, id) -> addedTokens.addObject().put("id", id).put("content", text)
        .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", false)
        .put("special", true));
    root.putNull("normalizer");
    ObjectNode byteLevel = f.objectNode().put("type", "ByteLevel").put("add_prefix_space", false)
        .put("trim_offsets", true).put("use_regex", false);
    if (pattern == null) {
      root.set("pre_tokenizer", byteLevel);
    } else {
      ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
      ArrayNode list = seq.putArray("pretokenizers");
      ObjectNode split = list.addObject().put("type", "Split");
      split.putObject("pattern").put("Regex", pattern);
      split.put("behavior", "Isolated").put("invert", false);
      list.add(byteLevel);
    }
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
        .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false)
        .put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int id = 0; id < tokenBytes.length; id++) {
      if (tokenBytes[id] != null) {
        vocab.put(ByteLevel.encode(tokenBytes[id]), id);
      }
    }
    ArrayNode mergeArray = model.putArray("merges");
    for (int[] m : merges) {
      mergeArray.add(ByteLevel.encode(tokenBytes[m[0]]) + " " + ByteLevel.encode(tokenBytes[m[1]]));
    }
    return root;
  }

  /** The byte tokenizer ({@link dev.roundhouse.host.data.ByteTokenizer}) as a tokenizer.json: 256 byte tokens, no merges. */
  public static ObjectNode forByteTokenizer() {
    byte[][] bytes = new byte[256][];
    for (int b = 0; b < 256; b++) {
      bytes[b] = new byte[] {(byte) b};
    }
    return build(bytes, List.of(), null, Map.of());
  }

  /** Writes {@code tokenizerJson} to {@code file} (pretty-printed UTF-8). */
  public static void write(ObjectNode tokenizerJson, Path file) throws IOException {
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tokenizerJson),
        StandardCharsets.UTF_8);
  }
}
