package io.github.reactorpatterns.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the {@code META-INF/spring-configuration-metadata.json} that spring-boot-configuration-processor generates
 * for {@link ReactorPatternsProperties}: what an IDE knows about the {@code reactor-patterns.*} keys.
 *
 * <p>The metadata format has no wildcard names, so the per-name keys
 * ({@code reactor-patterns.semaphores.<name>.permits}) cannot be listed in it, by the processor or by hand in
 * {@code additional-spring-configuration-metadata.json}. What the processor records is each map with its exact
 * value type; an IDE can complete the keys after the name only by resolving that type, so it must stay a public
 * record named in the metadata. These tests keep that information present and correct.
 */
class ConfigurationMetadataTest {

    private static final String PROPERTIES = ReactorPatternsProperties.class.getName();

    @Test
    void everyPerNameMapCarriesItsPublicValueTypeAndADescription() throws Exception {
        Map<String, JsonNode> properties = properties();
        Map<String, Class<?>> perName = new LinkedHashMap<>();
        perName.put("reactor-patterns.semaphores", ReactorPatternsProperties.Semaphore.class);
        perName.put("reactor-patterns.token-buckets", ReactorPatternsProperties.TokenBucket.class);
        perName.put("reactor-patterns.retry-policies", ReactorPatternsProperties.Retry.class);
        perName.put("reactor-patterns.http-clients", ReactorPatternsProperties.HttpClient.class);
        perName.put("reactor-patterns.web-clients", ReactorPatternsProperties.WebClient.class);
        for (Map.Entry<String, Class<?>> e : perName.entrySet()) {
            JsonNode property = properties.get(e.getKey());
            assertThat(property).as(e.getKey()).isNotNull();
            assertThat(property.get("type").asString())
                    .as(e.getKey())
                    .isEqualTo("java.util.Map<java.lang.String," + e.getValue().getName() + ">");
            assertThat(property.get("sourceType").asString()).isEqualTo(PROPERTIES);
            assertThat(property.get("description").asString()).as(e.getKey()).isNotBlank();
            // the IDE completes the keys after the name from this type's public record components
            Class<?> valueType = Class.forName(e.getValue().getName());
            assertThat(Modifier.isPublic(valueType.getModifiers()))
                    .as(valueType.getName())
                    .isTrue();
            assertThat(valueType.getRecordComponents()).as(valueType.getName()).isNotEmpty();
        }
        assertThat(Arrays.stream(ReactorPatternsProperties.Semaphore.class.getRecordComponents())
                        .map(RecordComponent::getName))
                .containsExactly("permits", "maxWaiters", "fair");
    }

    @Test
    void everyPropertyOfThePrefixIsDocumentedAndTheFixedOnesAreListedOneByOne() throws Exception {
        Map<String, JsonNode> properties = properties();
        assertThat(properties.keySet())
                .allMatch(name -> name.startsWith("reactor-patterns."))
                .contains(
                        "reactor-patterns.deadline.header",
                        "reactor-patterns.deadline.max",
                        "reactor-patterns.shutdown.grace",
                        "reactor-patterns.background-tasks.enabled");
        for (Map.Entry<String, JsonNode> e : properties.entrySet()) {
            assertThat(e.getValue().path("description").asString(""))
                    .as(e.getKey())
                    .isNotBlank();
        }
        assertThat(properties
                        .get("reactor-patterns.shutdown.grace")
                        .get("defaultValue")
                        .asString())
                .isEqualTo("30s");
    }

    /** Our generated file's properties by name (other jars on the class path carry their own metadata). */
    private static Map<String, JsonNode> properties() throws IOException {
        List<JsonNode> ours = new ArrayList<>();
        for (URL url : Collections.list(ConfigurationMetadataTest.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                JsonNode metadata = JsonMapper.builder().build().readTree(in);
                for (JsonNode group : metadata.path("groups")) {
                    if (group.path("sourceType").asString("").equals(PROPERTIES)) {
                        ours.add(metadata);
                        break;
                    }
                }
            }
        }
        assertThat(ours)
                .as("the generated metadata of ReactorPatternsProperties")
                .hasSize(1);
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode property : ours.get(0).path("properties")) {
            byName.put(property.get("name").asString(), property);
        }
        return byName;
    }
}
