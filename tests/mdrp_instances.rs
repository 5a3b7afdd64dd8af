//! Every MDRP instance shipped in `shared/mdrp/instances` loads, completely.

// Helpers outside `#[test]` functions: test code, where panicking is the point.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use foodiefast::mdrp::{COURIERS_FILE, Instance, ORDERS_FILE, RESTAURANTS_FILE};

const INSTANCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/mdrp/instances");

fn data_lines(dir: &Path, file: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    text.lines().count() - 1
}

#[test]
fn all_120_instances_load_with_every_line() {
    let mut dirs: Vec<_> = std::fs::read_dir(INSTANCES)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 120);
    for dir in &dirs {
        let instance = Instance::load(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert_eq!(
            instance.orders().len(),
            data_lines(dir, ORDERS_FILE),
            "{}",
            dir.display()
        );
        assert_eq!(instance.shifts().len(), data_lines(dir, COURIERS_FILE));
        assert_eq!(
            instance.restaurants().len(),
            data_lines(dir, RESTAURANTS_FILE)
        );
        assert_eq!(instance.name(), dir.file_name().unwrap().to_string_lossy());
    }
}
