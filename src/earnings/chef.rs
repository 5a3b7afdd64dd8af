//! What a kitchen is owed for a period, from its orders' logs: each order
//! whose payment was captured or refunded in the period is a line, gross
//! what was captured in it, less what was refunded in it, less the
//! platform's commission on the difference (basis points, rounded to the
//! nearest cent, halves away from zero). A refund in a later period is a
//! line of that period with a negative net, and gives back the commission
//! taken on it, so statements once issued never change.

use foodiefast_actors::domain::order::OrderEvent;
use foodiefast_geo::OrderId;

use super::{Period, div_round};

/// One order's money in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaleLine {
    /// The order.
    pub order: OrderId,
    /// When its payment was captured (Unix seconds), if in the period.
    pub captured_at: Option<i64>,
    /// Captured in the period, cents.
    pub gross_cents: i64,
    /// Refunded in the period, cents.
    pub refunded_cents: i64,
    /// The platform's commission on `gross - refunded`, cents (negative
    /// when refunds in the period exceed captures in it).
    pub commission_cents: i64,
    /// What the kitchen is owed: `gross - refunded - commission`, cents.
    pub net_cents: i64,
}

impl SaleLine {
    /// The line of `order` in `period`, from its log; `None` when no money
    /// moved in the period.
    pub fn of(
        order: OrderId,
        log: &[OrderEvent],
        period: Period,
        commission_bps: i64,
    ) -> Option<Self> {
        let mut captured_at = None;
        let (mut gross, mut refunded) = (0_i64, 0_i64);
        let mut moved = false;
        for event in log {
            match event {
                OrderEvent::PaymentCaptured { at, amount_cents } if period.contains(at.0) => {
                    captured_at = Some(at.0);
                    gross = gross.saturating_add(*amount_cents);
                    moved = true;
                }
                OrderEvent::PaymentRefunded {
                    at, amount_cents, ..
                } if period.contains(at.0) => {
                    refunded = refunded.saturating_add(*amount_cents);
                    moved = true;
                }
                _ => {}
            }
        }
        if !moved {
            return None;
        }
        let kept = gross.saturating_sub(refunded);
        let commission = div_round(i128::from(kept) * i128::from(commission_bps), 10_000);
        Some(Self {
            order,
            captured_at,
            gross_cents: gross,
            refunded_cents: refunded,
            commission_cents: commission,
            net_cents: kept.saturating_sub(commission),
        })
    }
}

/// A kitchen's statement: its lines and their sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChefStatement {
    /// One line per order whose money moved, by order id.
    pub lines: Vec<SaleLine>,
    /// Captured, cents.
    pub gross_cents: i64,
    /// Refunded, cents.
    pub refunded_cents: i64,
    /// The platform's commission, cents.
    pub commission_cents: i64,
    /// Payable to the kitchen, cents.
    pub net_cents: i64,
}

impl ChefStatement {
    /// The statement of `lines`.
    pub fn of(lines: Vec<SaleLine>) -> Self {
        let sum = |f: fn(&SaleLine) -> i64| lines.iter().map(f).sum::<i64>();
        Self {
            gross_cents: sum(|l| l.gross_cents),
            refunded_cents: sum(|l| l.refunded_cents),
            commission_cents: sum(|l| l.commission_cents),
            net_cents: sum(|l| l.net_cents),
            lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use foodiefast_geo::Seconds;

    use super::*;

    const DAY: Period = Period {
        from: 0,
        to: 86_400,
    };

    fn captured(at: i64, amount: i64) -> OrderEvent {
        OrderEvent::PaymentCaptured {
            at: Seconds(at),
            amount_cents: amount,
        }
    }

    fn refunded(at: i64, seq: u32, amount: i64) -> OrderEvent {
        OrderEvent::PaymentRefunded {
            at: Seconds(at),
            seq,
            amount_cents: amount,
            refund: format!("re_{seq}"),
        }
    }

    #[test]
    fn a_captured_order_pays_its_gross_less_the_commission() {
        let line = SaleLine::of(OrderId(1), &[captured(100, 2_500)], DAY, 1_500).unwrap();
        assert_eq!(
            (line.gross_cents, line.commission_cents, line.net_cents),
            (2_500, 375, 2_125)
        );
        assert_eq!(line.captured_at, Some(100));
    }

    #[test]
    fn commissions_round_to_the_nearest_cent() {
        // 15 % of 10.03 is 1.5045; of 10.10, 1.515.
        let a = SaleLine::of(OrderId(1), &[captured(1, 1_003)], DAY, 1_500).unwrap();
        assert_eq!((a.commission_cents, a.net_cents), (150, 853));
        let b = SaleLine::of(OrderId(2), &[captured(1, 1_010)], DAY, 1_500).unwrap();
        assert_eq!((b.commission_cents, b.net_cents), (152, 858));
        let none = SaleLine::of(OrderId(3), &[captured(1, 1_010)], DAY, 0).unwrap();
        assert_eq!(none.net_cents, 1_010);
    }

    #[test]
    fn refunds_are_deducted_and_their_commission_given_back() {
        let log = [
            captured(100, 2_000),
            refunded(200, 1, 500),
            refunded(300, 2, 300),
        ];
        let line = SaleLine::of(OrderId(1), &log, DAY, 1_500).unwrap();
        assert_eq!(
            (
                line.gross_cents,
                line.refunded_cents,
                line.commission_cents,
                line.net_cents
            ),
            (2_000, 800, 180, 1_020)
        );
        // Captured yesterday, refunded in full today: today gives it all back.
        let today = Period {
            from: 150,
            to: 86_400,
        };
        let log = [captured(100, 1_010), refunded(200, 1, 1_010)];
        let before = SaleLine::of(OrderId(1), &log, Period { from: 0, to: 150 }, 1_500).unwrap();
        let after = SaleLine::of(OrderId(1), &log, today, 1_500).unwrap();
        assert_eq!(after.captured_at, None);
        assert_eq!(
            (
                after.gross_cents,
                after.refunded_cents,
                after.commission_cents
            ),
            (0, 1_010, -152)
        );
        assert_eq!(before.net_cents + after.net_cents, 0);
        assert_eq!(before.commission_cents + after.commission_cents, 0);
    }

    #[test]
    fn orders_with_no_money_in_the_period_have_no_line_and_totals_add_up() {
        let outside = Period {
            from: 1_000,
            to: 2_000,
        };
        assert_eq!(
            SaleLine::of(OrderId(1), &[captured(100, 900)], outside, 1_500),
            None
        );
        let statement = ChefStatement::of(vec![
            SaleLine::of(OrderId(1), &[captured(100, 1_000)], DAY, 1_500).unwrap(),
            SaleLine::of(
                OrderId(2),
                &[captured(100, 2_000), refunded(150, 1, 2_000)],
                DAY,
                1_500,
            )
            .unwrap(),
        ]);
        assert_eq!(
            (
                statement.gross_cents,
                statement.refunded_cents,
                statement.commission_cents,
                statement.net_cents
            ),
            (3_000, 2_000, 150, 850)
        );
    }
}
