//! Loader tests: the valid fixture loads into the right types, and each kind
//! of bad input is refused with its own error, at the right line.

use super::*;
use crate::mdrp::fixture::{COURIERS, Fixture, ORDERS, PARAMETERS, RESTAURANTS};

fn load_error(file: &str, content: &str) -> LoadError {
    let fixture = Fixture::with(file, content);
    Instance::load(fixture.path()).expect_err("the instance must be refused")
}

fn line_of(err: &LoadError) -> usize {
    match err {
        LoadError::WrongHeader { at, .. }
        | LoadError::ColumnCount { at, .. }
        | LoadError::InvalidNumber { at, .. }
        | LoadError::MalformedId { at, .. }
        | LoadError::DuplicateId { at, .. }
        | LoadError::UnknownRestaurant { at, .. }
        | LoadError::NegativeTime { at, .. }
        | LoadError::ReadyBeforePlacement { at, .. }
        | LoadError::ShiftEndsBeforeStart { at, .. }
        | LoadError::InvalidCoordinates { at, .. }
        | LoadError::InvalidParameter { at, .. } => at.line,
        other => panic!("no line in {other:?}"),
    }
}

#[test]
fn the_fixture_loads_into_typed_data() {
    let fixture = Fixture::valid();
    let instance = Instance::load(fixture.path()).unwrap();
    assert_eq!(instance.restaurants().len(), 3);
    assert_eq!(instance.orders().len(), 6);
    assert_eq!(instance.shifts().len(), 4);
    let o2 = instance.orders()[1];
    assert_eq!(o2.id, OrderId(2));
    assert_eq!(o2.restaurant, RestaurantId(1));
    assert_eq!(o2.pickup, Point::new(0.0, 0.0).unwrap());
    assert_eq!(o2.drop_off, Point::new(1100.0, 200.0).unwrap());
    assert_eq!(o2.placed_at, Seconds(715 * 60));
    assert_eq!(o2.ready_at, Seconds(727 * 60));
    let c2 = instance.shifts()[1];
    assert_eq!(c2.courier, CourierId(2));
    assert_eq!(
        (c2.on_time, c2.off_time),
        (Seconds(42_000), Seconds(48_000))
    );
    let p = instance.parameters();
    assert!((p.meters_per_minute - 320.0).abs() < f64::EPSILON);
    assert_eq!(p.pickup_service, Seconds(240));
    assert_eq!(p.target_click_to_door, Seconds(2_400));
    assert_eq!(p.max_click_to_door, Seconds(5_400));
    assert!((p.guaranteed_pay_per_hour - 15.0).abs() < f64::EPSILON);
}

#[test]
fn shifts_cover_from_on_time_until_before_off_time() {
    let shift = Shift {
        courier: CourierId(1),
        start: Point::new(0.0, 0.0).unwrap(),
        on_time: Seconds(600),
        off_time: Seconds(1200),
    };
    assert!(!shift.covers(Seconds(599)));
    assert!(shift.covers(Seconds(600)));
    assert!(shift.covers(Seconds(1199)));
    assert!(!shift.covers(Seconds(1200)));
}

#[test]
fn blank_lines_and_windows_line_endings_are_accepted() {
    let crlf = RESTAURANTS.replace('\n', "\r\n") + "\r\n\r\n";
    let fixture = Fixture::with(RESTAURANTS_FILE, &crlf);
    assert_eq!(
        Instance::load(fixture.path()).unwrap().restaurants().len(),
        3
    );
}

#[test]
fn a_missing_directory_is_named() {
    let fixture = Fixture::valid();
    let gone = fixture.path().join("nope");
    let err = Instance::load(&gone).unwrap_err();
    assert!(matches!(&err, LoadError::NotADirectory(p) if *p == gone));
    assert!(err.to_string().contains("nope"));
}

#[test]
fn a_missing_file_is_named() {
    let fixture = Fixture::valid();
    std::fs::remove_file(fixture.path().join(COURIERS_FILE)).unwrap();
    let err = Instance::load(fixture.path()).unwrap_err();
    assert!(matches!(&err, LoadError::MissingFile(p) if p.ends_with(COURIERS_FILE)));
    assert!(err.to_string().ends_with("couriers.txt: file not found"));
}

#[test]
fn an_unreadable_file_keeps_its_cause() {
    let err = load_error(RESTAURANTS_FILE, "");
    assert!(matches!(err, LoadError::EmptyFile(_)));
    let fixture = Fixture::valid();
    std::fs::write(fixture.path().join(ORDERS_FILE), [0xff, 0xfe, b'\n']).unwrap();
    let err = Instance::load(fixture.path()).unwrap_err();
    assert!(matches!(err, LoadError::Read { .. }));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn a_wrong_header_shows_both_headers() {
    let err = load_error(RESTAURANTS_FILE, "restaurant x y\nr1\t0\t0\n");
    assert!(matches!(&err, LoadError::WrongHeader { found, .. } if found == "restaurant x y"));
    assert_eq!(line_of(&err), 1);
    assert!(err.to_string().contains(r"expected `restaurant\tx\ty`"));
    let err = load_error(COURIERS_FILE, "courier\tx\ty\ton_time\n");
    assert!(matches!(err, LoadError::WrongHeader { .. }));
}

#[test]
fn a_wrong_column_count_is_refused_at_its_line() {
    let err = load_error(RESTAURANTS_FILE, "restaurant\tx\ty\nr1\t0\t0\nr2\t5\n");
    assert!(matches!(
        err,
        LoadError::ColumnCount {
            expected: 3,
            found: 2,
            ..
        }
    ));
    assert_eq!(line_of(&err), 3);
    let err = load_error(RESTAURANTS_FILE, "restaurant\tx\ty\nr1\t0\t0\t7\n");
    assert!(matches!(err, LoadError::ColumnCount { found: 4, .. }));
}

#[test]
fn an_unparsable_number_names_its_column() {
    let err = load_error(RESTAURANTS_FILE, "restaurant\tx\ty\nr1\tabc\t0\n");
    assert!(matches!(&err, LoadError::InvalidNumber { column: "x", text, .. } if text == "abc"));
    assert_eq!(line_of(&err), 2);
    let orders = ORDERS.replace("\t712\t", "\t712.5\t");
    let err = load_error(ORDERS_FILE, &orders);
    assert!(matches!(
        err,
        LoadError::InvalidNumber {
            column: "placement_time",
            expected: "a whole number of minutes",
            ..
        }
    ));
    assert!(
        err.to_string()
            .contains("orders.txt:2: column `placement_time`")
    );
}

#[test]
fn malformed_ids_are_refused() {
    for bad in [
        "12",
        "r",
        "rx",
        "r+1",
        "R1",
        "o1",
        "r1.5",
        "r99999999999999999999999",
    ] {
        let content = format!("restaurant\tx\ty\n{bad}\t0\t0\n");
        let err = load_error(RESTAURANTS_FILE, &content);
        assert!(
            matches!(&err, LoadError::MalformedId { prefix: 'r', text, .. } if text == bad),
            "{bad}: {err:?}"
        );
    }
    let orders = ORDERS.replace("\tr2\t730", "\t2\t730");
    let err = load_error(ORDERS_FILE, &orders);
    assert!(matches!(
        err,
        LoadError::MalformedId {
            column: "restaurant",
            ..
        }
    ));
}

#[test]
fn duplicate_ids_point_to_the_first_definition() {
    let err = load_error(RESTAURANTS_FILE, &format!("{RESTAURANTS}r2\t1\t1\n"));
    assert!(matches!(&err, LoadError::DuplicateId { id, first_line: 3, .. } if id == "r2"));
    assert_eq!(line_of(&err), 5);
    let err = load_error(ORDERS_FILE, &format!("{ORDERS}o1\t0\t0\t800\tr1\t810\n"));
    assert!(matches!(&err, LoadError::DuplicateId { id, first_line: 2, .. } if id == "o1"));
    let err = load_error(COURIERS_FILE, &format!("{COURIERS}c4\t0\t0\t0\t10\n"));
    assert!(matches!(&err, LoadError::DuplicateId { id, first_line: 5, .. } if id == "c4"));
}

#[test]
fn an_order_of_an_unknown_restaurant_is_refused() {
    let orders = ORDERS.replace("\tr2\t730", "\tr9\t730");
    let err = load_error(ORDERS_FILE, &orders);
    assert!(matches!(
        err,
        LoadError::UnknownRestaurant {
            order: OrderId(3),
            restaurant: RestaurantId(9),
            ..
        }
    ));
    assert_eq!(line_of(&err), 4);
}

#[test]
fn negative_times_are_refused() {
    let err = load_error(COURIERS_FILE, &format!("{COURIERS}c9\t0\t0\t-5\t60\n"));
    assert!(matches!(
        err,
        LoadError::NegativeTime {
            column: "on_time",
            minutes: -5,
            ..
        }
    ));
    let err = load_error(
        PARAMETERS_FILE,
        &PARAMETERS.replace("\t4\t4\t", "\t-4\t4\t"),
    );
    assert!(matches!(
        err,
        LoadError::NegativeTime {
            column: "pickup service minutes",
            ..
        }
    ));
}

#[test]
fn an_order_ready_before_placement_is_refused() {
    let orders = ORDERS.replace("\t712\tr1\t725", "\t712\tr1\t711");
    let err = load_error(ORDERS_FILE, &orders);
    assert!(matches!(
        err,
        LoadError::ReadyBeforePlacement {
            order: OrderId(1),
            placed: 712,
            ready: 711,
            ..
        }
    ));
    assert_eq!(line_of(&err), 2);
}

#[test]
fn a_shift_ending_before_it_starts_is_refused() {
    for (on, off) in [(100, 50), (100, 100)] {
        let err = load_error(COURIERS_FILE, &format!("{COURIERS}c9\t0\t0\t{on}\t{off}\n"));
        assert!(matches!(
            err,
            LoadError::ShiftEndsBeforeStart {
                courier: CourierId(9),
                ..
            }
        ));
        assert_eq!(line_of(&err), 6);
    }
}

#[test]
fn invalid_coordinates_keep_the_geo_cause() {
    for bad in ["NaN", "inf", "1e300"] {
        let err = load_error(
            RESTAURANTS_FILE,
            &format!("restaurant\tx\ty\nr1\t0\t{bad}\n"),
        );
        assert!(
            matches!(
                err,
                LoadError::InvalidCoordinates {
                    source: GeoError::InvalidPoint { .. },
                    ..
                }
            ),
            "{bad}: {err:?}"
        );
    }
}

#[test]
fn invalid_parameters_are_refused() {
    let header = PARAMETERS.lines().next().unwrap();
    for (values, column) in [
        ("0\t4\t4\t40\t90\t10\t15", "meters_per_minute"),
        ("inf\t4\t4\t40\t90\t10\t15", "meters_per_minute"),
        ("320\t4\t4\t0\t90\t10\t15", "target click-to-door"),
        ("320\t4\t4\t40\t30\t10\t15", "maximum click-to-door"),
        ("320\t4\t4\t40\t90\t-1\t15", "pay per order"),
        ("320\t4\t4\t40\t90\t10\tNaN", "guaranteed pay per hour"),
    ] {
        let err = load_error(PARAMETERS_FILE, &format!("{header}\n{values}\n"));
        assert!(
            matches!(&err, LoadError::InvalidParameter { column: c, .. } if *c == column),
            "{values}: {err:?}"
        );
        assert_eq!(line_of(&err), 2);
    }
}

#[test]
fn the_parameters_file_holds_exactly_one_line_of_values() {
    let header = PARAMETERS.lines().next().unwrap();
    let err = load_error(PARAMETERS_FILE, &format!("{header}\n"));
    assert!(matches!(err, LoadError::ParameterRows { found: 0, .. }));
    let values = PARAMETERS.lines().nth(1).unwrap();
    let err = load_error(PARAMETERS_FILE, &format!("{PARAMETERS}{values}\n"));
    assert!(matches!(err, LoadError::ParameterRows { found: 2, .. }));
}
