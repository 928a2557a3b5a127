// The Android shell of Walkout: `core-android` (generated bindings, Keystore secret store,
// view models) and `app` (Compose screens themed from the applied brand pack).

pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "walkout-android"
include(":core-android", ":app")
