package dev.roundhouse.host.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading raw UTF-8 text files and JSONL files (one JSON object with a "text" string per line). */
final class TextFormats {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private TextFormats() {}

  /**
   * The file's content, decoded as strict UTF-8.
   *
   * @throws DataException if unreadable, or not valid UTF-8 (naming the byte offset)
   */
  static String readUtf8(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException | OutOfMemoryError e) {
      throw new DataException(file + ": cannot read: " + e, e);
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) {
      r = decoder.flush(out);
    }
    if (r.isError()) {
      throw new DataException(file + ": not valid UTF-8 text at byte offset " + in.position());
    }
    return out.flip().toString();
  }

  /**
   * The "text" field of every non-blank line, in order.
   *
   * @throws DataException naming the file and line number of a malformed line
   */
  static List<String> readJsonl(Path file) {
    String content = readUtf8(file);
    List<String> docs = new ArrayList<>();
    int lineNo = 0;
    int start = 0;
    while (start < content.length()) {
      int end = content.indexOf('\n', start);
      if (end < 0) {
        end = content.length();
      }
      lineNo++;
      String line = content.substring(start, end);
      start = end + 1;
      if (line.isBlank()) {
        continue;
      }
      docs.add(textField(file, lineNo, line));
    }
    return docs;
  }

  private static String textField(Path file, int lineNo, String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new DataException(file + ": line " + lineNo + ": not valid JSON: "
          + e.getOriginalMessage().replaceAll("\\s+", " "));
    }
    if (node == null || !node.isObject()) {
      throw new DataException(file + ": line " + lineNo + ": expected a JSON object with a \"text\" field");
    }
    JsonNode text = node.get("text");
    if (text == null || !text.isTextual()) {
      throw new DataException(file + ": line " + lineNo + ": "
          + (text == null ? "no \"text\" field" : "\"text\" is not a string"));
    }
    return text.textValue();
  }
}
