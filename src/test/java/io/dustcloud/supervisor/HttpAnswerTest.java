package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpAnswerTest {
  static HttpAnswer feedByteByByte(String text, boolean keepBody) throws HttpAnswer.Malformed {
    HttpAnswer a = new HttpAnswer(keepBody, 1024);
    for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
      a.feed(ByteBuffer.wrap(new byte[] {b}));
    }
    return a;
  }

  @Test
  void aChunkedAnswerSplitAtEveryByteIsReadWhole() throws Exception {
    HttpAnswer a = feedByteByByte("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n", true);
    assertThat(a.done()).isTrue();
    assertThat(a.keepAlive()).isTrue();
    assertThat(a.body()).isEqualTo("abcd");
  }

  @Test
  void interimAnswersAreSkippedAndHttp10ClosesUnlessAskedToKeepAlive() throws Exception {
    HttpAnswer a = feedByteByByte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 503 Busy\r\nContent-Length: 1\r\n\r\nx", false);
    assertThat(a.done()).isTrue();
    assertThat(a.status()).isEqualTo(503);
    assertThat(a.keepAlive()).isFalse();
    assertThat(a.body()).isEmpty();
  }

  @Test
  void aBodyWithoutLengthEndsWithTheConnection() throws Exception {
    HttpAnswer a = feedByteByByte("HTTP/1.1 200 OK\n\nbody", true);
    assertThat(a.done()).isFalse();
    a.closed();
    assertThat(a.done()).isTrue();
    assertThat(a.keepAlive()).isFalse();
    assertThat(a.body()).isEqualTo("body");
  }

  @Test
  void everyMalformedAnswerNamesWhatIsWrong() {
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 2000 OK\r\n\r\n", true))
        .hasMessage("not an HTTP/1.x status line: \"HTTP/1.1 2000 OK\"");
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", true))
        .hasMessage("conflicting Content-Length headers");
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", true))
        .hasMessage("bad Content-Length: \"-1\"");
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", true))
        .hasMessage("malformed header line: \"no colon here\"");
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", true))
        .hasMessage("unsupported Transfer-Encoding: gzip");
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true))
        .hasMessage("bad chunk size: \"zz\"");
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", true))
        .hasMessage("chunk not followed by CRLF");
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 200 OK\r\nContent-Length: 2048\r\n\r\n", true))
        .hasMessage("body longer than 1024 bytes");
    assertThatThrownBy(() -> feedByteByByte("HTTP/1.1 200 OK\r\nX: " + "a".repeat(HttpAnswer.MAX_HEAD), true))
        .hasMessage("status line and headers longer than 16384 bytes");
    assertThatThrownBy(() -> feedByteByByte("\u0000\u0001binary\r\n\r\n", true))
        .hasMessage("not an HTTP/1.x status line: \"\\x00\\x01binary\"");
  }
}
