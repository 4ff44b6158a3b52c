/**
 * The cryptography of the secure session protocol (docs/protocol.md, sections 3 to 6): Ed25519 signing
 * keys and gateway certificates, X25519 ephemeral keys, HKDF, the key schedule, the AES-256-GCM traffic
 * ciphers of the record layer, and client app attestation. X25519 and Ed25519 come from BouncyCastle's
 * low-level API; HMAC, SHA-256 and the AES block cipher from the JDK. Records of up to 80 plaintext
 * bytes (most game packets) are sealed and opened by
 * {@link io.janus.core.crypto.AesGcm} (GCM after NIST SP 800-38D over the JDK's AES, keyed once per key,
 * nothing allocated per record), larger ones by the JDK's AES-GCM, whose intrinsics win there.
 */
package io.janus.core.crypto;
