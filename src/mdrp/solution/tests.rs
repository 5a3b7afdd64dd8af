//! Solution files: the writer's exact text, the round trip writer -> reader
//! on arbitrary solutions, and each kind of bad input refused at its line.

use proptest::prelude::*;

use super::*;
use crate::mdrp::LoadError;

fn sample() -> Solution {
    let c = CourierId;
    let o = OrderId;
    Solution {
        assignments: vec![
            Assignment {
                assigned_at: Seconds::from_minutes(715),
                pickup_at: Seconds::from_minutes(727),
                courier: c(1),
                orders: vec![o(1), o(2)],
            },
            Assignment {
                assigned_at: Seconds::from_minutes(718),
                pickup_at: Seconds(730 * 60 + 30),
                courier: c(2),
                orders: vec![o(3)],
            },
        ],
        orders: vec![
            OrderRecord {
                order: o(1),
                placed_at: Seconds::from_minutes(712),
                ready_at: Seconds::from_minutes(725),
                delivery: Some(Delivery {
                    pickup_at: Seconds::from_minutes(727),
                    drop_off_at: Seconds::from_minutes(735),
                    courier: c(1),
                }),
            },
            OrderRecord {
                order: o(4),
                placed_at: Seconds::from_minutes(700),
                ready_at: Seconds::from_minutes(710),
                delivery: None,
            },
        ],
        routes: BTreeMap::from([
            (
                c(1),
                vec![
                    Move {
                        departure: Seconds::from_minutes(715),
                        origin: Place::Start,
                        destination: Place::Restaurant(RestaurantId(1)),
                    },
                    Move {
                        departure: Seconds::from_minutes(729),
                        origin: Place::Restaurant(RestaurantId(1)),
                        destination: Place::Customer(o(1)),
                    },
                ],
            ),
            (
                c(2),
                vec![Move {
                    departure: Seconds::from_minutes(718),
                    origin: Place::Start,
                    destination: Place::Restaurant(RestaurantId(2)),
                }],
            ),
        ]),
    }
}

fn written(solution: &Solution) -> (String, String, String) {
    let mut assignments = Vec::new();
    let mut orders = Vec::new();
    let mut moves = Vec::new();
    solution.write_assignments(&mut assignments).unwrap();
    solution.write_orders(&mut orders).unwrap();
    solution.write_moves(&mut moves).unwrap();
    (
        String::from_utf8(assignments).unwrap(),
        String::from_utf8(orders).unwrap(),
        String::from_utf8(moves).unwrap(),
    )
}

#[test]
fn the_files_follow_the_format_to_the_letter() {
    let (assignments, orders, moves) = written(&sample());
    assert_eq!(
        assignments,
        "assignment_time pickup_time courier order\n\
         715 727 c1 o1 o2\n\
         718 730.5 c2 o3\n"
    );
    assert_eq!(
        orders,
        "order placement_time ready_time pickup_time dropoff_time courier\n\
         o1 712 725 727 735 c1\n\
         o4 700 710 NA NA NA\n"
    );
    assert_eq!(
        moves,
        "courier departure_time origin destination\n\
         c1 715 0 r1\n\
         c1 729 r1 o1\n\
         c2 718 0 r2\n"
    );
}

/// A directory holding the three files with the given contents.
fn solution_dir(assignments: &str, orders: &str, moves: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (file, content) in [
        (ASSIGNMENTS_FILE, assignments),
        (ORDERS_SOLUTION_FILE, orders),
        (COURIERS_SOLUTION_FILE, moves),
    ] {
        std::fs::write(dir.path().join(file), content).unwrap();
    }
    dir
}

#[test]
fn the_sample_reads_back_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    sample().write(dir.path()).unwrap();
    assert_eq!(Solution::read(dir.path()).unwrap(), sample());
}

#[test]
fn tabs_and_extra_spaces_are_whitespace_too() {
    let (assignments, orders, moves) = written(&sample());
    let dir = solution_dir(
        &assignments.replace(' ', "\t"),
        &orders.replace(' ', "  "),
        &(moves + "\n\n"),
    );
    assert_eq!(Solution::read(dir.path()).unwrap(), sample());
}

/// The error of reading the sample with `file` replaced by `content`.
fn read_error(file: &str, content: &str) -> LoadError {
    let (assignments, orders, moves) = written(&sample());
    let mut files = [assignments, orders, moves];
    let index = [
        ASSIGNMENTS_FILE,
        ORDERS_SOLUTION_FILE,
        COURIERS_SOLUTION_FILE,
    ]
    .iter()
    .position(|f| *f == file)
    .unwrap();
    content.clone_into(&mut files[index]);
    let dir = solution_dir(&files[0], &files[1], &files[2]);
    Solution::read(dir.path()).expect_err("the solution must be refused")
}

/// Checks that `file` holding `header` then `body` is refused with
/// `message`, at `line` (0: no line to check).
fn assert_refused(file: &str, header: &str, cases: &[(&str, usize, &str)]) {
    for &(body, line, message) in cases {
        let content = format!("{header}{body}");
        let text = read_error(file, &content).to_string();
        assert!(text.contains(message), "{file} {content:?}: {text}");
        if line > 0 {
            assert!(
                text.contains(&format!("{file}:{line}:")),
                "{file} {content:?}: {text}"
            );
        }
    }
}

#[test]
fn bad_assignment_lines_are_refused_with_file_and_line() {
    assert_refused(
        ASSIGNMENTS_FILE,
        "",
        &[
            (
                "assignment_time courier order\n715 c1 o1\n",
                1,
                "wrong header",
            ),
            ("", 0, "file is empty"),
        ],
    );
    assert_refused(
        ASSIGNMENTS_FILE,
        "assignment_time pickup_time courier order\n",
        &[
            ("715 727 c1\n", 2, "at least 4"),
            (
                "715 727 c1 o1\n715 soon c1 o2\n",
                3,
                "`soon` is not a time in minutes",
            ),
            (
                "715 727 c1 o1 x2\n",
                2,
                "`x2` is not an id of the form o<number>",
            ),
            ("715 -3 c1 o1\n", 2, "negative"),
            ("715 inf c1 o1\n", 2, "not a time in minutes"),
        ],
    );
}

#[test]
fn bad_order_lines_are_refused_with_file_and_line() {
    assert_refused(
        ORDERS_SOLUTION_FILE,
        "order placement_time ready_time pickup_time dropoff_time courier\n",
        &[
            ("o1 712 725 727 735\n", 2, "at least 6"),
            (
                "o1 712 725 727 735 c1 c2\n",
                2,
                "expected 6 columns, found 7",
            ),
            ("o1 712 725 NA 735 c1\n", 2, "`735` is not NA"),
            ("o1 712 725 727 NA c1\n", 2, "`NA` is not a time in minutes"),
            (
                "o1 712 725 NA NA NA\no1 712 725 NA NA NA\n",
                3,
                "o1 is already defined on line 2",
            ),
        ],
    );
}

#[test]
fn bad_move_lines_are_refused_with_file_and_line() {
    assert_refused(
        COURIERS_SOLUTION_FILE,
        "courier departure_time origin destination\n",
        &[
            ("c1 715 0 r1\nc1 729 x1 o1\n", 3, "`x1` is not a place"),
            (
                "c1 715 r1 0\n",
                2,
                "`0` is not a place: expected r<number> or o<number>",
            ),
            (
                "c1 715 0 r1\nc2 718 0 r2\nc1 729 r1 o1\n",
                4,
                "moves of c1 resume after other couriers' (its first group ends on line 2)",
            ),
        ],
    );
}

#[test]
fn a_missing_file_or_directory_is_named() {
    let dir = solution_dir("assignment_time pickup_time courier order\n", "", "");
    std::fs::remove_file(dir.path().join(ORDERS_SOLUTION_FILE)).unwrap();
    let err = Solution::read(dir.path()).unwrap_err();
    assert!(matches!(err, LoadError::MissingFile(p) if p.ends_with(ORDERS_SOLUTION_FILE)));
    let gone = dir.path().join("nothing");
    assert!(matches!(
        Solution::read(&gone),
        Err(LoadError::NotADirectory(_))
    ));
}

fn seconds() -> impl Strategy<Value = Seconds> {
    (0_i64..2_000 * 60).prop_map(Seconds)
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        (1_u64..1_000).prop_map(|r| Place::Restaurant(RestaurantId(r))),
        (1_u64..1_000).prop_map(|o| Place::Customer(OrderId(o))),
    ]
}

fn assignment() -> impl Strategy<Value = Assignment> {
    (
        seconds(),
        seconds(),
        1_u64..500,
        prop::collection::vec(1_u64..5_000, 1..6),
    )
        .prop_map(|(assigned_at, pickup_at, courier, orders)| Assignment {
            assigned_at,
            pickup_at,
            courier: CourierId(courier),
            orders: orders.into_iter().map(OrderId).collect(),
        })
}

fn records() -> impl Strategy<Value = Vec<OrderRecord>> {
    let delivery =
        (seconds(), seconds(), 1_u64..500).prop_map(|(pickup_at, drop_off_at, c)| Delivery {
            pickup_at,
            drop_off_at,
            courier: CourierId(c),
        });
    prop::collection::btree_map(
        1_u64..5_000,
        (seconds(), seconds(), prop::option::of(delivery)),
        0..30,
    )
    .prop_map(|records| {
        records
            .into_iter()
            .map(|(order, (placed_at, ready_at, delivery))| OrderRecord {
                order: OrderId(order),
                placed_at,
                ready_at,
                delivery,
            })
            .collect()
    })
}

fn routes() -> impl Strategy<Value = BTreeMap<CourierId, Vec<Move>>> {
    let step = (
        seconds(),
        prop::option::weighted(0.2, Just(Place::Start)),
        place(),
    );
    prop::collection::btree_map(1_u64..500, prop::collection::vec(step, 1..8), 0..10).prop_map(
        |routes| {
            routes
                .into_iter()
                .map(|(courier, steps)| {
                    let moves = steps
                        .into_iter()
                        .map(|(departure, start, destination)| Move {
                            departure,
                            origin: start.unwrap_or(destination),
                            destination,
                        })
                        .collect();
                    (CourierId(courier), moves)
                })
                .collect()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_solution_reads_back_as_written(
        assignments in prop::collection::vec(assignment(), 0..20),
        orders in records(),
        routes in routes(),
    ) {
        let solution = Solution { assignments, orders, routes };
        let dir = tempfile::tempdir().unwrap();
        solution.write(dir.path()).unwrap();
        prop_assert_eq!(Solution::read(dir.path()).unwrap(), solution);
    }

    #[test]
    fn times_to_the_second_survive_the_minutes_text(t in 0_i64..525_600 * 60) {
        let text = minutes_text(Seconds(t));
        let minutes: f64 = text.parse().unwrap();
        prop_assert_eq!((minutes * 60.0).round() as i64, t);
    }
}
