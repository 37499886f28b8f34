package io.github.reactorpatterns.http;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly the pinned certificates, as the JDK's PKIX trust manager over a key store holding them, and also
 * rejects a pinned certificate that is expired or not yet valid when it appears in the server's chain: PKIX checks
 * the dates of every certificate of a path except its trust anchor, and a pinned self-signed certificate is its own
 * anchor. Host names are still verified (the wrapped manager is an {@link X509ExtendedTrustManager}).
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager delegate;
    private final X509Certificate[] pinned;

    private PinnedTrustManager(X509ExtendedTrustManager delegate, X509Certificate[] pinned) {
        this.delegate = delegate;
        this.pinned = pinned.clone();
    }

    static TrustManager of(X509Certificate[] certificates) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.length; i++) {
                store.setCertificateEntry("pinned-" + i, certificates[i]);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager) {
                    return new PinnedTrustManager((X509ExtendedTrustManager) tm, certificates);
                }
            }
            throw new IllegalStateException("the JDK's default TrustManagerFactory has no X509ExtendedTrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust manager for the trusted certificates", e);
        }
    }

    private void checkPinnedDates(X509Certificate[] chain) throws CertificateException {
        if (chain == null) {
            return;
        }
        for (X509Certificate c : chain) {
            for (X509Certificate p : pinned) {
                if (p.equals(c)) {
                    c.checkValidity(); // CertificateExpiredException / CertificateNotYetValidException
                }
            }
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkPinnedDates(chain);
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkPinnedDates(chain);
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkPinnedDates(chain);
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    @Override
    public String toString() {
        return "PinnedTrustManager" + Arrays.toString(pinned);
    }
}
