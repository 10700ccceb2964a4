package wxlogin.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.impl.CriticalHeaderParamsDeferral;
import com.nimbusds.jose.crypto.impl.HMAC;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.MessageDigest;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/**
 * Nimbus's {@link MACVerifier}, HS256 only, for one key that stays the same for the life of its
 * {@link SigningKeys}: the key is checked (Nimbus's rules) and the {@link Mac} looked up and keyed
 * once, instead of a new {@code MACVerifier} and {@code Mac.getInstance} per token.
 *
 * <p>Thread-safe: a {@code Mac} is not, so each call works on its own clone of a keyed prototype
 * that nobody else uses. The prototype has been given an empty update, which makes the JDK's
 * HMAC hash its inner key block; every clone starts from there, one SHA-256 block (of about nine
 * per token) less per call than a fresh {@code Mac}. Clone or fresh, the result is HMAC-SHA256
 * of the key and the signing input. The comparison is constant-time ({@link MessageDigest#isEqual}).
 * {@link #toString()} names the kid, never the key.
 */
final class Hs256Verifier implements JWSVerifier {

    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.HS256);
    private static final String JCA_NAME = "HmacSHA256";

    private final String kid;
    private final SecretKey key;
    /** Keyed and primed (see above), never used itself after construction: only cloned. Null when Nimbus refuses the key. */
    private final Mac prototype;
    /** Why Nimbus refused the key (too short, empty); thrown by every {@link #verify} call. */
    private final String refusal;
    private final CriticalHeaderParamsDeferral critPolicy = new CriticalHeaderParamsDeferral();
    private final JCAContext jcaContext = new JCAContext();

    private Hs256Verifier(String kid, SecretKey key, Mac prototype, String refusal) {
        this.kid = kid;
        this.key = key;
        this.prototype = prototype;
        this.refusal = refusal;
    }

    /**
     * The verifier of this key. Never throws: a key Nimbus's {@code MACVerifier} refuses (shorter
     * than 256 bits, empty, absent) gives a verifier whose every call throws, so the token is
     * refused as it was with a {@code MACVerifier} built per call.
     */
    static Hs256Verifier of(SigningKey key) {
        try {
            // Nimbus's own key checks and key object; then the JCA Mac, looked up and keyed once.
            SecretKey secretKey = new MACVerifier(key.secret()).getSecretKey();
            Mac prototype = HMAC.getInitMac(JCA_NAME, secretKey, null);
            prototype.update(new byte[0]);
            return new Hs256Verifier(key.kid(), secretKey, prototype, null);
        } catch (JOSEException | RuntimeException e) {
            return new Hs256Verifier(key.kid(), null, null, e.getClass().getSimpleName());
        }
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (prototype == null) {
            throw new JOSEException("HS256 key " + kid + " is unusable: " + refusal);
        }
        if (!JWSAlgorithm.HS256.equals(header.getAlgorithm())) {
            throw new JOSEException("Unsupported JWS algorithm " + header.getAlgorithm() + ", must be HS256");
        }
        if (!critPolicy.headerPasses(header)) {
            return false;
        }
        return verifySignature(signingInput, Base64UrlSegments.decode(signature.toString()));
    }

    /**
     * The MAC check of {@link #verify} alone, the signature decoded: for a caller that has held the
     * header to HS256 without critical parameters itself ({@link TokenVerifier} refuses any header
     * parameter but alg, kid and typ).
     */
    boolean verifySignature(byte[] signingInput, byte[] signature) throws JOSEException {
        if (prototype == null) {
            throw new JOSEException("HS256 key " + kid + " is unusable: " + refusal);
        }
        return MessageDigest.isEqual(newMac().doFinal(signingInput), signature);
    }

    private Mac newMac() throws JOSEException {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            // Never with the JDK's provider; another one gets the lookup MACVerifier makes per call.
            return HMAC.getInitMac(JCA_NAME, key, null);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return ALGORITHMS;
    }

    /** Provider and random source of this context are not used: the Mac comes from the default JCA providers. */
    @Override
    public JCAContext getJCAContext() {
        return jcaContext;
    }

    @Override
    public String toString() {
        return "Hs256Verifier[kid=" + kid + "]";
    }
}
