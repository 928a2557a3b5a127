-- Store settings, tax rates, the catalog with its barcode index, and promotions.
--
-- Booleans are BIGINT 0 or 1 and times are unix milliseconds, as in the other tables, so that
-- one query text reads both engines through sqlx's Any driver.

-- One row per store. A store without a row has no settings, except the demo store
-- 'UK-LON-001', whose defaults the service applies until a row is written.
CREATE TABLE store_settings (
    store_id             TEXT PRIMARY KEY,     -- the JWO storeId, e.g. 'UK-LON-001'
    name                 TEXT NOT NULL,        -- display name, the receipt's businessUnit name
    currency             TEXT NOT NULL,        -- ISO 4217 code, upper case; every item is priced in it
    time_zone            TEXT NOT NULL,        -- IANA time zone name, e.g. 'Europe/London'
    prices_include_tax   BIGINT NOT NULL,      -- 1: catalog prices include tax; 0: tax is added
    default_tax_rate_bp  BIGINT,               -- rate for tax codes without a store_tax_rates row;
                                               -- NULL: pricing rejects such an item
    updated_at           BIGINT NOT NULL       -- unix milliseconds of the last change
);

-- Tax rate of each product_tax_code of a store.
CREATE TABLE store_tax_rates (
    store_id  TEXT NOT NULL,
    tax_code  TEXT NOT NULL,                   -- product_tax_code as written in the catalog, matched exactly
    rate_bp   BIGINT NOT NULL,                 -- basis points: 2000 is 20%
    PRIMARY KEY (store_id, tax_code)
);

-- Catalog items, one per store and SKU. SKUs compare case-insensitively through sku_key,
-- because carts and files spell suffix letters in either case ('85123a' and '85123A').
CREATE TABLE catalog_items (
    store_id                  TEXT NOT NULL,
    sku_key                   TEXT NOT NULL,   -- item_sku trimmed and upper-cased: the lookup key
    item_sku                  TEXT NOT NULL,   -- the SKU as last imported, for receipts and the POS
    item_name                 TEXT NOT NULL,   -- 1 to 100 characters, printed on receipts
    price_minor               BIGINT NOT NULL, -- standard_price in minor units of currency, per unit
    currency                  TEXT NOT NULL,   -- ISO 4217 code, upper case
    unit                      TEXT NOT NULL,   -- what the price is per: 'each', 'kg' or 'lb'
    tax_code                  TEXT NOT NULL,   -- product_tax_code; its rate is in store_tax_rates
    category                  TEXT NOT NULL,   -- product_category ('' when none); promotions target it
    subcategory               TEXT NOT NULL,   -- product_subcategory ('' when none)
    brand                     TEXT NOT NULL,   -- brand_name ('' when none)
    external_product_id       TEXT NOT NULL,   -- primary barcode ('' when none)
    external_product_id_type  TEXT NOT NULL,   -- UPC, EAN, EAN8, ISBN, GTIN or PLU ('' when no barcode)
    additional_barcodes       TEXT NOT NULL,   -- extra barcodes separated by ';' ('' when none)
    updated_at                BIGINT NOT NULL, -- unix milliseconds of the import that wrote the row
    PRIMARY KEY (store_id, sku_key)
);

-- Barcode index: the primary barcode and every additional barcode of each item. When two
-- items claim one barcode, the later import wins.
CREATE TABLE catalog_barcodes (
    store_id     TEXT NOT NULL,
    barcode_key  TEXT NOT NULL,                -- GTIN-14 (zero-padded) for 8-, 12-, 13- and 14-digit
                                               -- barcodes, so UPC-A and its EAN-13 form match; else as written
    barcode      TEXT NOT NULL,                -- as written in the catalog
    sku_key      TEXT NOT NULL,                -- catalog_items.sku_key of the item
    is_primary   BIGINT NOT NULL,              -- 1 for external_product_id, 0 for an additional barcode
    PRIMARY KEY (store_id, barcode_key)
);
CREATE INDEX catalog_barcodes_by_item ON catalog_barcodes (store_id, sku_key);

-- Store promotions, read by the pricing engine for carts within their active window.
CREATE TABLE promotions (
    store_id     TEXT NOT NULL,
    id           TEXT NOT NULL,                -- chosen by the caller, or a generated UUID v7
    name         TEXT NOT NULL,                -- text of the receipt's discount line
    stackable    BIGINT NOT NULL,              -- 1: applies on top of other promotions
    kind         TEXT NOT NULL,                -- JSON rule, e.g. {"type":"percent_off","target":{"category":"kitchen"},"basis_points":1000}
    active_from  BIGINT,                       -- unix milliseconds, inclusive; NULL: no start
    active_to    BIGINT,                       -- unix milliseconds, exclusive; NULL: no end
    created_at   BIGINT NOT NULL,              -- unix milliseconds; promotions apply in this order
    PRIMARY KEY (store_id, id)
);
