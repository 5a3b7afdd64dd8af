//! Tables of solution metrics for people: one solution's metrics in full
//! ([`write_metrics`]), and a run over many instances as one row per
//! instance ([`write_instance_table`]) and one per instance class
//! ([`write_class_table`]: all, then o100/o50/r50, t100/t75, s1/s2,
//! p100/p125), each class row averaging its instances as the MDRP
//! literature does.

use std::io::{self, Write};

use super::metrics::{Distribution, Metrics, mean};

/// The classes of an instance name `<seed><size>t<travel>s<schedule>p<prep>`
/// (e.g. `3o100t75s2p125` -> `o100`, `t75`, `s2`, `p125`); `None` for a name
/// of another shape.
pub fn instance_classes(name: &str) -> Option<[String; 4]> {
    let rest = name.trim_start_matches(|c: char| c.is_ascii_digit());
    let t = rest.find('t')?;
    let s = t + rest.get(t..)?.find('s')?;
    let p = s + rest.get(s..)?.find('p')?;
    let classes = [
        rest.get(..t)?,
        rest.get(t..s)?,
        rest.get(s..p)?,
        rest.get(p..)?,
    ];
    let well_formed = classes
        .iter()
        .all(|c| c.len() > 1 && c.chars().skip(1).all(|d| d.is_ascii_digit()))
        && rest.len() < name.len();
    well_formed.then(|| classes.map(str::to_owned))
}

/// The classes of the MDRP instance set, in the order the table shows them.
const CLASSES: [&str; 9] = [
    "o100", "o50", "r50", "t100", "t75", "s1", "s2", "p100", "p125",
];

/// One row of a table: instances averaged.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    label: String,
    instances: usize,
    orders: f64,
    undelivered_percent: f64,
    click_to_door: Option<f64>,
    lower_bound: Option<f64>,
    p90: Option<f64>,
    overage: Option<f64>,
    ready_to_pickup: Option<f64>,
    pay_per_order: Option<f64>,
    orders_per_courier_hour: f64,
    utilisation_percent: f64,
}

impl Row {
    fn of(label: &str, runs: &[&Metrics]) -> Option<Self> {
        let runs = runs.iter().copied();
        let avg = |f: fn(&Metrics) -> Option<f64>| mean(runs.clone().filter_map(f));
        let distribution_avg = |f: fn(&Distribution) -> f64| {
            mean(runs.clone().filter_map(|m| m.click_to_door.map(|d| f(&d))))
        };
        Some(Self {
            label: label.to_owned(),
            instances: runs.clone().count(),
            orders: avg(|m| Some(m.orders as f64))?,
            undelivered_percent: avg(|m| Some(m.undelivered_percent))?,
            click_to_door: distribution_avg(|d| d.mean),
            lower_bound: avg(|m| m.lower_bound.mean_delivered),
            p90: distribution_avg(|d| d.p90),
            overage: avg(|m| m.click_to_door_overage.map(|d| d.mean)),
            ready_to_pickup: avg(|m| m.ready_to_pickup.map(|d| d.mean)),
            pay_per_order: avg(|m| m.couriers.pay_per_order),
            orders_per_courier_hour: avg(|m| Some(m.couriers.orders_per_courier_hour))?,
            utilisation_percent: 100.0 * avg(|m| Some(m.couriers.utilisation))?,
        })
    }

    /// Mean click-to-door over the mean lower bound.
    fn ratio(&self) -> Option<f64> {
        self.click_to_door.zip(self.lower_bound).map(|(c, b)| c / b)
    }
}

const HEADER: &str = "instances  orders  undeliv%  click-to-door  bound  ratio    p90  over40  ready-to-pickup  pay/order  orders/h  util%";

fn write_row(out: &mut impl Write, width: usize, row: &Row) -> io::Result<()> {
    let opt = |v: Option<f64>, decimals: usize| {
        v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.decimals$}"))
    };
    writeln!(
        out,
        "{:<width$}  {:>9}  {:>6.0}  {:>8.2}  {:>13}  {:>5}  {:>5}  {:>5}  {:>6}  {:>15}  {:>9}  {:>8.2}  {:>5.1}",
        row.label,
        row.instances,
        row.orders,
        row.undelivered_percent,
        opt(row.click_to_door, 2),
        opt(row.lower_bound, 2),
        opt(row.ratio(), 3),
        opt(row.p90, 1),
        opt(row.overage, 2),
        opt(row.ready_to_pickup, 2),
        opt(row.pay_per_order, 2),
        row.orders_per_courier_hour,
        row.utilisation_percent,
    )
}

fn write_table(out: &mut impl Write, first_column: &str, rows: &[Row]) -> io::Result<()> {
    let width = rows
        .iter()
        .map(|r| r.label.len())
        .chain([first_column.len()])
        .max()
        .unwrap_or_default();
    writeln!(out, "{first_column:<width$}  {HEADER}")?;
    for row in rows {
        write_row(out, width, row)?;
    }
    Ok(())
}

/// One row per instance, in the order given. Times in minutes: means, but
/// `p90`; `bound` is the mean lower bound of the delivered orders and
/// `ratio` the mean click-to-door over it.
pub fn write_instance_table(out: &mut impl Write, runs: &[Metrics]) -> io::Result<()> {
    let rows: Vec<Row> = runs
        .iter()
        .filter_map(|m| Row::of(&m.instance, &[m]))
        .collect();
    write_table(out, "instance", &rows)
}

/// One row for all instances, then one per class with at least one
/// instance; each value is the mean of the instances' values.
pub fn write_class_table(out: &mut impl Write, runs: &[Metrics]) -> io::Result<()> {
    let all: Vec<&Metrics> = runs.iter().collect();
    let mut rows: Vec<Row> = Row::of("all", &all).into_iter().collect();
    for class in CLASSES {
        let members: Vec<&Metrics> = runs
            .iter()
            .filter(|m| instance_classes(&m.instance).is_some_and(|c| c.iter().any(|c| c == class)))
            .collect();
        rows.extend(Row::of(class, &members));
    }
    write_table(out, "class", &rows)
}

/// One solution's metrics in full, a measure per line.
pub fn write_metrics(out: &mut impl Write, m: &Metrics) -> io::Result<()> {
    writeln!(out, "metrics of {}", m.instance)?;
    writeln!(
        out,
        "  orders delivered          {} of {} ({:.2}% undelivered)",
        m.delivered, m.orders, m.undelivered_percent
    )?;
    writeln!(
        out,
        "  {:<24}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}",
        "minutes", "mean", "std", "min", "p10", "median", "p90", "max"
    )?;
    let target = format!("over {} target", m.target_click_to_door);
    for (name, d) in [
        ("click-to-door", m.click_to_door),
        ("ready-to-door", m.ready_to_door),
        ("ready-to-pickup", m.ready_to_pickup),
        (target.as_str(), m.click_to_door_overage),
    ] {
        match d {
            Some(d) => writeln!(
                out,
                "  {name:<24}  {:>6.2}  {:>6.2}  {:>6.1}  {:>6.1}  {:>6.1}  {:>6.1}  {:>6.1}",
                d.mean, d.std, d.min, d.p10, d.median, d.p90, d.max
            )?,
            None => writeln!(out, "  {name:<24}  n/a (nothing delivered)")?,
        }
    }
    let b = &m.lower_bound;
    let opt = |v: Option<f64>, decimals: usize| {
        v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.decimals$}"))
    };
    writeln!(
        out,
        "  lower bound (mean)        {} min delivered, {} min all orders; click-to-door / bound {}",
        opt(b.mean_delivered, 2),
        opt(b.mean_all_orders, 2),
        opt(b.click_to_door_ratio, 3)
    )?;
    let c = &m.couriers;
    writeln!(
        out,
        "  couriers                  {} over {:.1} shift hours: {:.2} orders and {:.2} bundles per courier-hour, {:.1}% utilisation",
        c.couriers,
        c.shift_hours,
        c.orders_per_courier_hour,
        c.bundles_per_courier_hour,
        100.0 * c.utilisation
    )?;
    writeln!(
        out,
        "  courier pay               {:.2} in total, {} per order, {:.1}% of couriers paid the guarantee",
        c.total_pay,
        opt(c.pay_per_order, 2),
        100.0 * c.guaranteed_share
    )?;
    writeln!(
        out,
        "  prepositioning            {} moves to a restaurant without a pickup",
        c.prepositioning_moves
    )?;
    let sizes: Vec<String> = m
        .bundles
        .sizes
        .iter()
        .map(|(size, count)| format!("{size}: {count}"))
        .collect();
    writeln!(
        out,
        "  bundles                   {} (mean size {}; by size {})",
        m.bundles.bundles,
        opt(m.bundles.mean_size, 2),
        if sizes.is_empty() {
            "none".to_owned()
        } else {
            sizes.join(", ")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdrp::fixture::Fixture;
    use crate::mdrp::fixture_solution::feasible;
    use crate::mdrp::{Instance, metrics};

    /// The fixture's metrics under another name, with the given mean
    /// click-to-door, mean bound and undelivered share.
    fn run(name: &str, click_to_door: f64, bound: f64, undelivered: f64) -> Metrics {
        let fixture = Fixture::valid();
        let instance = Instance::load(fixture.path()).unwrap();
        let mut m = metrics::measure(&instance, &feasible()).unwrap();
        m.instance = name.to_owned();
        m.click_to_door.as_mut().unwrap().mean = click_to_door;
        m.lower_bound.mean_delivered = Some(bound);
        m.undelivered_percent = undelivered;
        m
    }

    fn table(
        write: fn(&mut Vec<u8>, &[Metrics]) -> io::Result<()>,
        runs: &[Metrics],
    ) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        write(&mut out, runs).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| l.split_whitespace().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn class_rows_average_their_instances() {
        let runs = [
            run("0o100t100s1p100", 30.0, 25.0, 1.0),
            run("1o50t75s1p100", 40.0, 35.0, 3.0),
            run("fixture", 20.0, 20.0, 0.0),
        ];
        let rows = table(write_class_table, &runs);
        assert_eq!(rows[0][0], "class");
        let row = |label: &str| rows.iter().find(|r| r[0] == label).cloned();
        // label, instances, orders, undelivered %, click-to-door, bound, ratio
        assert_eq!(
            row("all").unwrap()[1..7],
            ["3", "6", "1.33", "30.00", "26.67", "1.125"]
        );
        assert_eq!(
            row("o100").unwrap()[1..7],
            ["1", "6", "1.00", "30.00", "25.00", "1.200"]
        );
        assert_eq!(
            row("s1").unwrap()[1..7],
            ["2", "6", "2.00", "35.00", "30.00", "1.167"]
        );
        assert_eq!(
            row("t75").unwrap()[1..7],
            ["1", "6", "3.00", "40.00", "35.00", "1.143"]
        );
        assert!(row("r50").is_none(), "no r50 instance, no row");
        let rows = table(write_instance_table, &runs);
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[3][..7],
            ["fixture", "1", "6", "0.00", "20.00", "20.00", "1.000"]
        );
    }

    #[test]
    fn instance_names_give_their_four_classes() {
        assert_eq!(
            instance_classes("3o100t75s2p125"),
            Some(["o100", "t75", "s2", "p125"].map(str::to_owned))
        );
        assert_eq!(
            instance_classes("0r50t100s1p100"),
            Some(["r50", "t100", "s1", "p100"].map(str::to_owned))
        );
        for odd in [
            "o100t75s2p125",
            "3o100t75s2",
            "3o100txs2p125",
            "fixture",
            "3tsp",
        ] {
            assert_eq!(instance_classes(odd), None, "{odd}");
        }
    }
}
