//! The ordering connector: JWO's CreatePurchases, from a validated cart to a priced purchase,
//! a captured payment, a receipt and the POS export.

pub mod request;
