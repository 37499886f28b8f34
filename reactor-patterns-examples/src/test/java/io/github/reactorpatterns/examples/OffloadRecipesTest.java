package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class OffloadRecipesTest {

    @TempDir
    Path dir;

    @Test
    void readLargeFileRunsOnBoundedElastic() throws IOException {
        Path file = Files.writeString(dir.resolve("big.txt"), "hello");
        List<String> threads = new CopyOnWriteArrayList<>();
        StepVerifier.create(OffloadRecipes.readLargeFile(file)
                        .doOnNext(text -> threads.add(Thread.currentThread().getName())))
                .expectNext("hello")
                .verifyComplete();
        assertThat(threads).singleElement().asString().contains("boundedElastic");
        StepVerifier.create(OffloadRecipes.readLargeFile(dir.resolve("missing.txt")))
                .verifyError(NoSuchFileException.class);
    }

    @Test
    void uploadToS3CallsTheBlockingClientOffTheCallerThread() {
        List<String> calls = new CopyOnWriteArrayList<>();
        StepVerifier.create(OffloadRecipes.uploadToS3(
                        (bucket, key, body) -> {
                            calls.add(bucket + "/" + key + " " + body.length + " on "
                                    + Thread.currentThread().getName());
                        },
                        "b",
                        "k",
                        new byte[3]))
                .verifyComplete();
        assertThat(calls).singleElement().asString().startsWith("b/k 3 on boundedElastic");
    }

    @Test
    void processHeavyHashesOnTheCpuPool() throws Exception {
        byte[] expected = OffloadRecipes.cpuHeavyOperation(new byte[] {1, 2, 3});
        StepVerifier.create(OffloadRecipes.processHeavy(new byte[] {1, 2, 3}))
                .assertNext(digest -> assertThat(digest).isEqualTo(expected).hasSize(32))
                .verifyComplete();
    }

    @Test
    void processFileReadsThenCompresses() throws IOException {
        Path file = Files.writeString(dir.resolve("data.txt"), "abc".repeat(1000));
        StepVerifier.create(OffloadRecipes.processFile(file))
                .assertNext(gz -> {
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                                .isEqualTo("abc".repeat(1000));
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                })
                .verifyComplete();
    }

    @Test
    void syncWrapperBlocksOnlyWhereBlockingIsAllowed() {
        assertThat(OffloadRecipes.syncWrapper(
                        () -> Mono.delay(Duration.ofMillis(5)).thenReturn("done")))
                .isEqualTo("done");
        StepVerifier.create(Mono.fromCallable(() -> OffloadRecipes.syncWrapper(() -> Mono.just("x")))
                        .subscribeOn(Schedulers.parallel()))
                .verifyError(IllegalStateException.class);
    }

    @Test
    void badFetchIsCaughtByBlockHoundAndGoodFetchIsNot() {
        Callable<String> requestsGet = () -> {
            Thread.sleep(5); // stands for a blocking socket read
            return "<html>";
        };
        StepVerifier.create(OffloadRecipes.badFetch(requestsGet))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BlockingOperationError.class))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(OffloadRecipes.goodFetch(requestsGet))
                .expectNext("<html>")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }
}
