package io.github.reactorpatterns.lifecycle;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Installs handlers for SIGINT and SIGTERM through {@code sun.misc.Signal} (module {@code jdk.unsupported}), found
 * by reflection so that the library compiles without the "internal proprietary API" warning and still loads on a
 * JVM without it. A JVM hook cannot tell which signal ended it; these handlers can, which gives the exact exit code.
 */
final class Signals {

    private static final Logger LOG = Loggers.getLogger(Signals.class);

    private Signals() {}

    /**
     * Installs one handler for INT and TERM that receives the conventional exit code (128 + the signal number).
     *
     * @param names the signal names, such as {@code "INT"} and {@code "TERM"}
     * @param onSignal receives 128 + the number of the signal that arrived, on a JVM signal thread
     * @return the names handled, and an action that restores the previous handlers; the list is empty (and the
     *     action does nothing) if {@code sun.misc.Signal} is missing or refuses every signal (for example under
     *     {@code -Xrs}, or for a SIGINT that the shell set to be ignored)
     */
    static Installed install(List<String> names, IntConsumer onSignal) {
        List<Runnable> restores = new ArrayList<>();
        List<String> handled = new ArrayList<>();
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> create = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Method number = signalClass.getMethod("getNumber");
            Object handler = Proxy.newProxyInstance(
                    handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "handle":
                                onSignal.accept(128 + (int) number.invoke(args[0]));
                                return null;
                            case "equals":
                                return proxy == args[0];
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            default:
                                return "ReactiveMain signal handler";
                        }
                    });
            for (String name : names) {
                try {
                    Object signal = create.newInstance(name);
                    Object previous = handle.invoke(null, signal, handler);
                    handled.add(name);
                    restores.add(() -> {
                        try {
                            handle.invoke(null, signal, previous);
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            LOG.debug("Could not restore the previous handler of SIG" + name, e);
                        }
                    });
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.debug(
                            "SIG" + name + " not handled through sun.misc.Signal; the JVM shutdown hook covers it", e);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("sun.misc.Signal is not available; signals are covered by the JVM shutdown hook only", e);
        }
        return new Installed(List.copyOf(handled), () -> restores.forEach(Runnable::run));
    }

    /**
     * The outcome of {@link #install(List, IntConsumer)}.
     *
     * @param handled the signals now handled
     * @param restore puts the previous handlers back
     */
    record Installed(List<String> handled, Runnable restore) {}
}
