package io.github.reactorpatterns.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The standard streams a command uses, so that tests can run commands in-process.
 *
 * @param in  standard input ({@code fetch -})
 * @param out standard output: data only (NDJSON, the demo's report)
 * @param err standard error: errors, progress and the summary
 */
record Io(InputStream in, PrintStream out, PrintStream err) {

    static Io system() {
        return new Io(System.in, System.out, System.err);
    }
}
