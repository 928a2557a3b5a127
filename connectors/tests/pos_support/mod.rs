//! A POS transaction shared by the POS export tests.

#![allow(dead_code)]

use time::macros::{date, datetime};
use walkout_connectors::pos::{
    LineKind, PosDiscount, PosLine, PosTax, PosTender, PosTotals, PosTransaction, TenderKind,
    TransactionKind, transaction_id,
};

/// Returns a tax-included UK sale with a discount, a weighed line, and text that needs escaping in CSV
/// and XML: commas, quotes, a line break, `&`, `<` and non-ASCII letters.
pub fn sale() -> PosTransaction {
    PosTransaction {
        transaction_id: transaction_id("0197f2a4-0000-7000-8000-00000000abcd", 1),
        kind: TransactionKind::Sale,
        store_id: "UK-LON-001".to_owned(),
        store_name: "Walkout Demo & Co <London>".to_owned(),
        workstation_id: "WALKOUT-1".to_owned(),
        sequence_number: 42,
        business_day: date!(2025 - 07 - 14),
        begin: datetime!(2025-07-14 16:01:00 UTC),
        end: datetime!(2025-07-14 16:05:09 UTC),
        currency: "GBP".to_owned(),
        prices_include_tax: true,
        receipt_number: "UK-LON-001-00000042".to_owned(),
        original_transaction_id: None,
        is_test: false,
        lines: vec![
            PosLine {
                kind: LineKind::Sale,
                sku: "85123A".to_owned(),
                description: "HEART T-LIGHT HOLDER, \"WHITE\"".to_owned(),
                quantity: "2".to_owned(),
                unit: "each".to_owned(),
                regular_unit_price_minor: 255,
                actual_unit_price_minor: 225,
                extended_minor: 450,
                tax_rate_bp: 2000,
                discounts: vec![PosDiscount {
                    description: "Hearts 2 for 4.50 & more".to_owned(),
                    promotion_id: Some("promo-hearts".to_owned()),
                    amount_minor: 60,
                }],
            },
            PosLine {
                kind: LineKind::Sale,
                sku: "BAN-KG".to_owned(),
                description: "Bananes crème brûlée\nloose".to_owned(),
                quantity: "0.455".to_owned(),
                unit: "kg".to_owned(),
                regular_unit_price_minor: 110,
                actual_unit_price_minor: 110,
                extended_minor: 50,
                tax_rate_bp: 0,
                discounts: Vec::new(),
            },
        ],
        taxes: vec![
            PosTax {
                rate_bp: 0,
                taxable_minor: 50,
                tax_minor: 0,
                tax_included: true,
            },
            PosTax {
                rate_bp: 2000,
                taxable_minor: 450,
                tax_minor: 75,
                tax_included: true,
            },
        ],
        totals: PosTotals {
            net_minor: 425,
            tax_minor: 75,
            grand_minor: 500,
        },
        tenders: vec![PosTender {
            kind: TenderKind::Sale,
            brand: "visa".to_owned(),
            last4: "4242".to_owned(),
            amount_minor: 500,
        }],
    }
}

/// A return of one candle holder from [`sale`].
pub fn return_of_one() -> PosTransaction {
    let mut transaction = sale();
    transaction.transaction_id = transaction_id("0197f2a4-0000-7000-8000-00000000abcd", 2);
    transaction.kind = TransactionKind::Return;
    transaction.sequence_number = 43;
    transaction.original_transaction_id = Some(sale().transaction_id);
    transaction.lines.truncate(1);
    let line = &mut transaction.lines[0];
    line.kind = LineKind::Return;
    line.quantity = "1".to_owned();
    line.extended_minor = 225;
    line.discounts.clear();
    transaction.taxes = vec![PosTax {
        rate_bp: 2000,
        taxable_minor: 225,
        tax_minor: 38,
        tax_included: true,
    }];
    transaction.totals = PosTotals {
        net_minor: 187,
        tax_minor: 38,
        grand_minor: 225,
    };
    transaction.tenders[0].kind = TenderKind::Refund;
    transaction.tenders[0].amount_minor = 225;
    transaction
}
