//! The written rules that decide what each UCI row means for the catalog and the baskets.
//!
//! Every parsed row gets exactly one [`RowRule`], checked in the order of the enum's variants,
//! so the counts in a report add up to the number of parsed rows.

use std::collections::HashSet;

use super::read::UciRow;

/// The disposition of one parsed row. Variants are checked top to bottom; the first that fits
/// wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowRule {
    /// InvoiceNo starts with `C`. Excluded from prices, descriptions and baskets: a cancellation
    /// reverses an earlier sale and says nothing new about the shelf price.
    Cancellation,
    /// Quantity zero or negative outside a cancellation: a stock adjustment (`damaged`, `?`).
    /// Excluded everywhere.
    StockAdjustment,
    /// UnitPrice below zero (bad-debt adjustments in the full dataset). Excluded everywhere.
    NegativePrice,
    /// StockCode in [`NON_PRODUCT_CODES`]. Excluded everywhere; see the table for each code.
    NonProduct,
    /// UnitPrice zero on a sale: free samples and notes such as `amazon`. Excluded everywhere,
    /// because replaying it at the catalog price would charge for something given away.
    ZeroPrice,
    /// An exact copy (every field but the index column) of an earlier row: a line recorded
    /// twice. The first copy counts; surplus copies are excluded everywhere.
    Duplicate,
    /// A sale line without CustomerID. Votes for the description, and for the price only of a
    /// code that has no sale line with a CustomerID. Kept in baskets.
    SaleWithoutCustomer,
    /// A sale line with a CustomerID. Votes for the price and the description. Kept in baskets.
    SaleWithCustomer,
}

impl RowRule {
    /// True for rules whose rows are product sales.
    pub fn is_sale(self) -> bool {
        matches!(
            self,
            RowRule::SaleWithCustomer | RowRule::SaleWithoutCustomer
        )
    }
}

/// StockCodes that are not products, each with its meaning. All are excluded from the catalog
/// and the baskets, for the reason given: a checkout-free store sells only what a shopper can
/// take off a shelf. Matched after trimming, ignoring ASCII case. `DCGS…` codes are products.
pub const NON_PRODUCT_CODES: [(&str, &str); 10] = [
    ("POST", "postage: a store ships nothing"),
    ("DOT", "dotcom postage: a store ships nothing"),
    ("C2", "carriage: a store ships nothing"),
    ("M", "manual line: no product identity"),
    ("D", "discount: discounts come from promotions"),
    ("S", "samples: not sold"),
    ("BANK CHARGES", "bank fee: not a product"),
    ("AMAZONFEE", "marketplace fee: not a product"),
    ("B", "bad-debt adjustment: not a product"),
    ("CRUK", "charity commission: not a product"),
];

/// Returns the canonical non-product code for a StockCode, if it is one.
pub fn non_product_code(stock_code: &str) -> Option<&'static str> {
    let trimmed = stock_code.trim();
    NON_PRODUCT_CODES
        .iter()
        .map(|(code, _)| *code)
        .find(|code| code.eq_ignore_ascii_case(trimmed))
}

/// Normalises a StockCode to the catalog SKU: trimmed and upper-cased, so `15056bl` and
/// `15056BL` are one SKU.
pub fn normalise_sku(stock_code: &str) -> String {
    stock_code.trim().to_uppercase()
}

/// Normalises a Description: trimmed, with inner runs of whitespace collapsed to one space.
/// Case is kept.
pub fn normalise_description(description: &str) -> String {
    description.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Assigns a rule to every row, in file order.
pub fn classify(rows: &[UciRow]) -> Vec<RowRule> {
    let mut seen = HashSet::new();
    rows.iter()
        .map(|row| {
            if row.invoice_no.starts_with(['C', 'c']) {
                RowRule::Cancellation
            } else if row.quantity <= 0 {
                RowRule::StockAdjustment
            } else if row.unit_price_minor < 0 {
                RowRule::NegativePrice
            } else if non_product_code(&row.stock_code).is_some() {
                RowRule::NonProduct
            } else if row.unit_price_minor == 0 {
                RowRule::ZeroPrice
            } else if !seen.insert(row_key(row)) {
                RowRule::Duplicate
            } else if row.customer_id.is_some() {
                RowRule::SaleWithCustomer
            } else {
                RowRule::SaleWithoutCustomer
            }
        })
        .collect()
}

/// Every field of a row except its line: InvoiceNo, StockCode, Description, Quantity,
/// InvoiceDate, UnitPrice, CustomerID, Country.
pub type RowKey = (
    String,
    String,
    String,
    i64,
    time::PrimitiveDateTime,
    i64,
    Option<String>,
    String,
);

/// Returns the key for exact-duplicate detection.
pub fn row_key(row: &UciRow) -> RowKey {
    (
        row.invoice_no.clone(),
        row.stock_code.clone(),
        row.description.clone(),
        row.quantity,
        row.invoice_date,
        row.unit_price_minor,
        row.customer_id.clone(),
        row.country.clone(),
    )
}

/// Coarse product categories for promotions, first match wins: (category, keywords). A keyword
/// matches a whole word of the upper-cased description, or that word with a trailing `S`.
pub const CATEGORY_KEYWORDS: [(&str, &[&str]); 5] = [
    (
        "seasonal",
        &[
            "CHRISTMAS",
            "XMAS",
            "ADVENT",
            "EASTER",
            "HALLOWEEN",
            "VALENTINE",
        ],
    ),
    ("bags", &["BAG"]),
    (
        "kitchen",
        &[
            "MUG", "CUP", "TEACUP", "SAUCER", "PLATE", "BOWL", "JUG", "TEAPOT",
        ],
    ),
    ("lighting", &["CANDLE", "T-LIGHT", "LANTERN"]),
    (
        "stationery",
        &["CARD", "WRAP", "NOTEBOOK", "PENCIL", "STICKER"],
    ),
];

/// Category for descriptions that match no keyword: the shop sells all-occasion giftware.
pub const DEFAULT_CATEGORY: &str = "giftware";

/// Returns (product_category, product_subcategory) for a description. The subcategory is the
/// matched keyword in lower case, or empty for the default category.
pub fn categorise(description: &str) -> (&'static str, String) {
    let upper = description.to_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| !word.is_empty())
        .collect();
    for (category, keywords) in CATEGORY_KEYWORDS {
        for keyword in keywords {
            let matches = words
                .iter()
                .any(|word| word == keyword || word.strip_suffix('S') == Some(keyword));
            if matches {
                return (category, keyword.to_lowercase());
            }
        }
    }
    (DEFAULT_CATEGORY, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_from_keywords() {
        let cases = [
            ("PAPER CHAIN KIT 50'S CHRISTMAS ", "seasonal"),
            ("JUMBO BAG RED RETROSPOT", "bags"),
            ("RED RETROSPOT MUGS", "kitchen"),
            ("WHITE HANGING HEART T-LIGHT HOLDER", "lighting"),
            ("CHRISTMAS LUNCH BAG", "seasonal"),
            ("BAGUETTE TRAY", "giftware"),
            ("KNITTED UNION FLAG HOT WATER BOTTLE", "giftware"),
        ];
        for (description, expected) in cases {
            assert_eq!(
                categorise(description).0,
                expected,
                "description {description:?}"
            );
        }
    }

    #[test]
    fn non_product_codes_ignore_case() {
        assert_eq!(non_product_code(" post"), Some("POST"));
        assert_eq!(non_product_code("Bank Charges"), Some("BANK CHARGES"));
        assert_eq!(non_product_code("DCGS0076"), None);
    }

    #[test]
    fn descriptions_collapse_whitespace() {
        assert_eq!(
            normalise_description("  SET OF  3 CAKE TINS "),
            "SET OF 3 CAKE TINS"
        );
    }
}
