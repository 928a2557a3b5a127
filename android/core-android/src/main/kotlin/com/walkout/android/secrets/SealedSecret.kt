// The on-disk format of one encrypted secret. It holds only the IV and the AES-GCM output, so
// a copied file is useless without the device's key, and the associated data binds each file
// to its brand and secret name, so a file renamed or moved to another key fails to decrypt.

package com.walkout.android.secrets

import java.nio.ByteBuffer

/**
 * One sealed secret: `"WKS1"`, a format version byte (1), the IV length byte, the IV, then
 * the GCM ciphertext with its 16-byte tag appended.
 */
class SealedSecret(val iv: ByteArray, val ciphertext: ByteArray) {
    /** Encodes the secret in the file format. */
    fun encode(): ByteArray {
        val buffer = ByteBuffer.allocate(HEADER_SIZE + iv.size + ciphertext.size)
        buffer.put(MAGIC)
        buffer.put(VERSION)
        buffer.put(iv.size.toByte())
        buffer.put(iv)
        buffer.put(ciphertext)
        return buffer.array()
    }

    companion object {
        private val MAGIC = byteArrayOf('W'.code.toByte(), 'K'.code.toByte(), 'S'.code.toByte(), '1'.code.toByte())
        private const val VERSION: Byte = 1
        private const val HEADER_SIZE = 6
        private const val MIN_IV_SIZE = 12
        private const val MAX_IV_SIZE = 16
        private const val TAG_SIZE = 16

        /**
         * Decodes [bytes], or returns `null` when they are not a complete file of this format
         * (wrong magic or version, an IV of an unexpected length, or no room for the tag).
         */
        fun decode(bytes: ByteArray): SealedSecret? {
            if (bytes.size < HEADER_SIZE) return null
            if (!bytes.copyOfRange(0, MAGIC.size).contentEquals(MAGIC)) return null
            if (bytes[4] != VERSION) return null
            val ivSize = bytes[5].toInt() and 0xFF
            if (ivSize !in MIN_IV_SIZE..MAX_IV_SIZE) return null
            val ciphertextStart = HEADER_SIZE + ivSize
            if (bytes.size < ciphertextStart + TAG_SIZE) return null
            return SealedSecret(
                iv = bytes.copyOfRange(HEADER_SIZE, ciphertextStart),
                ciphertext = bytes.copyOfRange(ciphertextStart, bytes.size),
            )
        }

        /** Returns the GCM associated data for secret [key] of brand [brandId]. */
        fun associatedData(brandId: String, key: String): ByteArray =
            "walkout-secret-v1\u0000$brandId\u0000$key".toByteArray(Charsets.UTF_8)
    }
}
