//! Lookup keys for SKUs and barcodes.
//!
//! Carts, files and scanners spell the same product in more than one way: SKU suffix letters
//! come in either case (`85123a`, `85123A`), and a UPC-A barcode is also read as its 13-digit
//! EAN form with a leading zero. Storage and lookups compare these keys, never the raw text,
//! while the catalog keeps each SKU and barcode as written for receipts and POS exports.

/// Returns the key of a SKU: trimmed and upper-cased (Unicode upper case), so SKUs that differ
/// only in letter case are one item.
pub fn sku_key(sku: &str) -> String {
    sku.trim().to_uppercase()
}

/// Returns the key of a barcode. An all-digit barcode of 8, 12, 13 or 14 digits (EAN-8, UPC-A,
/// EAN-13, GTIN-14) becomes its GTIN-14 form, left-padded with zeros, as GS1 compares them.
/// Anything else (PLU codes, ISBN-10) is kept as written, after trimming.
pub fn barcode_key(barcode: &str) -> String {
    let trimmed = barcode.trim();
    let all_digits = trimmed.bytes().all(|byte| byte.is_ascii_digit());
    if all_digits && matches!(trimmed.len(), 8 | 12 | 13 | 14) {
        format!("{trimmed:0>14}")
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_keys_ignore_case() {
        assert_eq!(sku_key("85123a"), "85123A");
        assert_eq!(sku_key(" 15056bl "), "15056BL");
        assert_eq!(sku_key("DCGS0076"), "DCGS0076");
    }

    #[test]
    fn barcode_keys_match_gtin_forms() {
        let cases = [
            ("036000291452", "00036000291452"),
            ("0036000291452", "00036000291452"),
            ("00036000291452", "00036000291452"),
            ("96385074", "00000096385074"),
            ("4011", "4011"),
            ("030640615X", "030640615X"),
            ("0306406152", "0306406152"),
        ];
        for (barcode, expected) in cases {
            assert_eq!(barcode_key(barcode), expected, "barcode {barcode}");
        }
    }
}
