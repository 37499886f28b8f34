package io.github.reactorpatterns.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisScriptingReactiveCommands;
import reactor.core.publisher.Flux;

/**
 * One Lua script run by {@code EVALSHA}; loaded ({@code SCRIPT LOAD}) the first time the server answers
 * {@code NOSCRIPT} (a new or restarted server), then run again.
 */
final class RedisScript {

    private final String source;
    private final String sha;

    RedisScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    String sha() {
        return sha;
    }

    <T> Flux<T> run(
            RedisScriptingReactiveCommands<String, String> commands,
            ScriptOutputType type,
            String[] keys,
            String... args) {
        return commands.<T>evalsha(sha, type, keys, args)
                .onErrorResume(
                        RedisScript::isNoScript,
                        e -> commands.scriptLoad(source).thenMany(commands.<T>evalsha(sha, type, keys, args)));
    }

    private static boolean isNoScript(Throwable e) {
        return e instanceof RedisNoScriptException
                || (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(40);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
