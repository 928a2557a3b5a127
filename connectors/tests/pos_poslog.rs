//! POS export as ARTS POSLog XML: parsed back with quick-xml, element by element.

mod pos_support;

use quick_xml::events::Event;
use walkout_connectors::pos::PosSink;
use walkout_connectors::pos::poslog::{
    ARTS_NAMESPACE, PoslogFolderSink, PoslogOptions, render_poslog,
};

/// A parsed element: name, attributes, text and children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> &Element {
        self.children
            .iter()
            .find(|child| child.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }

    fn all(&self, name: &str) -> Vec<&Element> {
        self.children
            .iter()
            .filter(|child| child.name == name)
            .collect()
    }

    fn path(&self, path: &str) -> &Element {
        path.split('/')
            .fold(self, |element, name| element.child(name))
    }

    fn attribute(&self, name: &str) -> &str {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_else(|| panic!("<{}> has no {name} attribute", self.name))
    }
}

fn start(event: &quick_xml::events::BytesStart) -> Element {
    Element {
        name: String::from_utf8(event.name().as_ref().to_vec()).unwrap(),
        attributes: event
            .attributes()
            .map(|attribute| {
                let attribute = attribute.unwrap();
                let key = String::from_utf8(attribute.key.as_ref().to_vec()).unwrap();
                (key, attribute.unescape_value().unwrap().into_owned())
            })
            .collect(),
        ..Element::default()
    }
}

fn parse(xml: &[u8]) -> Element {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut stack = vec![Element::default()];
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer).unwrap() {
            Event::Start(event) => stack.push(start(&event)),
            Event::Empty(event) => stack.last_mut().unwrap().children.push(start(&event)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(text) => {
                // Whitespace-only text is the writer's indentation between elements.
                let decoded = text.decode().unwrap();
                if !decoded.trim().is_empty() {
                    stack.last_mut().unwrap().text.push_str(&decoded);
                }
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().unwrap().into_owned();
                let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                    .map(str::to_owned)
                    .or_else(|| reference.resolve_char_ref().unwrap().map(String::from))
                    .unwrap_or_else(|| panic!("unknown entity &{name};"));
                stack.last_mut().unwrap().text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    let mut root = stack.pop().unwrap();
    root.children.remove(0)
}

fn sale_document() -> Element {
    parse(&render_poslog(&pos_support::sale(), &PoslogOptions::default()).unwrap())
}

#[test]
fn root_is_poslog_version_6() {
    let root = sale_document();
    assert_eq!(root.name, "POSLog");
    assert_eq!(root.attribute("xmlns"), ARTS_NAMESPACE);
    assert_eq!(root.attribute("MajorVersion"), "6");
}

#[test]
fn transaction_header_elements_hold_values() {
    let root = sale_document();
    let transaction = root.child("Transaction");
    let expected = [
        ("BusinessUnit/UnitID", "UK-LON-001"),
        ("WorkstationID", "WALKOUT-1"),
        ("SequenceNumber", "42"),
        ("TransactionID", "0197f2a4-0000-7000-8000-00000000abcd-v1"),
        ("CurrencyCode", "GBP"),
        ("BusinessDayDate", "2025-07-14"),
        ("BeginDateTime", "2025-07-14T16:01:00Z"),
        ("EndDateTime", "2025-07-14T16:05:09Z"),
    ];
    for (path, value) in expected {
        assert_eq!(transaction.path(path).text, value, "{path}");
    }
    let unit = transaction.path("BusinessUnit/UnitID");
    assert_eq!(unit.attribute("Name"), "Walkout Demo & Co <London>");
    assert_eq!(transaction.attribute("TrainingModeFlag"), "false");
}

#[test]
fn sale_line_items_hold_values() {
    let root = sale_document();
    let retail = root.path("Transaction/RetailTransaction");
    let items = retail.all("LineItem");
    let sale = items[0].child("Sale");
    let expected = [
        ("ItemID", "85123A"),
        ("Description", "HEART T-LIGHT HOLDER, \"WHITE\""),
        ("RegularSalesUnitPrice", "2.55"),
        ("ActualSalesUnitPrice", "2.25"),
        ("ExtendedAmount", "4.50"),
        ("Quantity", "2"),
        ("RetailPriceModifier/Amount", "0.60"),
        ("RetailPriceModifier/ReasonCode", "Hearts 2 for 4.50 & more"),
    ];
    for (path, value) in expected {
        assert_eq!(sale.path(path).text, value, "{path}");
    }
    assert_eq!(sale.child("Quantity").attribute("UnitOfMeasureCode"), "EA");
    assert_eq!(items[0].child("SequenceNumber").text, "1");

    let bananas = items[1].child("Sale");
    assert_eq!(
        bananas.child("Description").text,
        "Bananes crème brûlée\nloose"
    );
    assert_eq!(
        bananas.child("Quantity").attribute("UnitOfMeasureCode"),
        "KGM"
    );
}

#[test]
fn tax_tender_and_totals_hold_values() {
    let root = sale_document();
    let retail = root.path("Transaction/RetailTransaction");
    let items = retail.all("LineItem");

    let tax = items[3].child("Tax");
    assert_eq!(tax.child("TaxableAmount").text, "4.50");
    assert_eq!(
        tax.child("TaxableAmount")
            .attribute("TaxIncludedInTaxableAmountFlag"),
        "true"
    );
    assert_eq!(tax.child("Amount").text, "0.75");
    assert_eq!(tax.child("Percent").text, "20.00");

    let tender = items[4].child("Tender");
    assert_eq!(tender.attribute("TenderType"), "CreditDebit");
    assert_eq!(tender.child("Amount").text, "5.00");
    assert_eq!(
        tender.path("CreditDebit/CreditCardCompanyCode").text,
        "visa"
    );
    assert_eq!(
        tender.path("CreditDebit/PrimaryAccountNumber").text,
        "****4242"
    );

    let totals: Vec<(&str, &str)> = retail
        .all("Total")
        .iter()
        .map(|total| (total.attribute("TotalType"), total.text.as_str()))
        .collect();
    assert_eq!(
        totals,
        [
            ("TransactionNetAmount", "4.25"),
            ("TransactionTaxAmount", "0.75"),
            ("TransactionGrandAmount", "5.00"),
        ]
    );
}

#[test]
fn return_uses_return_elements_and_links_the_sale() {
    let xml = render_poslog(&pos_support::return_of_one(), &PoslogOptions::default()).unwrap();
    let root = parse(&xml);
    let transaction = root.child("Transaction");
    assert_eq!(transaction.attribute("TypeCode"), "ReturnTransaction");
    let retail = transaction.child("RetailTransaction");
    let returned = retail.all("LineItem")[0].child("Return");
    assert_eq!(returned.child("ExtendedAmount").text, "2.25");
    assert_eq!(
        retail.path("TransactionLink/TransactionID").text,
        pos_support::sale().transaction_id
    );
    let tender = retail.all("LineItem")[2].child("Tender");
    assert_eq!(tender.attribute("TypeCode"), "Refund");
}

#[test]
fn special_characters_are_escaped() {
    let xml =
        String::from_utf8(render_poslog(&pos_support::sale(), &PoslogOptions::default()).unwrap())
            .unwrap();
    assert!(xml.contains("Hearts 2 for 4.50 &amp; more"), "{xml}");
    assert!(
        xml.contains("Walkout Demo &amp; Co &lt;London&gt;"),
        "{xml}"
    );
}

#[test]
fn namespace_is_configurable() {
    let options = PoslogOptions {
        namespace: "http://www.nrf-arts.org/IXRetail/v6.0.0/poslog".to_owned(),
    };
    let root = parse(&render_poslog(&pos_support::sale(), &options).unwrap());
    assert_eq!(root.attribute("xmlns"), options.namespace);
}

#[tokio::test]
async fn folder_sink_writes_once() {
    let folder = tempfile::tempdir().unwrap();
    let sink = PoslogFolderSink::new(folder.path(), PoslogOptions::default());
    let transaction = pos_support::sale();

    let first = sink.export(&transaction).await.unwrap();
    let second = sink.export(&transaction).await.unwrap();

    let name = format!("UK-LON-001_20250714_{}.xml", transaction.transaction_id);
    assert!(first.location.ends_with(&name));
    assert!(second.already_exported);
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
}
