package io.github.reactorpatterns.spring.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Keeps the Spring section of {@code docs/COOKBOOK.md} honest, as {@code CookbookTest} of reactor-patterns-examples
 * does for the rest: every Java block preceded by {@code <!-- spring-snippet: File.tag -->} must equal the region
 * between {@code // tag::tag[]} and {@code // end::tag[]} in {@code File.java} of this package, and every tagged
 * region here must be quoted. Regenerate with {@code -Dcookbook.update=true}.
 */
class SpringCookbookTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path COOKBOOK = MODULE.resolve("../docs/COOKBOOK.md").normalize();
    private static final Path SOURCES = MODULE.resolve("src/test/java/io/github/reactorpatterns/spring/example");
    private static final Pattern SNIPPET =
            Pattern.compile("<!-- spring-snippet: (\\w+)\\.(\\w+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile(
            "^[ \\t]*// tag::(\\w+)\\[]\\n(.*?)^[ \\t]*// end::\\1\\[]", Pattern.DOTALL | Pattern.MULTILINE);

    @Test
    void everyQuotedSpringSnippetMatchesItsSource() throws IOException {
        String cookbook = Files.readString(COOKBOOK, StandardCharsets.UTF_8);
        Map<String, String> regions = taggedRegions();
        Matcher m = SNIPPET.matcher(cookbook);
        StringBuilder updated = new StringBuilder();
        List<String> stale = new ArrayList<>();
        Set<String> quoted = new TreeSet<>();
        while (m.find()) {
            String id = m.group(1) + "." + m.group(2);
            quoted.add(id);
            String code = regions.get(id);
            assertThat(code)
                    .as("cookbook quotes %s, but no such tagged region exists", id)
                    .isNotNull();
            if (!code.equals(m.group(3))) {
                stale.add(id);
            }
            m.appendReplacement(
                    updated, Matcher.quoteReplacement("<!-- spring-snippet: " + id + " -->\n```java\n" + code + "```"));
        }
        m.appendTail(updated);
        if (Boolean.getBoolean("cookbook.update")) {
            Files.writeString(COOKBOOK, updated.toString(), StandardCharsets.UTF_8);
            return;
        }
        assertThat(stale)
                .as("snippets that differ from their source; rerun with -Dcookbook.update=true")
                .isEmpty();
        assertThat(new TreeSet<>(regions.keySet()))
                .as("tagged regions the cookbook never quotes")
                .isSubsetOf(quoted);
        assertThat(quoted).isNotEmpty();
    }

    private static Map<String, String> taggedRegions() throws IOException {
        Map<String, String> regions = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".java")) {
                    continue;
                }
                String owner = name.substring(0, name.length() - ".java".length());
                Matcher m = TAG.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) {
                    assertThat(regions.put(owner + "." + m.group(1), dedent(m.group(2))))
                            .isNull();
                }
            }
        }
        return regions;
    }

    private static String dedent(String block) {
        List<String> lines = block.lines().toList();
        int indent = lines.stream()
                .filter(line -> !line.isBlank())
                .mapToInt(line -> line.length() - line.stripLeading().length())
                .min()
                .orElse(0);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return out.toString();
    }
}
