// The branded shopper app: Compose screens over core-android's view models. The brand tool
// (`cargo run -p walkout-brand -- apply <id>`) writes src/main/res and brand.gradle.properties;
// the application id and name come from that file, so one build makes one retailer's app.

import java.util.Properties

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

val brand = Properties().apply {
    val file = file("brand.gradle.properties")
    check(file.isFile) { "${file.path} is missing; run `cargo run -p walkout-brand -- apply <brand id>` first" }
    file.inputStream().use { load(it) }
}

/** Returns the brand property [name], failing the build with the fix when it is missing. */
fun brandProperty(name: String): String =
    brand.getProperty(name) ?: error("brand.gradle.properties has no $name; apply the brand again")

/**
 * Returns the backend setting [name] from a Gradle property (`-P` or ~/.gradle/gradle.properties),
 * as a Java string literal for BuildConfig.
 */
fun backendSetting(name: String): String {
    val value = providers.gradleProperty(name).orNull
        ?: error("Gradle property $name is not set; add it to ~/.gradle/gradle.properties or pass -P$name=...")
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\""
}

android {
    namespace = "com.walkout.shopper"
    compileSdk = 35

    defaultConfig {
        applicationId = brandProperty("brand.applicationId")
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        manifestPlaceholders["brandDisplayName"] = brandProperty("brand.displayName")
        buildConfigField("String", "BRAND_ID", "\"${brandProperty("brand.id")}\"")
        buildConfigField("String", "BACKEND_URL", backendSetting("walkout.backendUrl"))
        buildConfigField("String", "COGNITO_REGION", backendSetting("walkout.cognitoRegion"))
        buildConfigField("String", "COGNITO_USER_POOL_ID", backendSetting("walkout.cognitoUserPoolId"))
        buildConfigField("String", "COGNITO_CLIENT_ID", backendSetting("walkout.cognitoClientId"))
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    implementation(project(":core-android"))
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.material3)
    implementation(libs.compose.ui.tooling.preview)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.browser)
    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.lifecycle.runtime)
}
