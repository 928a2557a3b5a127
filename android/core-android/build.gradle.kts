// The Android library: the uniffi bindings generated from libwalkout_ffi, the Keystore secret
// store and the view models. The plain-Kotlin sources in src/main/kotlin are also compiled and
// tested on the JVM by `cargo xtask test`; src/android/kotlin holds what needs the Android SDK.

plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

val generatedBindings = layout.buildDirectory.dir("generated/uniffi/kotlin")

/**
 * Copies the Kotlin that `cargo xtask bindings` generated into this module's build folder.
 * The generated code is rebuilt from the library on every run and never committed.
 */
val copyBindings by tasks.registering(Copy::class) {
    val source = rootProject.file("../bindings/generated/kotlin")
    from(source)
    into(generatedBindings)
    doFirst {
        check(source.resolve("uniffi/walkout_ffi/walkout_ffi.kt").isFile) {
            "${source.path} has no generated bindings; run `cargo xtask bindings` in the workspace first"
        }
    }
}

android {
    namespace = "com.walkout.android"
    compileSdk = 35

    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets["main"].kotlin.srcDir("src/android/kotlin")
    sourceSets["main"].kotlin.srcDir(generatedBindings)
    // libwalkout_ffi.so for each ABI, built with the release-mobile profile.
    sourceSets["main"].jniLibs.srcDir("src/main/jniLibs")

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    jvmToolchain(17)
}

tasks.named("preBuild") { dependsOn(copyBindings) }

dependencies {
    implementation("${libs.jna.get()}@aar")
    implementation(libs.androidx.core.ktx)
}
