//! A dispatch decision as an operator reads it later: every candidate with
//! its cost, the courier chosen, and why it won.

use foodiefast_geo::assignment::Candidate;
use foodiefast_geo::{OrderId, Seconds};

/// One offer's decision (stored as JSON: see
/// [`DecisionStore`](crate::store::DecisionStore)).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    /// When the round ran.
    pub at: Seconds,
    /// The offer made.
    pub offer: u64,
    /// The bundle's orders, in drop-off sequence.
    pub orders: Vec<OrderId>,
    /// The chosen courier's plan and cost.
    pub chosen: Candidate,
    /// Every candidate considered, cheapest first.
    pub candidates: Vec<Candidate>,
    /// Why the chosen courier won, in words.
    pub why: String,
}

/// Explains a choice: the cheapest candidate wins unless the optimal round
/// gave it to a bundle that needed it more.
pub fn explain(chosen: &Candidate, candidates: &[Candidate]) -> String {
    let n = candidates.len();
    let minutes = |c: &Candidate| c.approach.as_minutes();
    match candidates.first() {
        Some(best) if best.courier == chosen.courier => match candidates.get(1) {
            Some(next) => format!(
                "courier {} had the lowest cost ({}, {:.0} min away) of {n} candidates; next best was courier {} at cost {}",
                chosen.courier,
                chosen.cost,
                minutes(chosen),
                next.courier,
                next.cost
            ),
            None => format!(
                "courier {} was the only candidate (cost {}, {:.0} min away)",
                chosen.courier,
                chosen.cost,
                minutes(chosen)
            ),
        },
        _ => {
            let cheaper: Vec<String> = candidates
                .iter()
                .take_while(|c| c.cost < chosen.cost)
                .map(|c| format!("{} ({})", c.courier, c.cost))
                .collect();
            format!(
                "courier {} (cost {}) won the round's optimal assignment; cheaper candidates {} were worth more to other orders or not free",
                chosen.courier,
                chosen.cost,
                cheaper.join(", ")
            )
        }
    }
}
