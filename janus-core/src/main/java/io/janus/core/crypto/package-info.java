/**
 * The cryptography of the secure session protocol (docs/protocol.md, sections 3 to 6): Ed25519 signing
 * keys and gateway certificates, X25519 ephemeral keys, HKDF, the key schedule, the AES-256-GCM traffic
 * ciphers of the record layer, and client app attestation. X25519 and Ed25519 come from BouncyCastle's
 * low-level API; HMAC, SHA-256 and AES-GCM from the JDK.
 */
package io.janus.core.crypto;
