package io.github.reactorpatterns.test;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A JUnit 5 extension that resolves {@link MockHttpServer} parameters: one server per extension context (per test
 * method for test, {@code @BeforeEach} and {@code @AfterEach} parameters; per class for constructor and
 * {@code @BeforeAll} parameters), started on first use and closed when that context ends. Usually registered
 * through {@link MockHttpServerTest}; with {@code @ExtendWith(MockHttpServerExtension.class)} alone the server is
 * plain text.
 *
 * <p>Stateless and thread-safe; servers live in JUnit's extension store, so parallel test execution gives each
 * test its own.
 */
public final class MockHttpServerExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(MockHttpServerExtension.class);

    /** Creates the extension; JUnit does this for you when the extension is registered. */
    public MockHttpServerExtension() {}

    /**
     * Supports parameters of type {@link MockHttpServer}.
     *
     * @param parameterContext the parameter
     * @param extensionContext the current context, unused
     * @return true for a {@code MockHttpServer} parameter
     */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == MockHttpServer.class;
    }

    /**
     * Returns the context's server, starting it first if needed; it is closed when the context ends.
     *
     * @param parameterContext the parameter
     * @param extensionContext the current context, which owns the server
     * @return the running server
     */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        boolean tls = tls(extensionContext);
        return extensionContext
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        MockHttpServer.class,
                        key -> tls ? MockHttpServer.startTls() : MockHttpServer.start(),
                        MockHttpServer.class);
    }

    private static boolean tls(ExtensionContext context) {
        Optional<MockHttpServerTest> onMethod = context.getTestMethod().flatMap(m -> annotation(m));
        if (onMethod.isPresent()) {
            return onMethod.get().tls();
        }
        return context.getTestClass()
                .flatMap(c -> annotation(c))
                .map(MockHttpServerTest::tls)
                .orElse(false);
    }

    private static Optional<MockHttpServerTest> annotation(AnnotatedElement element) {
        return AnnotationSupport.findAnnotation(element, MockHttpServerTest.class);
    }
}
