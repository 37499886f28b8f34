package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.net.SocketTimeoutException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.RawSocketServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Regressions found by hostile servers written with plain sockets: each test names what broke, and each server is a
 * {@link RawSocketServer} that writes exactly the bytes that broke it.
 */
class PooledHttpClientHostileServerTest {

    @AutoClose
    private final Clients clients = new Clients();

    /** Generous: the first request of a cold JVM on a loaded machine takes seconds to start. */
    private static final Duration VERIFY = Duration.ofSeconds(30);

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static PooledHttpClient.Builder builder() {
        // No retries: each test watches single attempts.
        return PooledHttpClient.builder().retry(RetryPolicy.none());
    }

    /**
     * The pool gets a connection back on the event loop just after the subscriber has seen the response: wait until
     * every connection it holds is idle, so that the next request reuses one. Not only {@code acquired() == 0}:
     * reactor-pool counts a released connection out of "acquired" a moment before it is idle, and a request sent in
     * between opens a new connection.
     */
    private static void awaitConnectionBack(PooledHttpClient client) {
        await().atMost(VERIFY).untilAsserted(() -> {
            PoolMetrics m = client.poolMetrics();
            assertThat(m.acquired()).as("%s", m).isZero();
            assertThat(m.idle()).as("%s", m).isEqualTo(m.allocated());
        });
    }

    /** Answers every request on the connection with {@code response}, until the client closes it. */
    private static void answerAll(RawSocketServer.Connection conn, String response) throws IOException {
        while (true) {
            conn.readRequest();
            conn.send(response);
        }
    }

    // ---- responseTimeout: one fixed timer up to the final headers --------------------------------------------------

    /**
     * Regression: reactor-netty's responseTimeout is an idle timer that restarts on every byte, so a server dripping
     * its status line and headers one byte per 200 ms held a request far beyond responseTimeout (still pending at
     * 12 s with 1 s configured).
     */
    @Test
    void drippedStatusLineAndHeadersAreCutAtTheResponseTimeout() {
        AtomicLong requestRead = new AtomicLong();
        try (RawSocketServer server = RawSocketServer.start(conn -> {
            conn.readRequestHead();
            requestRead.set(System.nanoTime());
            conn.drip("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Slow: 1\r\n\r\nok", Duration.ofMillis(200));
            conn.hold();
        })) {
            PooledHttpClient client =
                    clients.add(builder().responseTimeout(Duration.ofSeconds(1)).build());
            AtomicLong subscribed = new AtomicLong();
            StepVerifier.create(client.get(server.url("/drip").toString())
                            .text()
                            .doOnSubscribe(x -> subscribed.set(System.nanoTime())))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(HttpTimeoutException.class, t -> {
                        assertThat(t.phase()).isEqualTo(HttpTimeoutException.Phase.RESPONSE);
                        assertThat(t.timeout()).isEqualTo(Duration.ofSeconds(1));
                    }))
                    .verify(VERIFY);
            assertCutAfter(Duration.ofSeconds(1), subscribed.get(), requestRead.get());
        }
    }

    /** Regression: a stream of 1xx interim responses never ended (each one restarted the idle timer). */
    @Test
    void endlessInterimResponsesAreCutAtTheResponseTimeout() {
        AtomicLong requestRead = new AtomicLong();
        try (RawSocketServer server = RawSocketServer.start(conn -> {
            conn.readRequestHead();
            requestRead.set(System.nanoTime());
            for (int i = 0; i < 200; i++) {
                conn.send("HTTP/1.1 102 Processing\r\n\r\n");
                Thread.sleep(100); // the hostile server's own pace, on its own thread
            }
            conn.hold();
        })) {
            PooledHttpClient client =
                    clients.add(builder().responseTimeout(Duration.ofSeconds(1)).build());
            AtomicLong subscribed = new AtomicLong();
            StepVerifier.create(client.get(server.url("/processing").toString())
                            .result()
                            .doOnSubscribe(x -> subscribed.set(System.nanoTime())))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(HttpTimeoutException.class)
                            .extracting(t -> ((HttpTimeoutException) t).phase())
                            .isEqualTo(HttpTimeoutException.Phase.RESPONSE))
                    .verify(VERIFY);
            assertCutAfter(Duration.ofSeconds(1), subscribed.get(), requestRead.get());
        }
    }

    @Test
    void aSlowBodyAfterPromptHeadersIsTimedByTheReadTimeoutNotTheResponseTimeout() {
        try (RawSocketServer server = RawSocketServer.start(conn -> {
            conn.readRequestHead();
            conn.send("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n");
            conn.drip("abcdefgh", Duration.ofMillis(200)); // 1.6 s in all, 200 ms between reads
            conn.hold();
        })) {
            PooledHttpClient client = clients.add(builder()
                    .responseTimeout(Duration.ofMillis(500))
                    .readTimeout(Duration.ofSeconds(2))
                    .build());
            StepVerifier.create(client.get(server.url("/body").toString()).text())
                    .expectNext("abcdefgh")
                    .expectComplete()
                    .verify(VERIFY);
        }
    }

    // ---- interim responses --------------------------------------------------------------------------------------

    /** Regression: result() returned the 102/103 with an empty body and the real response was lost. */
    @Test
    void interimResponsesAreSkippedAndTheFinalResponseIsReturned() {
        try (RawSocketServer server = RawSocketServer.start(conn -> {
            while (true) {
                conn.readRequest();
                conn.send("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
                Thread.sleep(50); // a separate read on the client side
                conn.send("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            }
        })) {
            PooledHttpClient client = clients.add(builder().build());
            for (int i = 0; i < 3; i++) {
                StepVerifier.create(client.get(server.url("/hints").toString()).result())
                        .assertNext(r -> {
                            assertThat(r.status()).isEqualTo(200);
                            assertThat(r.bodyAsString()).isEqualTo("hello");
                        })
                        .expectComplete()
                        .verify(VERIFY);
                awaitConnectionBack(client);
            }
            // The interim responses left the connection clean: it was reused.
            assertThat(server.connectionsAccepted()).isEqualTo(1);
        }
    }

    // ---- poisoned connections -----------------------------------------------------------------------------------

    /** The first connection answers with a short Content-Length followed by part of a second response. */
    private static RawSocketServer poisoningServer(
            ConcurrentLinkedQueue<String> onPoisoned, ConcurrentLinkedQueue<String> onFresh) {
        return RawSocketServer.start(conn -> {
            if (conn.index() == 0) {
                conn.readRequestHead();
                conn.send(OK + "HTTP/1.1 200 OK\r\nContent-Le");
                conn.socket().setSoTimeout(10_000);
                try {
                    String next = conn.readRequest();
                    onPoisoned.add(next.substring(0, next.indexOf("\r\n")));
                    conn.send("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\npoisoned");
                } catch (SocketTimeoutException | java.io.EOFException e) {
                    // The client closed the connection (or never used it again): what must happen.
                }
                return;
            }
            while (true) {
                String request = conn.readRequest();
                onFresh.add(request.substring(0, request.indexOf("\r\n")));
                conn.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
            }
        });
    }

    /**
     * Regression: a connection with bytes left after a response went back to the pool; the next GET stalled until its
     * timeout (and was silently retried).
     */
    @Test
    void leftoverBytesAfterAResponseCloseTheConnectionInsteadOfPoolingIt() {
        ConcurrentLinkedQueue<String> onPoisoned = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> onFresh = new ConcurrentLinkedQueue<>();
        try (RawSocketServer server = poisoningServer(onPoisoned, onFresh)) {
            PooledHttpClient client =
                    clients.add(builder().responseTimeout(Duration.ofSeconds(3)).build());
            StepVerifier.create(client.get(server.url("/first").toString()).text())
                    .expectNext("ok")
                    .expectComplete()
                    .verify(VERIFY);
            StepVerifier.create(client.get(server.url("/second").toString()).result())
                    .assertNext(r -> {
                        assertThat(r.bodyAsString()).isEqualTo("fresh");
                        assertThat(r.attempts()).isEqualTo(1);
                    })
                    .expectComplete()
                    .verify(VERIFY);
            assertThat(onPoisoned).isEmpty();
            assertThat(onFresh).containsExactly("GET /second HTTP/1.1");
            assertThat(server.connectionsAccepted()).isEqualTo(2);
        }
    }

    /** Regression: an unrelated POST was sent on the poisoned connection and failed after the server processed it. */
    @Test
    void aPostIsNeverSentOnAConnectionWithLeftoverBytes() {
        ConcurrentLinkedQueue<String> onPoisoned = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> onFresh = new ConcurrentLinkedQueue<>();
        try (RawSocketServer server = poisoningServer(onPoisoned, onFresh)) {
            PooledHttpClient client = clients.add(builder().build());
            StepVerifier.create(client.get(server.url("/first").toString()).text())
                    .expectNext("ok")
                    .expectComplete()
                    .verify(VERIFY);
            StepVerifier.create(client.post(server.url("/orders").toString())
                            .body("{}")
                            .text())
                    .expectNext("fresh")
                    .expectComplete()
                    .verify(VERIFY);
            assertThat(onPoisoned).isEmpty();
            assertThat(onFresh).containsExactly("POST /orders HTTP/1.1");
        }
    }

    /** Bytes the server sends while the connection sits idle in the pool close it before anyone reuses it. */
    @Test
    void unsolicitedBytesOnAnIdleConnectionCloseIt() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> onFresh = new ConcurrentLinkedQueue<>();
        try (RawSocketServer server = RawSocketServer.start(conn -> {
            if (conn.index() == 0) {
                conn.readRequestHead();
                conn.send(OK);
                Thread.sleep(200); // the response is read and the connection pooled first
                conn.send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbad");
                if (conn.awaitClose(Duration.ofSeconds(10))) {
                    firstClosed.countDown();
                }
                return;
            }
            while (true) {
                String request = conn.readRequest();
                onFresh.add(request.substring(0, request.indexOf("\r\n")));
                conn.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
            }
        })) {
            PooledHttpClient client = clients.add(builder().build());
            StepVerifier.create(client.get(server.url("/first").toString()).text())
                    .expectNext("ok")
                    .expectComplete()
                    .verify(VERIFY);
            assertThat(firstClosed.await(10, TimeUnit.SECONDS)).isTrue();
            StepVerifier.create(client.get(server.url("/second").toString()).text())
                    .expectNext("fresh")
                    .expectComplete()
                    .verify(VERIFY);
            assertThat(onFresh).containsExactly("GET /second HTTP/1.1");
        }
    }

    @Test
    void cleanKeepAliveResponsesStillReuseTheConnection() {
        try (RawSocketServer server = RawSocketServer.start(
                conn -> answerAll(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"))) {
            PooledHttpClient client = clients.add(builder().build());
            for (int i = 0; i < 20; i++) {
                StepVerifier.create(client.get(server.url("/" + i).toString()).text())
                        .expectNext("ok")
                        .expectComplete()
                        .verify(VERIFY);
                awaitConnectionBack(client);
            }
            assertThat(server.connectionsAccepted()).isEqualTo(1);
        }
    }

    // ---- bodyless responses -------------------------------------------------------------------------------------

    /** Regression: HEAD and 304 (and 204) carrying Content-Length: 20 MiB failed with ResponseTooLargeException. */
    @Test
    void bodylessResponsesWithAHugeContentLengthAreNotCapped() {
        String huge = "Content-Length: " + (20 * 1024 * 1024) + "\r\n";
        try (RawSocketServer server = RawSocketServer.start(conn -> {
            while (true) {
                String request = conn.readRequest();
                if (request.startsWith("HEAD ")) {
                    conn.send("HTTP/1.1 200 OK\r\n" + huge + "\r\n");
                } else if (request.startsWith("GET /not-modified ")) {
                    conn.send("HTTP/1.1 304 Not Modified\r\n" + huge + "\r\n");
                } else {
                    conn.send("HTTP/1.1 204 No Content\r\n" + huge + "\r\n");
                }
            }
        })) {
            PooledHttpClient client =
                    clients.add(builder().maxResponseBytes(1024).build());
            StepVerifier.create(client.request("HEAD", server.url("/file").toString())
                            .result())
                    .assertNext(r -> {
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.bodyLength()).isZero();
                    })
                    .expectComplete()
                    .verify(VERIFY);
            awaitConnectionBack(client);
            StepVerifier.create(
                            client.get(server.url("/not-modified").toString()).result())
                    .assertNext(r -> {
                        assertThat(r.status()).isEqualTo(304);
                        assertThat(r.bodyLength()).isZero();
                    })
                    .expectComplete()
                    .verify(VERIFY);
            awaitConnectionBack(client);
            StepVerifier.create(client.get(server.url("/no-content").toString()).text())
                    .expectNext("")
                    .expectComplete()
                    .verify(VERIFY);
            awaitConnectionBack(client);
            StepVerifier.create(client.get(server.url("/no-content").toString()).lines())
                    .expectComplete()
                    .verify(VERIFY);
            assertThat(server.connectionsAccepted()).isEqualTo(1);
        }
    }

    @Test
    void aHugeContentLengthWhereABodyFollowsIsStillCapped() {
        try (RawSocketServer server = RawSocketServer.start(
                conn -> answerAll(conn, "HTTP/1.1 200 OK\r\nContent-Length: " + (20 * 1024 * 1024) + "\r\n\r\nxx"))) {
            PooledHttpClient client =
                    clients.add(builder().maxResponseBytes(1024).build());
            StepVerifier.create(client.get(server.url("/big").toString()).result())
                    .expectError(ResponseTooLargeException.class)
                    .verify(VERIFY);
        }
    }

    // ---- TLS ----------------------------------------------------------------------------------------------------

    /**
     * Regression: a server that never answered the ClientHello was cut after reactor-netty's own 10 s with
     * SslHandshakeTimeoutException, not by connectTimeout as an HttpTimeoutException of phase CONNECT.
     */
    @Test
    void aTlsServerThatNeverAnswersTheClientHelloIsCutByTheConnectTimeout() {
        AtomicLong accepted = new AtomicLong();
        try (RawSocketServer server = RawSocketServer.start(conn -> {
            accepted.set(System.nanoTime());
            conn.hold(); // reads the ClientHello and never answers
        })) {
            PooledHttpClient client =
                    clients.add(builder().connectTimeout(Duration.ofMillis(800)).build());
            String url = "https://127.0.0.1:" + server.port() + "/";
            AtomicLong subscribed = new AtomicLong();
            StepVerifier.create(client.get(url).text().doOnSubscribe(x -> subscribed.set(System.nanoTime())))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(HttpTimeoutException.class, t -> {
                        assertThat(t.phase()).isEqualTo(HttpTimeoutException.Phase.CONNECT);
                        assertThat(t.timeout()).isEqualTo(Duration.ofMillis(800));
                    }))
                    .verify(VERIFY);
            // Well before reactor-netty's own 10 s handshake timeout.
            assertCutAfter(Duration.ofMillis(800), subscribed.get(), accepted.get());
            assertThat(server.connectionsAccepted()).isEqualTo(1);
        }
    }

    /** Regression: a pinned (trustedCertificates) certificate that had expired was accepted. */
    @Test
    void anExpiredPinnedCertificateIsRejected() throws Exception {
        Instant now = Instant.now();
        SelfSigned expired = SelfSigned.create(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        try (RawSocketServer server = RawSocketServer.startTls(expired.serverContext(), conn -> answerAll(conn, OK))) {
            PooledHttpClient client = clients.add(
                    builder().trustedCertificates(expired.certificate).build());
            StepVerifier.create(client.get(server.url("/").toString()).text())
                    .expectErrorSatisfies(e -> {
                        assertThat(e)
                                .isInstanceOf(HttpTransportException.class)
                                .cause()
                                .isInstanceOf(SSLException.class);
                        assertThat(e).rootCause().isInstanceOf(CertificateExpiredException.class);
                    })
                    .verify(VERIFY);
        }
    }

    @Test
    void aValidPinnedCertificateIsAccepted() throws Exception {
        Instant now = Instant.now();
        SelfSigned valid = SelfSigned.create(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        try (RawSocketServer server = RawSocketServer.startTls(valid.serverContext(), conn -> answerAll(conn, OK))) {
            PooledHttpClient client =
                    clients.add(builder().trustedCertificates(valid.certificate).build());
            StepVerifier.create(client.get(server.url("/").toString()).text())
                    .expectNext("ok")
                    .expectComplete()
                    .verify(VERIFY);
        }
    }

    // ---- pool edge ----------------------------------------------------------------------------------------------

    /** A server that answers every request only once {@code release} is counted down. */
    private static RawSocketServer heldServer(CountDownLatch release, CountDownLatch requests) {
        return RawSocketServer.start(conn -> {
            while (true) {
                conn.readRequest();
                requests.countDown();
                release.await(30, TimeUnit.SECONDS);
                conn.send(OK);
            }
        });
    }

    /**
     * Regression: overflowing pendingAcquireMaxCount surfaced as reactor-netty's shaded
     * reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException.
     */
    @Test
    void overflowingPendingAcquireMaxCountIsAPoolFullException() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch requests = new CountDownLatch(1);
        try (RawSocketServer server = heldServer(release, requests)) {
            PooledHttpClient client = clients.add(
                    builder().maxConnections(1).pendingAcquireMaxCount(1).build());
            String url = server.url("/").toString();
            Mono<String> first = client.get(url).text().cache();
            Mono<String> second = client.get(url).text().cache();
            Disposable a = first.subscribe();
            assertThat(requests.await(10, TimeUnit.SECONDS)).isTrue();
            Disposable b = second.subscribe();
            await().atMost(VERIFY).until(() -> client.poolMetrics().pending() == 1);

            StepVerifier.create(client.get(url).text())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(PoolFullException.class, f -> {
                        assertThat(f.pendingAcquireMaxCount()).isEqualTo(1);
                        assertThat(f.method()).isEqualTo("GET");
                        assertThat(f.uri()).isEqualTo(url);
                    }))
                    .verify(VERIFY);

            release.countDown();
            StepVerifier.create(first).expectNext("ok").expectComplete().verify(VERIFY);
            StepVerifier.create(second).expectNext("ok").expectComplete().verify(VERIFY);
            a.dispose();
            b.dispose();
        }
    }

    /**
     * Regression: cancelled pool waiters stayed in reactor-netty's queue and each later got a fresh connection that was
     * closed at once (98 cancelled waiters: about 100 new TCP connections for 2 to 3 requests).
     */
    @Test
    void cancelledPoolWaitersOpenNoConnections() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch requests = new CountDownLatch(2);
        try (RawSocketServer server = heldServer(release, requests)) {
            PooledHttpClient client = clients.add(builder().maxConnections(2).build());
            String url = server.url("/").toString();
            Mono<String> first = client.get(url).text().cache();
            Mono<String> second = client.get(url).text().cache();
            first.subscribe();
            second.subscribe();
            assertThat(requests.await(10, TimeUnit.SECONDS)).isTrue();

            List<Disposable> waiters = new ArrayList<>();
            for (int i = 0; i < 98; i++) {
                waiters.add(client.get(url).text().subscribe());
            }
            await().atMost(VERIFY).until(() -> client.poolMetrics().pending() == 98);
            waiters.forEach(Disposable::dispose);
            assertThat(client.poolMetrics().pending()).isZero();

            release.countDown();
            StepVerifier.create(first).expectNext("ok").expectComplete().verify(VERIFY);
            StepVerifier.create(second).expectNext("ok").expectComplete().verify(VERIFY);
            StepVerifier.create(Flux.range(0, 3)
                            .flatMap(i -> client.get(url).text())
                            .count())
                    .expectNext(3L)
                    .expectComplete()
                    .verify(VERIFY);

            assertThat(server.connectionsAccepted()).isLessThanOrEqualTo(2);
            await().atMost(VERIFY)
                    .untilAsserted(
                            () -> assertThat(client.poolMetrics().acquired()).isZero());
        }
    }

    /** A self-signed EC certificate for 127.0.0.1 with the given validity, and a server TLS context using it. */
    private static final class SelfSigned {
        final KeyPair keys;
        final X509Certificate certificate;

        private SelfSigned(KeyPair keys, X509Certificate certificate) {
            this.keys = keys;
            this.certificate = certificate;
        }

        static SelfSigned create(Instant notBefore, Instant notAfter) throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256, new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=localhost");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.valueOf(System.nanoTime()),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    name,
                    pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new SelfSigned(pair, cert);
        }

        SSLContext serverContext() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "test".toCharArray();
            store.setKeyEntry("server", keys.getPrivate(), password, new X509Certificate[] {certificate});
            // SunX509 serves the certificate whatever its dates (the newer PKIX key manager would shun it).
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, new SecureRandom());
            return context;
        }
    }

    /**
     * A timeout of {@code timeout} cut the request: not sooner than {@code timeout} after subscription (its timer
     * starts later, when the connection or the request is under way), and well within 4 s of the moment the server
     * saw it (measured from there, so that a loaded machine's slow start of the request is not counted).
     */
    private static void assertCutAfter(Duration timeout, long subscribedNanos, long serverSawNanos) {
        long now = System.nanoTime();
        assertThat(Duration.ofNanos(now - subscribedNanos)).isGreaterThanOrEqualTo(timeout);
        assertThat(Duration.ofNanos(now - serverSawNanos)).isLessThan(Duration.ofSeconds(4));
    }
}
