//! The report as one RFC 4180 CSV table in long form: `section,key,metric,value,unit`, one
//! figure per row, so every section fits one header. Lines end with CRLF; a field with a comma,
//! a double quote, CR or LF is quoted and its quotes doubled.
//!
//! Item names are retailer text. A name that starts with `=`, `+`, `-` or `@` gets a leading
//! apostrophe, so a spreadsheet shows it as text instead of running it as a formula.

use super::KpiReport;

const HEADER: [&str; 5] = ["section", "key", "metric", "value", "unit"];

/// Renders the report as CSV.
pub fn to_csv(report: &KpiReport) -> String {
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut row = |section: &str, key: &str, metric: &str, value: String, unit: &str| {
        rows.push([
            section.to_owned(),
            key.to_owned(),
            metric.to_owned(),
            value,
            unit.to_owned(),
        ]);
    };
    let figures = &report.figures;

    row("report", "", "store_id", report.store_id.clone(), "");
    row("report", "", "store_name", as_text(&report.store_name), "");
    row("report", "", "time_zone", report.time_zone.clone(), "");
    row("report", "", "from", report.from.clone(), "date");
    row("report", "", "to", report.to.clone(), "date");
    row(
        "report",
        "",
        "generated_at",
        report.generated_at.clone(),
        "RFC 3339",
    );

    row(
        "summary",
        "",
        "baskets",
        figures.baskets.to_string(),
        "count",
    );
    row(
        "summary",
        "",
        "items_total",
        figures.items_total.to_string(),
        "items",
    );
    row(
        "summary",
        "",
        "average_basket_items",
        figures.average_basket_items.clone(),
        "items",
    );
    for average in &figures.average_basket {
        let unit = format!("{} minor units", average.currency);
        row(
            "average_basket",
            &average.currency,
            "baskets",
            average.baskets.to_string(),
            "count",
        );
        row(
            "average_basket",
            &average.currency,
            "total_minor",
            average.total_minor.to_string(),
            &unit,
        );
        row(
            "average_basket",
            &average.currency,
            "average_minor",
            average.average_minor.to_string(),
            &unit,
        );
    }

    for day in &figures.baskets_per_day {
        row(
            "baskets_per_day",
            &day.date,
            "baskets",
            day.baskets.to_string(),
            "count",
        );
        for (currency, value) in &day.value_minor {
            row(
                "baskets_per_day",
                &day.date,
                "value_minor",
                value.to_string(),
                &format!("{currency} minor units"),
            );
        }
    }

    let visits = &figures.visits;
    row("visits", "", "visits", visits.visits.to_string(), "count");
    row(
        "visits",
        "",
        "shoppers",
        visits.shoppers.to_string(),
        "count",
    );
    row(
        "visits",
        "",
        "mean_per_shopper",
        visits.mean_per_shopper.clone(),
        "visits",
    );
    for (bucket, shoppers) in &visits.distribution {
        row(
            "visit_distribution",
            bucket,
            "shoppers",
            shoppers.to_string(),
            "count",
        );
    }

    let offers = &figures.offers;
    row(
        "offers",
        "",
        "offers_live",
        offers.counts.offers_live.to_string(),
        "count",
    );
    row(
        "offers",
        "",
        "targets",
        offers.counts.targets.to_string(),
        "count",
    );
    row(
        "offers",
        "",
        "activations",
        offers.counts.activations.to_string(),
        "count",
    );
    row(
        "offers",
        "",
        "targeted_activations",
        offers.counts.targeted_activations.to_string(),
        "count",
    );
    row(
        "offers",
        "",
        "redemptions",
        offers.counts.redemptions.to_string(),
        "count",
    );
    row(
        "offers",
        "",
        "activation_rate_bp",
        optional(offers.activation_rate_bp),
        "basis points",
    );
    row(
        "offers",
        "",
        "redemption_rate_bp",
        optional(offers.redemption_rate_bp),
        "basis points",
    );

    for pair in &figures.top_pairs {
        let key = format!("{} + {}", pair.sku_a, pair.sku_b);
        row("top_pairs", &key, "name_a", as_text(&pair.name_a), "");
        row("top_pairs", &key, "name_b", as_text(&pair.name_b), "");
        row(
            "top_pairs",
            &key,
            "baskets",
            pair.baskets.to_string(),
            "count",
        );
        row("top_pairs", &key, "lift", pair.lift.clone(), "ratio");
    }

    let mut out = String::new();
    write_record(&mut out, HEADER.iter().copied());
    for fields in &rows {
        write_record(&mut out, fields.iter().map(String::as_str));
    }
    out
}

fn optional(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Keeps a spreadsheet from reading retailer text as a formula.
fn as_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn write_record<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&escape(field));
    }
    out.push_str("\r\n");
}

/// Quotes a field when RFC 4180 requires it.
pub fn escape(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\r\nlines", "\"two\r\nlines\""),
            ("", ""),
        ];
        for (field, expected) in cases {
            assert_eq!(escape(field), expected, "field {field:?}");
        }
    }

    #[test]
    fn formula_text_gets_an_apostrophe() {
        assert_eq!(as_text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(as_text("WHITE MUG"), "WHITE MUG");
    }
}
