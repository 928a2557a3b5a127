//! The values that pass between the steps of a scan's decision: the verdict with its admission
//! or denial, a code that passed its read-only checks, and a scan still waiting for its group's
//! first scan. They contain no logic beyond construction, so the steps in `decide` and `scan` can
//! share them without depending on each other.

use super::entry_credentials::StoredCredential;
use super::group::CodeKey;
use super::static_keys::VisitorType;
use super::trips::NewTrip;
use crate::problem::ProblemKind;
use crate::shoppers::ShopperRecord;

/// The gate's decision on one scan, before it is recorded.
pub(crate) enum Verdict {
    Admit(Admission),
    Deny(Denial),
}

impl Verdict {
    /// The metric label and log reason: `admitted` or the denial's slug.
    pub fn reason(&self) -> &'static str {
        match self {
            Verdict::Admit(_) => "admitted",
            Verdict::Deny(denial) => denial.kind.slug,
        }
    }
}

pub(crate) struct Admission {
    pub visitor_id: String,
    pub visitor_type: VisitorType,
    pub credential_id: Option<String>,
    pub trip: TripChange,
}

pub(crate) enum TripChange {
    /// The first scan opens a trip; `code` is `None` for a static key.
    Open {
        trip: NewTrip,
        code: Option<CodeKey>,
    },
    /// A companion joins the trip of its code's first scan.
    Join { trip_id: String, ordinal: i64 },
}

pub(crate) struct Denial {
    pub kind: ProblemKind,
    pub detail: String,
    pub credential_id: Option<String>,
    /// Recipient of the `entry-denied` event: the shopper, when the code's tag was valid.
    pub notify: Option<String>,
    /// The first scan of a group that this denial closes: its code and trip id.
    pub leader: Option<(CodeKey, String)>,
}

impl Denial {
    pub(super) fn new(kind: ProblemKind, detail: impl Into<String>) -> Denial {
        Denial {
            kind,
            detail: detail.into(),
            credential_id: None,
            notify: None,
            leader: None,
        }
    }
}

/// An entry code that passed every check that only reads: known credential, inside its step
/// window, authentic tag.
pub(crate) struct ValidCode {
    pub credential: StoredCredential,
    pub code: CodeKey,
    /// The credential's shopper, read before the scan is counted against its group.
    pub shopper: Option<ShopperRecord>,
}

/// A scan after its read-only checks.
pub(crate) enum Prepared {
    /// Decided without the group count: a static key, or a code denied by its own checks.
    Decided(Verdict),
    /// A valid entry code, still to be counted against its group.
    Code(ValidCode),
}

/// A scan counted against its group whose outcome depends on the group's first scan.
pub(crate) enum Pending {
    /// The first scan: the shopper checks and the payment hold decide.
    Leader { valid: ValidCode, trip_id: String },
    /// A companion of a first scan that was still undecided when it was counted.
    Companion {
        valid: ValidCode,
        trip_id: String,
        ordinal: i64,
    },
}

/// Outcome of the group count.
pub(crate) enum Settled {
    Decided(Verdict),
    Pending(Pending),
}
