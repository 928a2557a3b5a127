//! Entry code cost on the shopper's device: deriving the current code, and deriving plus
//! rendering it as a PNG at the default 8 pixels per module. Run with
//! `cargo bench -p walkout-core --bench entry_code`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use walkout_core::entry::{
    EntryCredential, QrMatrix, derive_code, render::DEFAULT_PIXELS_PER_MODULE,
};

fn credential() -> EntryCredential {
    EntryCredential::new([7; 8], [42; 32], 30, 4_102_444_800)
}

fn bench_entry_code(c: &mut Criterion) {
    let credential = credential();
    let now_ms = 1_767_225_600_000_i64;

    c.bench_function("entry code: derive", |b| {
        b.iter(|| derive_code(black_box(&credential), black_box(-7), black_box(now_ms)).unwrap())
    });

    c.bench_function("entry code: derive + render PNG (8 px/module)", |b| {
        b.iter(|| {
            let code =
                derive_code(black_box(&credential), black_box(-7), black_box(now_ms)).unwrap();
            let matrix = QrMatrix::encode(&code.text).unwrap();
            matrix.to_png(DEFAULT_PIXELS_PER_MODULE).unwrap()
        })
    });

    c.bench_function("entry code: derive + render SVG", |b| {
        b.iter(|| {
            let code =
                derive_code(black_box(&credential), black_box(-7), black_box(now_ms)).unwrap();
            QrMatrix::encode(&code.text)
                .unwrap()
                .to_svg(DEFAULT_PIXELS_PER_MODULE)
                .unwrap()
        })
    });
}

criterion_group!(benches, bench_entry_code);
criterion_main!(benches);
