package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;

import org.junit.jupiter.api.Test;

class UrlListTest {

    private static UrlList read(String text) throws IOException {
        return UrlList.read(new BufferedReader(new StringReader(text)));
    }

    @Test
    void skipsBlankLinesAndCommentsAndKeepsLineNumbers() throws IOException {
        UrlList list = read("# header\n\nhttp://a.example/1\n   \n  https://b.example/2  \n# http://c.example\n");
        assertThat(list.malformed()).isEmpty();
        assertThat(list.urls())
                .containsExactly(
                        new UrlList.Entry(0, 3, URI.create("http://a.example/1")),
                        new UrlList.Entry(1, 5, URI.create("https://b.example/2")));
    }

    @Test
    void reportsMalformedLinesWithTheirNumbersAndKeepsTheRest() throws IOException {
        UrlList list = read("http://ok.example/a\nnot a url\nftp://x.example/f\nhttp:///nohost\n"
                + "example.com/path\nhttp://ok.example/b\n");
        assertThat(list.urls()).extracting(UrlList.Entry::line).containsExactly(1, 6);
        assertThat(list.urls()).extracting(UrlList.Entry::index).containsExactly(0, 1);
        assertThat(list.malformed())
                .extracting(UrlList.Malformed::message)
                .containsExactly(
                        "line 2: malformed URL (Illegal character in path at index 3): not a url",
                        "line 3: unsupported scheme 'ftp' (expected http or https): ftp://x.example/f",
                        "line 4: malformed URL (no host): http:///nohost",
                        "line 5: malformed URL (no scheme; expected http:// or https://): example.com/path");
    }

    @Test
    void emptyInputHasNothing() throws IOException {
        UrlList list = read("");
        assertThat(list.urls()).isEmpty();
        assertThat(list.malformed()).isEmpty();
    }
}
