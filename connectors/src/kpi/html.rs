//! The report as one self-contained HTML page: inline CSS, bar charts drawn here as inline SVG,
//! and every number also in a table. The page loads nothing from anywhere and runs no script.
//! Every piece of text from the database is HTML-escaped.

use std::fmt::Write as _;

use super::KpiReport;
use crate::catalog::money::{format_minor, minor_digits};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1d2430;padding:0 1rem}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d7dce3}\
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.25rem .75rem;border:1px solid #d7dce3;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#5b6573}svg{max-width:100%;height:auto}";

/// Renders the report as HTML.
pub fn to_html(report: &KpiReport) -> String {
    let figures = &report.figures;
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>KPIs of {store} from {from} to {to}</title><style>{STYLE}</style></head><body>\n\
         <h1>KPIs of {name} ({store})</h1>\n\
         <p class=\"meta\">From {from} to {to} ({zone} dates). Generated {at}.</p>\n",
        store = escape(&report.store_id),
        name = escape(&report.store_name),
        from = escape(&report.from),
        to = escape(&report.to),
        zone = escape(&report.time_zone),
        at = escape(&report.generated_at),
    );

    page.push_str("<h2>Summary</h2>\n");
    let mut summary = vec![
        pair("Baskets", figures.baskets),
        pair("Items in baskets", figures.items_total),
        pair("Average basket size (items)", &figures.average_basket_items),
    ];
    for average in &figures.average_basket {
        let currency = &average.currency;
        summary.push(pair(
            &format!("Average basket value ({currency})"),
            money(average.average_minor, currency),
        ));
        summary.push(pair(
            &format!("Total basket value ({currency})"),
            money(average.total_minor, currency),
        ));
    }
    table(&mut page, &["Figure", "Value"], &summary);
    page.push_str(
        "<p class=\"meta\">Averages are rounded half away from zero to the last digit shown.</p>\n",
    );

    page.push_str("<h2>Baskets per day</h2>\n");
    let per_day: Vec<(String, i64)> = figures
        .baskets_per_day
        .iter()
        .map(|d| (d.date.clone(), d.baskets))
        .collect();
    bar_chart(&mut page, "Baskets per day", &per_day);
    let rows: Vec<Vec<String>> = figures
        .baskets_per_day
        .iter()
        .map(|day| {
            let values: Vec<String> = day.value_minor.iter().map(|(c, v)| money(*v, c)).collect();
            vec![day.date.clone(), day.baskets.to_string(), values.join(", ")]
        })
        .collect();
    table(&mut page, &["Date", "Baskets", "Value"], &rows);

    page.push_str("<h2>Visit frequency</h2>\n");
    let visits = &figures.visits;
    table(
        &mut page,
        &["Figure", "Value"],
        &[
            pair("Visits", visits.visits),
            pair("Shoppers", visits.shoppers),
            pair("Visits per shopper (mean)", &visits.mean_per_shopper),
        ],
    );
    bar_chart(
        &mut page,
        "Shoppers by number of visits",
        &visits.distribution,
    );
    let rows: Vec<Vec<String>> = visits
        .distribution
        .iter()
        .map(|(b, n)| pair(b, n))
        .collect();
    table(&mut page, &["Visits", "Shoppers"], &rows);

    page.push_str("<h2>Offers</h2>\n");
    let offers = &figures.offers;
    let rate = |bp: Option<i64>| {
        bp.map_or_else(
            || "n/a".to_owned(),
            |bp| format!("{}.{:02} %", bp / 100, bp % 100),
        )
    };
    table(
        &mut page,
        &["Figure", "Value"],
        &[
            pair("Offers live", offers.counts.offers_live),
            pair("Targeted shoppers", offers.counts.targets),
            pair("Activations", offers.counts.activations),
            pair(
                "Activations by targeted shoppers",
                offers.counts.targeted_activations,
            ),
            pair("Redemptions", offers.counts.redemptions),
            pair(
                "Activation rate (targeted)",
                rate(offers.activation_rate_bp),
            ),
            pair("Redemption rate", rate(offers.redemption_rate_bp)),
        ],
    );

    page.push_str("<h2>Items bought together (top pairs by lift)</h2>\n");
    let rows: Vec<Vec<String>> = figures
        .top_pairs
        .iter()
        .map(|p| {
            vec![
                format!("{} {}", p.sku_a, p.name_a),
                format!("{} {}", p.sku_b, p.name_b),
                p.baskets.to_string(),
                p.lift.clone(),
            ]
        })
        .collect();
    if rows.is_empty() {
        page.push_str("<p>No pair of items was bought together in two or more baskets.</p>\n");
    } else {
        table(&mut page, &["Item A", "Item B", "Baskets", "Lift"], &rows);
    }
    page.push_str("</body></html>\n");
    page
}

fn money(minor: i64, currency: &str) -> String {
    match minor_digits(currency) {
        Some(digits) => format!("{} {currency}", format_minor(minor, digits)),
        None => format!("{minor} {currency} minor units"),
    }
}

fn pair(label: &str, value: impl std::fmt::Display) -> Vec<String> {
    vec![label.to_owned(), value.to_string()]
}

/// Writes a table; cells that start with a digit are numbers and align right.
fn table(page: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    page.push_str("<table><thead><tr>");
    for header in headers {
        let _ = write!(page, "<th>{}</th>", escape(header));
    }
    page.push_str("</tr></thead><tbody>\n");
    for cells in rows {
        page.push_str("<tr>");
        for cell in cells {
            let class = if cell.starts_with(|c: char| c.is_ascii_digit()) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(page, "<td{class}>{}</td>", escape(cell));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody></table>\n");
}

/// Draws a vertical bar chart of labelled counts as inline SVG.
fn bar_chart(page: &mut String, title: &str, bars: &[(String, i64)]) {
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let count = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let (height, plot, width_each) = (180_i64, 140_i64, (720 / count).clamp(4, 80));
    let width = width_each * count + 40;
    let _ = write!(
        page,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" \
         viewBox=\"0 0 {width} {height}\"><title>{}</title>\
         <line x1=\"30\" y1=\"{plot}\" x2=\"{width}\" y2=\"{plot}\" stroke=\"#5b6573\"/>\
         <text x=\"0\" y=\"12\" font-size=\"11\">{max}</text>",
        escape(title),
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let x = 32 + i64::try_from(i).unwrap_or(0) * width_each;
        let bar = n.max(&0) * (plot - 10) / max;
        let _ = write!(
            page,
            "<rect x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{bar}\" fill=\"#2f6fb3\"><title>{}: {n}</title></rect>",
            plot - bar,
            (width_each - 2).max(1),
            escape(label),
        );
        if bars.len() <= 31 {
            let _ = write!(
                page,
                "<text x=\"{x}\" y=\"{}\" font-size=\"9\">{}</text>",
                plot + 14,
                escape(label.get(5..).unwrap_or(label)),
            );
        }
    }
    page.push_str("</svg>\n");
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<b>\"A&B\"</b>"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
    }
}
