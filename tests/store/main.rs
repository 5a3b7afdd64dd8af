//! The storage suite: every case of `suite.rs` runs on SQLite (a fresh file
//! in a temporary directory) and on PostgreSQL (a fresh database on the
//! server of `FOODIEFAST_TEST_POSTGRES`, dropped afterwards). Tests are named
//! `sqlite::<case>` and `postgres::<case>`; PostgreSQL being unreachable
//! fails the `postgres::` tests rather than skipping them.

// Helpers outside `#[test]` functions: test code, where panicking is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod earnings;
mod fixtures;
mod gateway_tables;
mod harness;
mod kitchen_feed;
mod suite;

/// Declares one test per case and backend.
macro_rules! on_both_backends {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::harness::run(crate::harness::Backend::Sqlite, crate::suite::$case).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::harness::run(crate::harness::Backend::Postgres, crate::suite::$case).await;
                }
            )+
        }
    };
}

on_both_backends!(
    append_then_load_round_trips,
    a_stale_append_conflicts_and_writes_nothing,
    of_two_concurrent_appends_exactly_one_wins,
    active_orders_are_the_non_terminal_ones,
    a_customers_orders_come_newest_first,
    order_ids_never_repeat,
    courier_views_are_put_and_got,
    dispatch_decisions_keep_the_latest_per_order,
    reopening_keeps_everything,
    unreadable_rows_are_corrupt_not_a_panic,
    migrations_are_idempotent,
    the_migrate_command_reports_backend_and_count,
    accounts_are_unique_by_email_and_renamed,
    kitchens_and_menus_round_trip,
    idempotency_keys_are_claimed_once,
    kitchen_feeds_number_events_in_order,
    busy_mode_is_stored_beside_the_kitchen,
    concurrent_appends_to_one_kitchen_get_distinct_numbers,
    orders_with_an_open_payment_stay_active,
    appends_fill_the_outbox_and_the_relay_empties_it,
    relayed_outbox_rows_wait_for_the_sink,
    shift_sessions_open_and_close_with_the_courier_view,
    deliveries_are_recorded_with_their_append,
    the_migration_records_deliveries_already_logged,
);
