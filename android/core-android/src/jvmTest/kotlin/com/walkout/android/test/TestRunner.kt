// A small test runner for the view models and the secret store on the JVM: no JUnit, no
// coroutines, only the Kotlin standard library, JNA and the generated bindings. It prints one
// line per test, then "N passed, N failed, N skipped", and exits with status 1 on a failure.

package com.walkout.android.test

import kotlin.system.exitProcess

/** Thrown by a test whose service is not configured; under CI=true such a test fails. */
class SkipTest(message: String) : Exception(message)

/** One named test. */
class TestCase(val name: String, val body: () -> Unit)

fun main() {
    val tests = secretStoreTests() + signInTests() + challengeTests() + otpAuthTests() + entryCodeTests() + accountTests() +
        purchaseTests() + portTests() + coreModelTests() + hostedSignInTests()
    var passed = 0
    var failed = 0
    var skipped = 0
    for (test in tests) {
        try {
            test.body()
            passed += 1
            println("PASS ${test.name}")
        } catch (skip: SkipTest) {
            skipped += 1
            println("SKIP ${test.name}: ${skip.message}")
        } catch (failure: Throwable) {
            failed += 1
            println("FAIL ${test.name}: $failure")
            failure.stackTrace.take(8).forEach { println("    at $it") }
        }
    }
    println("$passed passed, $failed failed, $skipped skipped")
    exitProcess(if (failed == 0) 0 else 1)
}

/** Fails with `message` unless `condition` holds. */
fun expect(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

/** Fails unless `actual` equals `expected`; `label` names the value in the message. */
fun <T> expectEqual(expected: T, actual: T, label: String) {
    if (expected != actual) throw AssertionError("$label: expected <$expected>, got <$actual>")
}

/** Runs `block` and returns the exception of type `E` it throws; fails on anything else. */
inline fun <reified E : Throwable> expectThrows(block: () -> Unit): E {
    try {
        block()
    } catch (thrown: Throwable) {
        if (thrown is E) return thrown
        throw AssertionError("expected ${E::class.simpleName}, got $thrown", thrown)
    }
    throw AssertionError("expected ${E::class.simpleName}, but nothing was thrown")
}
