package io.github.reactorpatterns.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import io.github.reactorpatterns.cli.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code reactor-patterns} command: {@code fetch} and {@code demo}.
 *
 * <p>Exit codes: 0 success, 1 a run that had failures, 2 bad input (a one-line message on stderr, never a stack
 * trace).
 */
@Command(
        name = "reactor-patterns",
        mixinStandardHelpOptions = true,
        versionProvider = ReactorPatternsCli.Version.class,
        description = "Python asyncio patterns as Project Reactor operators, on the command line.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n")
public final class ReactorPatternsCli implements Callable<Integer> {

    /** Exit code of bad input. */
    static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    private ReactorPatternsCli() {}

    /**
     * Runs the tool and exits the JVM with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(execute(args, Io.system(), PooledFetchEngine::new));
    }

    /** Runs the tool in-process with the given streams; returns the exit code. */
    static int execute(String[] args, Io io, FetchEngine.Factory engines) {
        CommandLine cli = new CommandLine(new ReactorPatternsCli());
        cli.addSubcommand(new CommandLine(new FetchCommand(io, engines)));
        cli.addSubcommand(new CommandLine(new DemoCommand(io.out(), io.err())));
        cli.addSubcommand(new CommandLine.HelpCommand());
        cli.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
        cli.setParameterExceptionHandler((ex, ignored) -> {
            String name = ex.getCommandLine().getCommandSpec().qualifiedName();
            io.err().println(name + ": " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String name = commandLine.getCommandSpec().qualifiedName();
            if (ex instanceof UsageException) {
                io.err().println(name + ": " + oneLine(ex.getMessage()));
                return EXIT_USAGE;
            }
            io.err().println(name + ": failed: " + oneLine(String.valueOf(ex)));
            return 1;
        });
        return cli.execute(args);
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(spec.name() + ": a command is required (see '" + spec.name() + " --help')");
        return EXIT_USAGE;
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ReactorPatternsCli.class.getPackage().getImplementationVersion();
            return new String[] {"reactor-patterns " + (v == null ? "(development build)" : v)};
        }
    }
}
