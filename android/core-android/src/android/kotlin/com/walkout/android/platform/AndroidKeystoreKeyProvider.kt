// The KeyProvider over the Android Keystore: AES-256-GCM keys that never leave secure hardware
// where the device has it. This file needs the Android SDK, so the JVM tests replace it with a
// fake keystore. Its only logic is mapping Keystore outcomes onto KeyProvider's exceptions.

package com.walkout.android.platform

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.security.keystore.UserNotAuthenticatedException
import com.walkout.android.secrets.KeyInvalidatedException
import com.walkout.android.secrets.KeyProvider
import com.walkout.android.secrets.KeyUnavailableException
import java.security.KeyStore
import java.security.UnrecoverableKeyException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Keys in the `AndroidKeyStore` provider. With [requireUnlockedDevice] (API 28 and later) a
 * key can be used only while the device is unlocked, so a locked device reports
 * [KeyUnavailableException] and the core waits instead of signing the shopper out.
 */
class AndroidKeystoreKeyProvider(private val requireUnlockedDevice: Boolean = true) : KeyProvider {
    private val keyStore: KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

    override fun encryptingCipher(alias: String): Cipher {
        val key = existingKey(alias) ?: createKey(alias)
        return initCipher(alias) { it.init(Cipher.ENCRYPT_MODE, key) }
    }

    override fun decryptingCipher(alias: String, iv: ByteArray): Cipher {
        val key = existingKey(alias) ?: throw KeyInvalidatedException("the keystore key $alias does not exist")
        return initCipher(alias) { it.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BITS, iv)) }
    }

    override fun deleteKey(alias: String) {
        if (keyStore.containsAlias(alias)) keyStore.deleteEntry(alias)
    }

    private fun initCipher(alias: String, init: (Cipher) -> Unit): Cipher {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        try {
            init(cipher)
        } catch (locked: UserNotAuthenticatedException) {
            throw KeyUnavailableException("the keystore key $alias needs the user to authenticate", locked)
        } catch (invalidated: KeyPermanentlyInvalidatedException) {
            throw KeyInvalidatedException("the keystore key $alias was permanently invalidated", invalidated)
        }
        return cipher
    }

    private fun existingKey(alias: String): SecretKey? =
        try {
            keyStore.getKey(alias, null) as? SecretKey
        } catch (locked: UnrecoverableKeyException) {
            throw KeyUnavailableException("the keystore key $alias cannot be loaded now", locked)
        }

    private fun createKey(alias: String): SecretKey {
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(KEY_BITS)
            .setRandomizedEncryptionRequired(true)
        if (requireUnlockedDevice && android.os.Build.VERSION.SDK_INT >= 28) {
            spec.setUnlockedDeviceRequired(true)
        }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        generator.init(spec.build())
        return generator.generateKey()
    }

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val KEY_BITS = 256
        const val TAG_BITS = 128
    }
}
