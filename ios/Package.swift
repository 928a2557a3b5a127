// swift-tools-version:5.9
// Swift 5 language mode, because the view models are not annotated for Swift 6's strict
// concurrency checking yet.

import PackageDescription

let package = Package(
    name: "WalkoutKit",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "WalkoutKit", targets: ["WalkoutKit"]),
    ],
    targets: [
        // The C header of libwalkout_ffi. `cargo xtask ios` copies the generated header in;
        // the module map here links the library, which the generated one does not.
        .systemLibrary(name: "walkout_ffiFFI", path: "Sources/walkout_ffiFFI"),
        .target(
            name: "WalkoutKit",
            dependencies: ["walkout_ffiFFI"],
            path: "Sources/WalkoutKit"
        ),
        .testTarget(
            name: "WalkoutKitTests",
            dependencies: ["WalkoutKit"],
            path: "Tests/WalkoutKitTests"
        ),
    ]
)
