//! Receipt inputs shared by the receipt tests.

#![allow(dead_code)]

use time::macros::datetime;
use walkout_connectors::receipts::{
    DiscountInput, ReceiptInput, SaleInput, TaxInput, TenderInput, TotalsInput,
    format_receipt_number,
};

/// Returns a tax-included UK basket: two candle holders with a 0.60 discount, loose bananas at 0%,
/// and an unknown SKU. Sales 5.60 − discount 0.60 = 5.00, of which 0.75 is VAT.
pub fn uk_input() -> ReceiptInput {
    ReceiptInput {
        receipt_id: "0197f2a4-5b1c-7d2e-8f90-123456789abc".to_owned(),
        trip_id: "0197f2a4-0000-7000-8000-00000000abcd".to_owned(),
        is_test: false,
        store_id: "UK-LON-001".to_owned(),
        store_name: "Walkout Demo Store".to_owned(),
        time_zone: "Europe/London".to_owned(),
        receipt_number: format_receipt_number("UK-LON-001", 42),
        receipt_date_time: datetime!(2025-07-14 16:05:09 UTC),
        currency: "GBP".to_owned(),
        prices_include_tax: true,
        lines: vec![
            sale(
                "85123A",
                "WHITE HANGING HEART T-LIGHT HOLDER",
                "2",
                "each",
                255,
                510,
                2000,
            ),
            sale("BAN-KG", "LOOSE BANANAS", "0.455", "kg", 110, 50, 0),
            SaleInput {
                unpriced: true,
                ..sale("UNKNOWN-1", "MYSTERY ITEM", "1", "each", 0, 0, 2000)
            },
        ],
        discounts: vec![DiscountInput {
            description: "Hearts 2 for 4.50".to_owned(),
            promotion_id: Some("promo-hearts".to_owned()),
            amount_minor: 60,
            allocations: vec![(0, 60)],
        }],
        taxes: vec![
            TaxInput {
                rate_bp: 0,
                taxable_minor: 50,
                tax_minor: 0,
            },
            TaxInput {
                rate_bp: 2000,
                taxable_minor: 450,
                tax_minor: 75,
            },
        ],
        totals: TotalsInput {
            net_minor: 425,
            tax_minor: 75,
            grand_minor: 500,
        },
        tender: Some(TenderInput {
            brand: "visa".to_owned(),
            last4: "4242".to_owned(),
            amount_minor: 500,
        }),
        written_off_minor: 0,
        outstanding_minor: 0,
    }
}

pub fn sale(
    sku: &str,
    description: &str,
    quantity: &str,
    unit: &str,
    unit_price_minor: i64,
    extended_minor: i64,
    tax_rate_bp: u32,
) -> SaleInput {
    SaleInput {
        sku: sku.to_owned(),
        description: description.to_owned(),
        quantity: quantity.to_owned(),
        unit: unit.to_owned(),
        unit_price_minor,
        extended_minor,
        tax_rate_bp,
        unpriced: false,
    }
}

/// Returns the same basket priced without tax: 5.00 net + 0.90 VAT = 5.90.
pub fn us_style_input() -> ReceiptInput {
    let mut input = uk_input();
    input.prices_include_tax = false;
    input.taxes[1].tax_minor = 90;
    input.totals = TotalsInput {
        net_minor: 500,
        tax_minor: 90,
        grand_minor: 590,
    };
    if let Some(tender) = input.tender.as_mut() {
        tender.amount_minor = 590;
    }
    input
}
