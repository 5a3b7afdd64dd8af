//! A small, valid instance directory written into a temporary directory, for
//! the tests of the loader and of the commands; any one file can be replaced.

use std::path::Path;

use tempfile::TempDir;

use super::{COURIERS_FILE, ORDERS_FILE, PARAMETERS_FILE, RESTAURANTS_FILE};

/// Two neighbouring restaurants and one 100 km away, out of every courier's reach.
pub(crate) const RESTAURANTS: &str = "restaurant\tx\ty\n\
r1\t0\t0\n\
r2\t5000\t0\n\
r3\t100000\t0\n";

/// Around minute 720 with a 10-minute window: o1, o2, o3 and o6 are pending,
/// o4 was placed before the window and o5 after the snapshot.
pub(crate) const ORDERS: &str = "order\tx\ty\tplacement_time\trestaurant\tready_time\n\
o1\t1000\t0\t712\tr1\t725\n\
o2\t1100\t200\t715\tr1\t727\n\
o3\t6000\t1000\t718\tr2\t730\n\
o4\t5500\t0\t700\tr2\t710\n\
o5\t900\t0\t721\tr1\t735\n\
o6\t101000\t0\t719\tr3\t730\n";

/// At minute 720, c1 and c2 are on shift; c3 has not started and c4 has ended.
pub(crate) const COURIERS: &str = "courier\tx\ty\ton_time\toff_time\n\
c1\t100\t100\t600\t900\n\
c2\t4800\t0\t700\t800\n\
c3\t0\t0\t721\t900\n\
c4\t0\t0\t600\t720\n";

/// The parameters of the Grubhub instances.
pub(crate) const PARAMETERS: &str = "meters_per_minute\tpickup service minutes\t\
dropoff service minutes\ttarget click-to-door\tmaximum click-to-door\tpay per order\t\
guaranteed pay per hour\n320\t4\t4\t40\t90\t10\t15\n";

/// An instance directory that lives as long as the value.
pub(crate) struct Fixture {
    dir: TempDir,
}

impl Fixture {
    /// The valid instance above.
    pub(crate) fn valid() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        for (file, content) in [
            (RESTAURANTS_FILE, RESTAURANTS),
            (ORDERS_FILE, ORDERS),
            (COURIERS_FILE, COURIERS),
            (PARAMETERS_FILE, PARAMETERS),
        ] {
            std::fs::write(dir.path().join(file), content).expect("write fixture file");
        }
        Self { dir }
    }

    /// The valid instance with `file` replaced by `content`.
    pub(crate) fn with(file: &str, content: &str) -> Self {
        let fixture = Self::valid();
        std::fs::write(fixture.path().join(file), content).expect("write fixture file");
        fixture
    }

    /// The instance directory.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}
