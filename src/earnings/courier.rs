//! A courier's pay for a period: each delivered order's fee, and over the
//! period `max(orders pay, hours online x guaranteed hourly rate)`, the
//! difference paid as a top-up (the MDRP's rule, per period rather than
//! per shift). Hours online are the seconds of the courier's shift
//! sessions inside the period; a session still open counts up to now or
//! its planned end, whichever is first.

use foodiefast_geo::OrderId;

use super::{PayRates, Period, div_round};
use crate::store::{Delivery, Session};

/// One paid delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeLine {
    /// The order.
    pub order: OrderId,
    /// When it was delivered, Unix seconds.
    pub delivered_at: i64,
    /// The fee, cents.
    pub fee_cents: i64,
}

/// A courier's pay for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourierStatement {
    /// Every delivery in the period, in order.
    pub lines: Vec<FeeLine>,
    /// The fees' sum, cents.
    pub orders_pay_cents: i64,
    /// Seconds online inside the period.
    pub online_seconds: i64,
    /// What the hours online guarantee, cents (rounded to the nearest cent).
    pub guarantee_cents: i64,
    /// What the guarantee adds to the fees, cents (0 when the fees exceed it).
    pub top_up_cents: i64,
    /// What is payable: the fees plus the top-up, cents.
    pub total_cents: i64,
}

impl CourierStatement {
    /// The statement over `period` of a courier's `deliveries` (those in
    /// the period) and `sessions` (those overlapping it), at `now`.
    pub fn compute(
        rates: PayRates,
        period: Period,
        deliveries: &[Delivery],
        sessions: &[Session],
        now: i64,
    ) -> Self {
        let lines: Vec<FeeLine> = deliveries
            .iter()
            .filter(|d| period.contains(d.delivered_at))
            .map(|d| FeeLine {
                order: d.order,
                delivered_at: d.delivered_at,
                fee_cents: rates.per_order_cents,
            })
            .collect();
        let orders_pay_cents = lines.iter().map(|l| l.fee_cents).sum::<i64>();
        let online_seconds = sessions
            .iter()
            .map(|s| {
                let end = s
                    .ended_at
                    .unwrap_or_else(|| s.shift_end.map_or(now, |planned| planned.min(now)));
                period.overlap(s.started_at, end)
            })
            .sum::<i64>();
        let guarantee_cents = div_round(
            i128::from(online_seconds) * i128::from(rates.guarantee_per_hour_cents),
            3_600,
        );
        let top_up_cents = (guarantee_cents - orders_pay_cents).max(0);
        Self {
            lines,
            orders_pay_cents,
            online_seconds,
            guarantee_cents,
            top_up_cents,
            total_cents: orders_pay_cents + top_up_cents,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: PayRates = PayRates {
        per_order_cents: 1_000,
        guarantee_per_hour_cents: 1_500,
        commission_bps: 1_500,
    };
    const DAY: Period = Period {
        from: 0,
        to: 86_400,
    };

    fn delivered(order: u64, at: i64) -> Delivery {
        Delivery {
            order: OrderId(order),
            delivered_at: at,
        }
    }

    fn session(start: i64, end: Option<i64>, planned: Option<i64>) -> Session {
        Session {
            started_at: start,
            ended_at: end,
            shift_end: planned,
        }
    }

    #[test]
    fn few_orders_over_long_hours_are_topped_up_to_the_guarantee() {
        // Four hours online, two orders: 20.00 in fees against 60.00 guaranteed.
        let s = CourierStatement::compute(
            RATES,
            DAY,
            &[delivered(1, 3_600), delivered(2, 7_200)],
            &[session(0, Some(4 * 3_600), Some(8 * 3_600))],
            86_400,
        );
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.orders_pay_cents, 2_000);
        assert_eq!(s.online_seconds, 14_400);
        assert_eq!(s.guarantee_cents, 6_000);
        assert_eq!(s.top_up_cents, 4_000);
        assert_eq!(s.total_cents, 6_000);
    }

    #[test]
    fn many_orders_are_paid_per_order_with_no_top_up() {
        let deliveries: Vec<_> = (1..=7).map(|i| delivered(i, 600 * i as i64)).collect();
        let s = CourierStatement::compute(
            RATES,
            DAY,
            &deliveries,
            &[session(0, Some(3_600), None)],
            86_400,
        );
        assert_eq!(
            (s.orders_pay_cents, s.guarantee_cents, s.top_up_cents),
            (7_000, 1_500, 0)
        );
        assert_eq!(s.total_cents, 7_000);
    }

    #[test]
    fn the_guarantee_rounds_to_the_nearest_cent() {
        // 1 h 0 min 1 s at 15.00/h is 1500.4166 cents; 1 s at 18.00/h is 0.5.
        let s = CourierStatement::compute(RATES, DAY, &[], &[session(0, Some(3_601), None)], 0);
        assert_eq!(s.guarantee_cents, 1_500);
        let odd = PayRates {
            guarantee_per_hour_cents: 1_800,
            ..RATES
        };
        let s = CourierStatement::compute(odd, DAY, &[], &[session(10, Some(11), None)], 0);
        assert_eq!((s.guarantee_cents, s.total_cents), (1, 1));
        let s = CourierStatement::compute(odd, DAY, &[], &[session(10, Some(10), None)], 0);
        assert_eq!((s.online_seconds, s.total_cents), (0, 0));
    }

    #[test]
    fn only_seconds_and_orders_inside_the_period_count() {
        let period = Period {
            from: 10_000,
            to: 20_000,
        };
        let s = CourierStatement::compute(
            RATES,
            period,
            &[
                delivered(1, 9_999),
                delivered(2, 10_000),
                delivered(3, 20_000),
            ],
            &[
                session(5_000, Some(12_000), None),
                session(15_000, Some(25_000), None),
            ],
            30_000,
        );
        assert_eq!(s.lines.iter().map(|l| l.order.0).collect::<Vec<_>>(), [2]);
        assert_eq!(s.online_seconds, 2_000 + 5_000);
    }

    #[test]
    fn an_open_session_counts_up_to_now_or_its_planned_end() {
        let open = [session(0, None, Some(7_200))];
        let at_now = CourierStatement::compute(RATES, DAY, &[], &open, 3_600);
        assert_eq!(at_now.online_seconds, 3_600);
        let past_end = CourierStatement::compute(RATES, DAY, &[], &open, 50_000);
        assert_eq!(past_end.online_seconds, 7_200);
        let unplanned = [session(0, None, None)];
        let s = CourierStatement::compute(RATES, DAY, &[], &unplanned, 1_800);
        assert_eq!((s.online_seconds, s.guarantee_cents), (1_800, 750));
    }
}
