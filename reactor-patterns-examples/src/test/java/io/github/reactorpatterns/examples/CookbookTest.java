package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/COOKBOOK.md} honest.
 *
 * <p>Every Java block in the cookbook is preceded by {@code <!-- snippet: File.tag -->} and must equal the region
 * between {@code // tag::tag[]} and {@code // end::tag[]} in {@code File.java} of this package, so the document
 * cannot drift from code that compiles and is tested. Every tagged region must be quoted. Every function and class
 * that the Python seeds define must be named in the cookbook.
 *
 * <p>After changing a recipe, regenerate the quoted blocks with
 * {@code ./mvnw -B test -pl reactor-patterns-examples -am -Dtest=CookbookTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcookbook.update=true}.
 */
class CookbookTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path COOKBOOK = MODULE.resolve("../docs/COOKBOOK.md").normalize();
    private static final Path SOURCES = MODULE.resolve("src/test/java/io/github/reactorpatterns/examples");
    /** The Python seeds: set by the pom to {@code ../shared/seeds} beside the repository; override with -Dseeds.dir. */
    private static final Path SEEDS = Path.of(System.getProperty("seeds.dir", "../../shared/seeds"))
            .toAbsolutePath()
            .normalize();

    private static final Pattern SNIPPET =
            Pattern.compile("<!-- snippet: (\\w+)\\.(\\w+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PYTHON_DEFINITION =
            Pattern.compile("^[ \\t]*(?:async[ \\t]+)?(?:def|class)[ \\t]+(\\w+)", Pattern.MULTILINE);
    private static final Pattern TAG = Pattern.compile(
            "^[ \\t]*// tag::(\\w+)\\[]\\n(.*?)^[ \\t]*// end::\\1\\[]", Pattern.DOTALL | Pattern.MULTILINE);

    @Test
    void everyQuotedSnippetMatchesItsSource() throws IOException {
        String cookbook = Files.readString(COOKBOOK, StandardCharsets.UTF_8);
        Map<String, String> regions = taggedRegions();
        Matcher m = SNIPPET.matcher(cookbook);
        StringBuilder updated = new StringBuilder();
        List<String> stale = new ArrayList<>();
        Set<String> quoted = new LinkedHashSet<>();
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
                    updated, Matcher.quoteReplacement("<!-- snippet: " + id + " -->\n```java\n" + code + "```"));
        }
        m.appendTail(updated);
        if (Boolean.getBoolean("cookbook.update")) {
            Files.writeString(COOKBOOK, updated.toString(), StandardCharsets.UTF_8);
            return;
        }
        assertThat(stale)
                .as("snippets that differ from their source; rerun with -Dcookbook.update=true to refresh them")
                .isEmpty();
        assertThat(new TreeSet<>(regions.keySet()))
                .as("tagged regions the cookbook never quotes")
                .isSubsetOf(quoted);
    }

    @Test
    void everySeedFunctionHasARecipe() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(SEEDS), "the seeds live in ../shared beside the repository");
        String cookbook = Files.readString(COOKBOOK, StandardCharsets.UTF_8);
        Set<String> missing = new TreeSet<>();
        try (Stream<Path> seeds = Files.list(SEEDS)) {
            for (Path seed : (Iterable<Path>) seeds.sorted()::iterator) {
                Matcher m = PYTHON_DEFINITION.matcher(Files.readString(seed, StandardCharsets.UTF_8));
                while (m.find()) {
                    String name = m.group(1);
                    if (!name.startsWith("__") && !cookbook.contains(name)) {
                        missing.add(name + " (" + seed.getFileName() + ")");
                    }
                }
            }
        }
        assertThat(missing)
                .as("seed functions and classes that the cookbook never names")
                .isEmpty();
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
                    String previous = regions.put(owner + "." + m.group(1), dedent(m.group(2)));
                    assertThat(previous)
                            .as("tag %s.%s appears twice", owner, m.group(1))
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
