package io.github.reactorpatterns.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

import io.github.reactorpatterns.offload.Offload;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/** {@code asyncio.to_thread}, {@code run_in_executor} and the sync wrapper: {@link Offload}. */
final class OffloadRecipes {

    /** A blocking SDK client, like boto3's S3 client. */
    interface BlockingStore {
        void putObject(String bucket, String key, byte[] body);
    }

    private OffloadRecipes() {}

    private static <T> T call(Callable<T> callable) {
        try {
            return callable.call();
        } catch (Exception e) {
            throw Exceptions.propagate(e);
        }
    }

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::toThread[]
    // async def read_large_file(path): return await asyncio.to_thread(Path(path).read_text)
    static Mono<String> readLargeFile(Path path) {
        return Offload.blocking(() -> Files.readString(path));     // on boundedElastic, never on an event loop
    }

    // async def upload_to_s3(bucket, key, data): await asyncio.to_thread(s3.put_object, ...)
    static Mono<Void> uploadToS3(BlockingStore s3, String bucket, String key, byte[] data) {
        return Offload.blocking(() -> {
            s3.putObject(bucket, key, data);
            return null;                                           // null: the Mono completes empty
        }).then();
    }
    // end::toThread[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::cpu[]
    // def cpu_heavy_operation(data): for _ in range(1000): data = hashlib.sha256(data).digest()
    static byte[] cpuHeavyOperation(byte[] data) throws NoSuchAlgorithmException {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 1000; i++) {
            data = sha256.digest(data);
        }
        return data;
    }

    // async def process_heavy(data): return await loop.run_in_executor(ProcessPoolExecutor(4), heavy_computation, data)
    static Mono<byte[]> processHeavy(byte[] data) {
        return Offload.cpu(() -> cpuHeavyOperation(data));          // a bounded pool of one thread per core
    }

    // async def process_file(path): content = await to_thread(read_large_file, path)
    //                               return await to_thread(cpu_heavy, content.encode())
    static Mono<byte[]> processFile(Path path) {
        return readLargeFile(path)                                   // blocking_io_operation: boundedElastic
                .flatMap(content -> Offload.cpu(() -> cpuHeavy(content.getBytes(StandardCharsets.UTF_8))));
    }

    // def cpu_heavy(data): return gzip.compress(data)
    static byte[] cpuHeavy(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }
    // end::cpu[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::syncWrapper[]
    // def sync_wrapper(): loop = asyncio.new_event_loop(); return loop.run_until_complete(async_function())
    static String syncWrapper(Supplier<Mono<String>> asyncFunction) {
        return Offload.await(asyncFunction.get(), Duration.ofSeconds(30));   // refuses to run on a reactive thread
    }
    // end::syncWrapper[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::badFetch[]
    // BAD: async def bad_fetch(): return requests.get(url)  -- a blocking client on the event loop
    static Mono<String> badFetch(Callable<String> blockingGet) {
        return Mono.delay(Duration.ofMillis(1))                // now on a parallel (non-blocking) thread
                .map(tick -> call(blockingGet));               // BlockHound fails this in tests
    }

    // GOOD: an asynchronous client (see PooledHttpClient below), or, for a library that can only block:
    static Mono<String> goodFetch(Callable<String> blockingGet) {
        return Mono.delay(Duration.ofMillis(1))
                .then(Offload.blocking(blockingGet));
    }
    // end::badFetch[]
    // spotless:on
}
