// The boundary between the secret store's file logic and the device's key storage. On a phone
// the Android Keystore implements it; on the JVM a fake keystore does, so the encryption and
// file format are tested without a device. Key material never has to leave the provider.

package com.walkout.android.secrets

import javax.crypto.Cipher

/**
 * AES-GCM keys held by the platform. Keystore keys cannot be exported, so the provider hands
 * out initialized ciphers rather than keys.
 */
interface KeyProvider {
    /**
     * Returns an `AES/GCM/NoPadding` cipher initialized to encrypt with the key [alias],
     * creating the key on first use. The cipher chooses its own IV, because the Android
     * Keystore rejects caller-chosen IVs by default.
     *
     * @throws KeyUnavailableException when the key cannot be used now (device locked, user not
     *   authenticated recently enough).
     */
    fun encryptingCipher(alias: String): Cipher

    /**
     * Returns an `AES/GCM/NoPadding` cipher initialized to decrypt with the key [alias], the
     * [iv] stored with the data and a 128-bit tag.
     *
     * @throws KeyUnavailableException when the key cannot be used now.
     * @throws KeyInvalidatedException when the key is gone or permanently invalidated, so data
     *   encrypted with it can never be read again.
     */
    fun decryptingCipher(alias: String, iv: ByteArray): Cipher

    /** Deletes the key [alias]; deleting a missing key succeeds. */
    fun deleteKey(alias: String)
}

/** The key exists but cannot be used now; the same call may succeed after the user unlocks. */
class KeyUnavailableException(message: String, cause: Throwable? = null) :
    Exception(message, cause)

/** The key is missing or permanently invalidated; data encrypted with it is lost. */
class KeyInvalidatedException(message: String, cause: Throwable? = null) :
    Exception(message, cause)
