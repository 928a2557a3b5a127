//! Export of finished sales and returns to the retailer's point-of-sale (POS) system.
