// KeystoreSecretStore over the fake keystore: the file format, the three lookup outcomes, and
// the real core keeping a shopper's session through it.

package com.walkout.android.test

import com.walkout.android.secrets.KeystoreSecretStore
import java.nio.file.Files
import java.nio.file.Path
import uniffi.walkout_ffi.SecretLookup
import uniffi.walkout_ffi.WalkoutFfiException

private class StoreFixture(val brand: String = BRAND) {
    val folder: Path = newFolder("walkout-secrets-")
    val keystore = FakeKeystore()
    val store = KeystoreSecretStore(brand, folder, keystore)
}

private fun found(lookup: SecretLookup): ByteArray {
    expect(lookup is SecretLookup.Found) { "expected Found, got $lookup" }
    return (lookup as SecretLookup.Found).value
}

fun secretStoreTests(): List<TestCase> = listOf(
    TestCase("secret round trips") {
        val fixture = StoreFixture()
        val value = byteArrayOf(0, 1, 2, 127, -128, -1)
        fixture.store.set("acme.cognito.session", value)
        expect(found(fixture.store.get("acme.cognito.session")).contentEquals(value)) { "value changed" }
    },
    TestCase("empty secret round trips") {
        val fixture = StoreFixture()
        fixture.store.set("acme.empty", ByteArray(0))
        expectEqual(0, found(fixture.store.get("acme.empty")).size, "size")
    },
    TestCase("set replaces previous value") {
        val fixture = StoreFixture()
        fixture.store.set("acme.token", "first".toByteArray())
        fixture.store.set("acme.token", "second".toByteArray())
        expectEqual("second", String(found(fixture.store.get("acme.token"))), "value")
    },
    TestCase("missing secret is absent") {
        expectEqual<SecretLookup>(SecretLookup.Absent, StoreFixture().store.get("acme.none"), "lookup")
    },
    TestCase("deleted secret is absent") {
        val fixture = StoreFixture()
        fixture.store.set("acme.token", "value".toByteArray())
        fixture.store.delete("acme.token")
        expectEqual<SecretLookup>(SecretLookup.Absent, fixture.store.get("acme.token"), "lookup")
    },
    TestCase("deleting missing secret succeeds") {
        StoreFixture().store.delete("acme.never-set")
    },
    TestCase("locked keystore read is unavailable") {
        val fixture = StoreFixture()
        fixture.store.set("acme.token", "value".toByteArray())
        fixture.keystore.locked = true
        val lookup = fixture.store.get("acme.token")
        expect(lookup is SecretLookup.Unavailable) { "expected Unavailable, got $lookup" }
    },
    TestCase("locked keystore write throws unavailable") {
        val fixture = StoreFixture()
        fixture.keystore.locked = true
        expectThrows<WalkoutFfiException.SecretStoreUnavailable> {
            fixture.store.set("acme.token", "value".toByteArray())
        }
    },
    TestCase("locked keystore keeps file") {
        val fixture = StoreFixture()
        fixture.store.set("acme.token", "value".toByteArray())
        fixture.keystore.locked = true
        fixture.store.get("acme.token")
        fixture.keystore.locked = false
        expectEqual("value", String(found(fixture.store.get("acme.token"))), "value after unlocking")
    },
    TestCase("file holds no plaintext") {
        val fixture = StoreFixture()
        val marker = "plaintext-marker-0123456789"
        fixture.store.set("acme.token", marker.toByteArray())
        val bytes = Files.readAllBytes(fixture.folder.resolve("acme.token.secret"))
        expect(!String(bytes, Charsets.ISO_8859_1).contains(marker)) { "the file contains the secret" }
        expectEqual("WKS1", String(bytes.copyOfRange(0, 4)), "magic")
    },
    TestCase("tampered file is absent") {
        val fixture = StoreFixture()
        fixture.store.set("acme.token", "value".toByteArray())
        val path = fixture.folder.resolve("acme.token.secret")
        val bytes = Files.readAllBytes(path)
        bytes[bytes.size - 1] = (bytes[bytes.size - 1].toInt() xor 1).toByte()
        Files.write(path, bytes)
        expectEqual<SecretLookup>(SecretLookup.Absent, fixture.store.get("acme.token"), "lookup")
        expect(!Files.exists(path)) { "the undecryptable file was kept" }
    },
    TestCase("truncated files are absent") {
        val fixture = StoreFixture()
        fixture.store.set("acme.token", "value".toByteArray())
        val path = fixture.folder.resolve("acme.token.secret")
        val whole = Files.readAllBytes(path)
        for (length in listOf(0, 3, 5, 6, 17, whole.size - 1)) {
            Files.write(path, whole.copyOfRange(0, length))
            expectEqual<SecretLookup>(SecretLookup.Absent, fixture.store.get("acme.token"), "lookup of $length bytes")
        }
    },
    TestCase("file moved to other key is absent") {
        val fixture = StoreFixture()
        fixture.store.set("acme.a", "value of a".toByteArray())
        Files.copy(fixture.folder.resolve("acme.a.secret"), fixture.folder.resolve("acme.b.secret"))
        expectEqual<SecretLookup>(SecretLookup.Absent, fixture.store.get("acme.b"), "lookup of the copy")
    },
    TestCase("other brand cannot read file") {
        val acme = StoreFixture("acme")
        acme.store.set("shared.name", "acme secret".toByteArray())
        val other = KeystoreSecretStore("other", acme.folder, acme.keystore)
        expectEqual<SecretLookup>(SecretLookup.Absent, other.get("shared.name"), "lookup by another brand")
    },
    TestCase("invalidated key makes secrets absent") {
        val fixture = StoreFixture()
        fixture.store.set("acme.token", "value".toByteArray())
        fixture.keystore.deleteKey("walkout.$BRAND.secrets")
        expectEqual<SecretLookup>(SecretLookup.Absent, fixture.store.get("acme.token"), "lookup")
    },
    TestCase("invalid keys are rejected") {
        val fixture = StoreFixture()
        for (key in listOf("", "../escape", "a/b", "with space", "k".repeat(101), "é")) {
            val error = expectThrows<WalkoutFfiException.InvalidInput> { fixture.store.get(key) }
            expectEqual("key", error.field, "field for \"$key\"")
        }
    },
    TestCase("invalid brand is rejected") {
        expectThrows<IllegalArgumentException> { KeystoreSecretStore("Not A Brand", newFolder("x-"), FakeKeystore()) }
    },
    TestCase("core keeps session in store") {
        val device = Device()
        signUpAndSignIn(device)
        val files = Files.list(Path.of(device.config.storageDir, "secrets")).use { stream ->
            stream.map { it.fileName.toString() }.toList()
        }
        expect(files.any { it.endsWith(".secret") }) { "no secret files in $files" }
        expectEqual(device.app.currentUser(), device.restart().currentUser(), "user after a restart")
    },
    TestCase("locked keystore keeps core session") {
        val device = Device()
        signUpAndSignIn(device)
        val user = device.app.currentUser()
        device.keystore.locked = true
        val restarted = device.restart()
        expectThrows<WalkoutFfiException.SecretStoreUnavailable> { restarted.currentUser() }
        device.keystore.locked = false
        expectEqual(user, restarted.currentUser(), "user after unlocking")
    },
)
