//! Cost of applying one receipt feed page of 500 new receipts to the app's SQLite store: the
//! upserts and the cursor in one transaction, as a sync does after each response. Decoding the
//! JSON is timed separately. Each iteration starts from a store without receipts, created
//! outside the timed part. Run with `cargo bench -p walkout-core --bench receipt_page`.

#[path = "../tests/receipts_support/mod.rs"]
#[allow(unused_imports)]
mod receipts_support;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::json;
use walkout_core::receipts::bench_support::{apply_feed_page, decode_feed_page};
use walkout_core::store::Store;

use receipts_support::{receipt_id, sale_document};

/// Changes per page: the feed's maximum.
const PAGE_SIZE: u32 = 500;
const NOW_MS: i64 = 1_767_225_600_000;

/// Builds the first feed page, as JSON, of a backend with receipts 1..=500.
fn first_page_json() -> Vec<u8> {
    let items: Vec<_> = (1..=PAGE_SIZE)
        .map(|n| {
            json!({
                "change_seq": n, "receipt_id": receipt_id(n), "version": 1,
                "deleted": false, "receipt": sale_document(n),
            })
        })
        .collect();
    let page = json!({"items": items, "next_cursor": format!("s{PAGE_SIZE}"), "has_more": true});
    serde_json::to_vec(&page).expect("page serializes")
}

/// Removes the database, WAL and shared-memory files of store `index`, so a long run does not
/// fill the disk. The store was dropped at the end of its iteration.
fn remove_store_files(folder: &std::path::Path, index: u64) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(folder.join(format!("store-{index}.sqlite{suffix}")));
    }
}

fn bench_receipt_page(c: &mut Criterion) {
    let body = first_page_json();
    let page = decode_feed_page(&body).expect("page decodes");
    let folder = tempfile::tempdir().expect("temporary folder");
    let mut stores = 0_u64;

    c.bench_function("receipts: decode a 500-change page", |b| {
        b.iter(|| decode_feed_page(black_box(&body)).expect("page decodes"))
    });

    c.bench_function("receipts: apply a 500-change page", |b| {
        b.iter_batched(
            || {
                remove_store_files(folder.path(), stores);
                stores += 1;
                let path = folder.path().join(format!("store-{stores}.sqlite"));
                Store::open(&path).expect("store opens")
            },
            |store| {
                let applied = apply_feed_page(&store, None, &page, NOW_MS).expect("page applies");
                assert_eq!(applied, Some(u64::from(PAGE_SIZE)));
                store
            },
            BatchSize::PerIteration,
        )
    });
}

criterion_group!(benches, bench_receipt_page);
criterion_main!(benches);
