//! The naive reference dispatcher on real Grubhub days of every class: its
//! solutions are feasible, survive the solution files, and no order beats
//! its lower bound.

// Helpers outside `#[test]` functions: test code, where panicking is the point.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use foodiefast::mdrp::{
    Instance, Solution, click_to_door_lower_bound, feasibility, metrics, naive,
};

const INSTANCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/mdrp/instances");

#[test]
fn naive_solutions_of_every_class_are_feasible_and_read_back_the_same() {
    for name in [
        "0o100t100s1p100",
        "1o100t75s1p100",
        "2r50t75s2p125",
        "3r50t100s2p100",
        "4o50t100s1p125",
    ] {
        let instance = Instance::load(&Path::new(INSTANCES).join(name)).unwrap();
        let solution = naive::dispatch(&instance).unwrap();
        assert_eq!(
            feasibility::check(&instance, &solution).unwrap(),
            vec![],
            "{name}"
        );

        let dir = tempfile::tempdir().unwrap();
        solution.write(dir.path()).unwrap();
        assert_eq!(Solution::read(dir.path()).unwrap(), solution, "{name}");

        let m = metrics::measure(&instance, &solution).unwrap();
        assert_eq!(m.orders, instance.orders().len());
        assert!(
            m.delivered * 100 >= m.orders * 85,
            "{name}: {} of {}",
            m.delivered,
            m.orders
        );
        let ratio = m.lower_bound.click_to_door_ratio.unwrap();
        assert!((1.0..2.0).contains(&ratio), "{name}: ratio {ratio}");
        let model = instance.parameters().travel_model().unwrap();
        let service = instance.parameters().service_times().unwrap();
        for (order, record) in instance.orders().iter().zip(&solution.orders) {
            if let Some(d) = record.delivery {
                let bound = click_to_door_lower_bound(order, &model, service);
                assert!(
                    d.drop_off_at - order.placed_at >= bound,
                    "{name}: {}",
                    order.id
                );
            }
        }
        assert_eq!(
            m.bundles.sizes.keys().copied().collect::<Vec<_>>(),
            vec![1],
            "{name}"
        );
    }
}
