package io.github.reactorpatterns.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Selects a bean that {@code reactor-patterns.*} properties define, by the name it has there: the semaphore
 * {@code reactor-patterns.semaphores.partner-api} is injected as
 * {@code @ReactorPatterns("partner-api") AsyncSemaphore}.
 *
 * <p>The same name may define one bean of each kind (a semaphore, a token bucket, a retry policy, an HTTP client and
 * a WebClient called {@code partner-api}); the injection point's type picks among them. Spring's own
 * {@code @Qualifier("partner-api")} selects the same beans.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface ReactorPatterns {

    /**
     * The name under which the bean's properties are configured.
     *
     * @return the configured name, such as {@code "partner-api"}
     */
    String value();
}
