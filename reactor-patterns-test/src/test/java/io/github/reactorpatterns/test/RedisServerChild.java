package io.github.reactorpatterns.test;

/** A JVM that starts a Redis server, prints its pid and waits to be killed (for {@link RedisServerTest}). */
final class RedisServerChild {

    private RedisServerChild() {}

    public static void main(String[] args) throws InterruptedException {
        RedisServer redis = RedisServer.start();
        System.out.println("pid " + redis.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
