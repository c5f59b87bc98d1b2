package io.dustcloud.supervisor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads one HTTP/1.x answer from the bytes of a connection, as they arrive: the status line,
 * the headers, then a body of {@code Content-Length} bytes, a chunked body, or (neither) a body
 * that ends when the server closes. Strict: anything it cannot read exactly is a
 * {@link Malformed} with the reason, and the connection must be closed. Interim 1xx answers are
 * skipped. Not thread-safe: one per exchange, on the I/O thread.
 */
final class HttpAnswer {
  /** Longest status line plus headers; instances answer probes and scrapes with a few lines. */
  static final int MAX_HEAD = 16 * 1024;

  /** Why an answer cannot be read; the connection it came on is unusable. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  private enum State { HEAD, BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, BODY_TO_CLOSE, DONE }

  private final boolean keepBody;
  private final int maxBody;
  private final ByteArrayOutputStream head = new ByteArrayOutputStream(256);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(16);
  private final ByteArrayOutputStream body;
  private State state = State.HEAD;
  private int status;
  private boolean keepAlive;
  private long remaining;
  private long bodyBytes;
  private boolean started;
  /** The head's last two bytes, to find its end without looking back. */
  private byte last;
  private byte beforeLast;

  /**
   * @param keepBody keep the body's bytes (scrapes) or only read past them (probes)
   * @param maxBody the largest body kept or read; a longer one is malformed
   */
  HttpAnswer(boolean keepBody, int maxBody) {
    this.keepBody = keepBody;
    this.maxBody = maxBody;
    this.body = keepBody ? new ByteArrayOutputStream(1024) : null;
  }

  /** Whether any byte of the answer arrived (a reused connection closed before one may be retried). */
  boolean started() {
    return started;
  }

  boolean done() {
    return state == State.DONE;
  }

  int status() {
    return status;
  }

  /** Whether the connection may carry another exchange once this answer is done. */
  boolean keepAlive() {
    return keepAlive && state == State.DONE;
  }

  String body() {
    return body == null ? "" : body.toString(StandardCharsets.UTF_8);
  }

  /**
   * Consumes bytes; returns when they are used up or the answer is done. Bytes left in
   * {@code in} once it is done belong to no request: the caller must not reuse the connection.
   */
  void feed(ByteBuffer in) throws Malformed {
    if (in.hasRemaining()) {
      started = true;
    }
    while (in.hasRemaining() && state != State.DONE) {
      switch (state) {
        case HEAD -> readHead(in);
        case BODY_LENGTH -> {
          int n = (int) Math.min(remaining, in.remaining());
          take(in, n);
          remaining -= n;
          if (remaining == 0) {
            state = State.DONE;
          }
        }
        case BODY_TO_CLOSE -> take(in, in.remaining());
        case CHUNK_SIZE -> {
          String size = readLine(in, 80, "chunk size");
          if (size != null) {
            chunkSize(size);
          }
        }
        case CHUNK_DATA -> {
          int n = (int) Math.min(remaining, in.remaining());
          take(in, n);
          remaining -= n;
          if (remaining == 0) {
            state = State.CHUNK_END;
          }
        }
        case CHUNK_END -> {
          // exactly CRLF (or a bare LF) after a chunk's data
          byte b = in.get();
          if (b == '\n') {
            state = State.CHUNK_SIZE;
            last = 0;
          } else if (b != '\r' || last == '\r') {
            throw new Malformed("chunk not followed by CRLF");
          } else {
            last = b;
          }
        }
        case TRAILERS -> {
          String trailer = readLine(in, MAX_HEAD, "trailer");
          if (trailer != null && trailer.isEmpty()) {
            state = State.DONE;
          }
        }
        default -> throw new IllegalStateException(state.name());
      }
    }
  }

  /** The server closed the connection: ends a body read to the close, anything else is cut short. */
  void closed() throws Malformed {
    if (state == State.BODY_TO_CLOSE) {
      state = State.DONE;
      keepAlive = false;
    } else if (state != State.DONE) {
      throw new Malformed(started ? "connection closed in the middle of the answer" : "connection closed before an answer");
    }
  }

  private void readHead(ByteBuffer in) throws Malformed {
    while (in.hasRemaining()) {
      byte b = in.get();
      head.write(b);
      if (head.size() > MAX_HEAD) {
        throw new Malformed("status line and headers longer than " + MAX_HEAD + " bytes");
      }
      // the head ends at an empty line: "\n\n" or "\n\r\n"
      boolean end = b == '\n' && (last == '\n' || (last == '\r' && beforeLast == '\n'));
      beforeLast = last;
      last = b;
      if (end) {
        String text = head.toString(StandardCharsets.ISO_8859_1);
        head.reset();
        last = 0;
        beforeLast = 0;
        parseHead(text);
        return;
      }
    }
  }

  private void parseHead(String text) throws Malformed {
    String[] lines = lines(text);
    String statusLine = lines[0];
    // "HTTP/1.1 200 OK": the version, a space, three digits, then a space and a reason or nothing
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' '
        || !Character.isDigit(statusLine.charAt(9)) || !Character.isDigit(statusLine.charAt(10))
        || !Character.isDigit(statusLine.charAt(11)) || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
      throw new Malformed("not an HTTP/1.x status line: \"" + printable(statusLine) + "\"");
    }
    status = Integer.parseInt(statusLine.substring(9, 12));
    boolean http10 = statusLine.charAt(7) == '0';
    long length = -1;
    boolean chunked = false;
    String connection = "";
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i];
      int colon = l.indexOf(':');
      if (colon <= 0 || l.charAt(0) == ' ' || l.charAt(0) == '\t') {
        throw new Malformed("malformed header line: \"" + printable(l) + "\"");
      }
      String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> {
          long v = contentLength(value);
          if (length >= 0 && length != v) {
            throw new Malformed("conflicting Content-Length headers");
          }
          length = v;
        }
        case "transfer-encoding" -> {
          if (!value.equalsIgnoreCase("chunked")) {
            throw new Malformed("unsupported Transfer-Encoding: " + printable(value));
          }
          chunked = true;
        }
        case "connection" -> connection = value.toLowerCase(Locale.ROOT);
        default -> { }
      }
    }
    if (status >= 100 && status < 200) {
      if (status == 101) {
        throw new Malformed("unexpected 101 Switching Protocols");
      }
      return; // interim answer: the real one follows
    }
    keepAlive = http10 ? connection.contains("keep-alive") : !connection.contains("close");
    if (status == 204 || status == 304) {
      state = State.DONE;
    } else if (chunked) {
      if (length >= 0) {
        throw new Malformed("both Content-Length and chunked Transfer-Encoding");
      }
      state = State.CHUNK_SIZE;
    } else if (length >= 0) {
      bodyLimit(length);
      remaining = length;
      state = length == 0 ? State.DONE : State.BODY_LENGTH;
    } else {
      keepAlive = false;
      state = State.BODY_TO_CLOSE;
    }
  }

  /** The head's lines without their CR LF (or LF), the empty last one left out; no regex. */
  private static String[] lines(String text) {
    java.util.List<String> out = new java.util.ArrayList<>(8);
    int pos = 0;
    while (pos < text.length()) {
      int eol = text.indexOf('\n', pos);
      int end = eol > pos && text.charAt(eol - 1) == '\r' ? eol - 1 : eol;
      if (end > pos) {
        out.add(text.substring(pos, end));
      } else {
        break; // the empty line that ends the head
      }
      pos = eol + 1;
    }
    return out.toArray(String[]::new);
  }

  private static long contentLength(String value) throws Malformed {
    if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
      throw new Malformed("bad Content-Length: \"" + printable(value) + "\"");
    }
    return Long.parseLong(value);
  }

  private void chunkSize(String text) throws Malformed {
    int semi = text.indexOf(';');
    String hex = (semi >= 0 ? text.substring(0, semi) : text).trim();
    long size;
    try {
      if (hex.isEmpty() || hex.length() > 8 || hex.startsWith("-") || hex.startsWith("+")) {
        throw new NumberFormatException();
      }
      size = Long.parseLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new Malformed("bad chunk size: \"" + printable(text) + "\"");
    }
    if (size == 0) {
      state = State.TRAILERS;
      return;
    }
    bodyLimit(bodyBytes + size);
    remaining = size;
    state = State.CHUNK_DATA;
  }

  private void bodyLimit(long total) throws Malformed {
    if (total > maxBody) {
      throw new Malformed("body longer than " + maxBody + " bytes");
    }
  }

  private void take(ByteBuffer in, int n) throws Malformed {
    bodyBytes += n;
    if (state == State.BODY_TO_CLOSE) {
      bodyLimit(bodyBytes);
    }
    if (keepBody) {
      if (in.hasArray()) {
        body.write(in.array(), in.arrayOffset() + in.position(), n);
        in.position(in.position() + n);
      } else {
        byte[] copy = new byte[n];
        in.get(copy);
        body.write(copy, 0, n);
      }
    } else {
      in.position(in.position() + n);
    }
  }

  /** A CRLF- (or LF-) ended line, or null when its end has not arrived yet. */
  private String readLine(ByteBuffer in, int max, String what) throws Malformed {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        byte[] l = line.toByteArray();
        line.reset();
        int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
        return new String(l, 0, n, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
      if (line.size() > max + 1) {
        throw new Malformed(what + " line longer than " + max + " bytes");
      }
    }
    return null;
  }

  /** At most 60 characters, control characters escaped: a reason quotes what the server sent. */
  static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < 60; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        out.append(String.format("\\x%02x", (int) c & 0xff));
      } else {
        out.append(c);
      }
    }
    return s.length() > 60 ? out + "…" : out.toString();
  }
}
