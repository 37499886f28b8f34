package io.github.reactorpatterns.cli;

import java.io.PrintStream;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jspecify.annotations.Nullable;

/** A progress bar on stderr, or nothing at all when stderr is not a terminal. */
interface Progress extends AutoCloseable {

    /** System property that the launcher sets to {@code true} or {@code false} after testing stderr itself. */
    String STDERR_TTY_PROPERTY = "reactorpatterns.stderr.tty";

    /** One more item done; thread-safe. */
    void step();

    @Override
    void close();

    /** A progress that shows nothing. */
    static Progress none() {
        return new Progress() {
            @Override
            public void step() {}

            @Override
            public void close() {}
        };
    }

    /** A bar counting to {@code total} on {@code err}. */
    static Progress bar(String task, long total, PrintStream err) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(err, terminalWidth()))
                .clearDisplayOnFinish()
                .showSpeed()
                .build();
        return new Progress() {
            @Override
            public void step() {
                bar.step();
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }

    /**
     * Whether stderr is a terminal. The JDK cannot test stderr alone: the launcher script tests it ({@code [ -t 2 ]})
     * and passes the answer as a system property; without it (plain {@code java -jar}) we fall back to
     * {@link System#console()}, which is there when standard input and output are a terminal.
     *
     * @param forced the user's {@code --progress}/{@code --no-progress}, or {@code null} to decide automatically
     */
    static boolean enabled(@Nullable Boolean forced) {
        if (forced != null) {
            return forced;
        }
        String tty = System.getProperty(STDERR_TTY_PROPERTY);
        if (tty != null) {
            return Boolean.parseBoolean(tty);
        }
        return System.console() != null;
    }

    private static int terminalWidth() {
        String columns = System.getenv("COLUMNS");
        try {
            return columns == null ? 100 : Math.max(40, Integer.parseInt(columns.strip()));
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
