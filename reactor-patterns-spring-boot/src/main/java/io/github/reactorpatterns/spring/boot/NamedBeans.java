package io.github.reactorpatterns.spring.boot;

import java.util.function.Supplier;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/** Registers the beans of one kind that the properties name, with both qualifiers. For internal use only. */
final class NamedBeans {

    private NamedBeans() {}

    static ReactorPatternsProperties bind(Environment environment) {
        return Binder.get(environment).bindOrCreate("reactor-patterns", Bindable.of(ReactorPatternsProperties.class));
    }

    /** The bean name of the {@code kind} bean configured under {@code name}: {@code reactorPatterns.kind.name}. */
    static String beanName(String kind, String name) {
        return "reactorPatterns." + kind + "." + name;
    }

    static <T> void register(
            BeanDefinitionRegistry registry,
            String kind,
            String name,
            Class<T> type,
            Supplier<T> supplier,
            String destroyMethod) {
        RootBeanDefinition definition = new RootBeanDefinition(type, supplier);
        definition.addQualifier(new AutowireCandidateQualifier(ReactorPatterns.class, name));
        definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
        // "" never infers close(): a client's close() returns a Mono that nobody would subscribe
        definition.setDestroyMethodName(destroyMethod);
        registry.registerBeanDefinition(beanName(kind, name), definition);
    }

    /**
     * The bean {@code ref} of {@code type}: the one the properties define under that name, else an application
     * bean of that name.
     */
    static <T> T resolve(BeanFactory beans, String kind, String ref, Class<T> type) {
        String configured = beanName(kind, ref);
        return beans.containsBean(configured) ? beans.getBean(configured, type) : beans.getBean(ref, type);
    }
}
