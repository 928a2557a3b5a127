// The core's secret store on Android: each secret is one file, encrypted with an AES-GCM key
// kept in the Keystore (see KeyProvider), in a folder that backup rules exclude. It is plain
// Kotlin over KeyProvider, so the JVM tests run it unchanged with a fake keystore.
//
// It must keep "unavailable now" apart from "absent": the core signs the shopper out when a
// session is absent but waits when the store is locked. It never logs or throws secret bytes.

package com.walkout.android.secrets

import java.io.IOException
import java.nio.file.AtomicMoveNotSupportedException
import java.nio.file.Files
import java.nio.file.NoSuchFileException
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import javax.crypto.AEADBadTagException
import uniffi.walkout_ffi.SecretLookup
import uniffi.walkout_ffi.SecretStore
import uniffi.walkout_ffi.WalkoutFfiException

/**
 * A [SecretStore] that keeps each secret of brand [brandId] in `folder/<key>.secret`,
 * encrypted with the key `walkout.<brandId>.secrets` from [keys].
 *
 * On Android, [folder] is under `Context.noBackupFilesDir`, which Auto Backup and device
 * transfer skip. A file restored on another device could never be decrypted there, and
 * [get] would then report it as absent.
 */
class KeystoreSecretStore(
    private val brandId: String,
    private val folder: Path,
    private val keys: KeyProvider,
) : SecretStore {
    private val alias = "walkout.$brandId.secrets"
    private val lock = Any()

    init {
        require(BRAND_ID.matches(brandId)) { "invalid brand id \"$brandId\": expected 1 to 40 of a-z, 0-9 and '-'" }
    }

    override fun get(key: String): SecretLookup {
        checkKey(key)
        synchronized(lock) {
            val path = fileFor(key)
            val bytes = try {
                Files.readAllBytes(path)
            } catch (missing: NoSuchFileException) {
                return SecretLookup.Absent
            } catch (failure: IOException) {
                throw WalkoutFfiException.Storage()
            }
            val sealed = SealedSecret.decode(bytes) ?: return discard(path)
            return open(path, key, sealed)
        }
    }

    override fun set(key: String, value: ByteArray) {
        checkKey(key)
        synchronized(lock) {
            val cipher = try {
                keys.encryptingCipher(alias)
            } catch (locked: KeyUnavailableException) {
                throw WalkoutFfiException.SecretStoreUnavailable()
            }
            cipher.updateAAD(SealedSecret.associatedData(brandId, key))
            val sealed = SealedSecret(cipher.iv, cipher.doFinal(value))
            writeAtomically(fileFor(key), sealed.encode())
        }
    }

    override fun delete(key: String) {
        checkKey(key)
        synchronized(lock) {
            try {
                Files.deleteIfExists(fileFor(key))
            } catch (failure: IOException) {
                throw WalkoutFfiException.Storage()
            }
        }
    }

    /** Decrypts [sealed]; a file that fails authentication or whose key is gone is lost. */
    private fun open(path: Path, key: String, sealed: SealedSecret): SecretLookup {
        val cipher = try {
            keys.decryptingCipher(alias, sealed.iv)
        } catch (locked: KeyUnavailableException) {
            return SecretLookup.Unavailable(locked.message ?: "the keystore key cannot be used now")
        } catch (gone: KeyInvalidatedException) {
            return discard(path)
        }
        cipher.updateAAD(SealedSecret.associatedData(brandId, key))
        return try {
            SecretLookup.Found(cipher.doFinal(sealed.ciphertext))
        } catch (tampered: AEADBadTagException) {
            discard(path)
        }
    }

    /**
     * Deletes a file that can never be decrypted and reports the secret as absent, so the core
     * sends the shopper to sign in again instead of failing on every start.
     */
    private fun discard(path: Path): SecretLookup {
        try {
            Files.deleteIfExists(path)
        } catch (failure: IOException) {
            throw WalkoutFfiException.Storage()
        }
        return SecretLookup.Absent
    }

    private fun writeAtomically(path: Path, bytes: ByteArray) {
        try {
            Files.createDirectories(folder)
            val temporary = Files.createTempFile(folder, ".pending-", ".tmp")
            Files.write(temporary, bytes)
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING)
            } catch (unsupported: AtomicMoveNotSupportedException) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING)
            }
        } catch (failure: IOException) {
            throw WalkoutFfiException.Storage()
        }
    }

    private fun fileFor(key: String): Path = folder.resolve("$key.secret")

    private fun checkKey(key: String) {
        if (!SECRET_KEY.matches(key)) {
            throw WalkoutFfiException.InvalidInput("key", "expected 1 to 100 of A-Z, a-z, 0-9, '.', '_' and '-'")
        }
    }

    private companion object {
        /** The core's rule for secret keys; checked again here because keys become file names. */
        val SECRET_KEY = Regex("[A-Za-z0-9._-]{1,100}")
        val BRAND_ID = Regex("[a-z0-9-]{1,40}")
    }
}
