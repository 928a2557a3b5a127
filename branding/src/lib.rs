//! Brand packs for the white-label shopper apps, and the code behind the `walkout-brand` tool.
//!
//! A brand pack (`branding/brands/<id>/`) holds one retailer's name, store ids, colors, fonts,
//! icons, contacts, feature flags and strings. [`validate_pack`] checks a pack against every
//! rule; [`apply`] turns a valid pack into iOS and Android resources. Nothing here touches the
//! network or the app core.

mod apply;
pub mod color;
pub mod output;
mod pack;
pub mod placeholders;
mod problem;
pub mod render;
pub mod schema;
mod validate;

pub use apply::{ApplyError, apply};
pub use pack::{Pack, PackError, Strings};
pub use problem::Problem;
pub use validate::{REQUIRED_KEYS, list_brands, validate_pack};
