package io.github.reactorpatterns.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * The small application that {@link ReactiveMainTest} runs in a child JVM. It prints {@code ready} once its main
 * {@code Mono} is subscribed, and appends one line per cleanup step to a marker file, so that the test can see
 * which cleanup ran and in which order.
 *
 * <p>Arguments: the mode ({@code never}: runs until a signal; {@code exit}: calls {@code System.exit(7)}
 * from another thread; {@code complete}; {@code fail}), the marker path and
 * the grace period in milliseconds.
 */
public final class ReactiveMainTestApp {

    private ReactiveMainTestApp() {}

    /**
     * Runs the application and exits with the code {@link ReactiveMain#run} returns.
     *
     * @param args the mode and the marker file
     */
    public static void main(String[] args) {
        String mode = args[0];
        Path marker = Path.of(args[1]);
        Duration grace = Duration.ofMillis(Long.parseLong(args[2]));
        BackgroundTasks background = BackgroundTasks.create();
        background.spawn(Mono.never().doFinally(signal -> mark(marker, "task " + signal)));
        Mono<?> body = switch (mode) {
            case "never" -> Mono.never();
            case "exit" -> Mono.never().doOnSubscribe(s -> new Thread(() -> System.exit(7)).start());
            case "complete" -> Mono.just("done");
            case "fail" -> Mono.error(new IllegalStateException("the application failed"));
            default -> throw new IllegalArgumentException(mode);
        };
        Mono<?> app = body.doOnSubscribe(s -> {
                    System.out.println("ready");
                    System.out.flush();
                })
                .doFinally(signal -> mark(marker, "app " + signal));
        int code = ReactiveMain.run(app, grace, background, () -> mark(marker, "resource"));
        mark(marker, "exit " + code);
        System.exit(code);
    }

    private static void mark(Path marker, String line) {
        try {
            Files.writeString(
                    marker, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
