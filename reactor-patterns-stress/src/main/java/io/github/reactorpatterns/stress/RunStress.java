package io.github.reactorpatterns.stress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.openjdk.jcstress.Main;

/**
 * Runs jcstress (same arguments as {@code org.openjdk.jcstress.Main}) and exits with status 1 if any test failed or
 * errored: jcstress itself always exits 0, which would let CI pass on a forbidden outcome.
 */
public final class RunStress {

    private RunStress() {}

    /**
     * Runs jcstress and checks its summary.
     *
     * @param args jcstress arguments, e.g. {@code -m sanity}
     * @throws Exception if jcstress fails to run
     */
    public static void main(String[] args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new Tee(original, copy), true, StandardCharsets.UTF_8));
        try {
            Main.main(args);
        } finally {
            System.out.flush();
            System.setOut(original);
        }
        String output = copy.toString(StandardCharsets.UTF_8);
        boolean ok = summaryIsClean(output, "Failed tests:") && summaryIsClean(output, "Error tests:");
        if (!ok) {
            System.err.println("jcstress reported failed or errored tests (see above and results/index.html)");
            System.exit(1);
        }
    }

    private static boolean summaryIsClean(String output, String label) {
        for (String line : output.split("\\R")) {
            if (line.trim().startsWith(label)) {
                return line.contains("No matches");
            }
        }
        return false; // no summary at all: jcstress did not finish
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) {
            try {
                a.write(x);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            synchronized (b) {
                ((ByteArrayOutputStream) b).write(x);
            }
        }

        @Override
        public void write(byte[] bytes, int off, int len) {
            try {
                a.write(bytes, off, len);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            synchronized (b) {
                ((ByteArrayOutputStream) b).write(bytes, off, len);
            }
        }

        @Override
        public void flush() {
            try {
                a.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
