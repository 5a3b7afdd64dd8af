//! The gateway's tables (accounts, kitchens, menus, idempotency keys), on
//! both backends like the rest of the suite.

use std::sync::Arc;

use foodiefast::catalog::{
    Currency, KitchenDetails, MenuItemDetails, OpeningInterval, TimeOfDay, Weekday, WeeklyHours,
};
use foodiefast::store::{KeyClaim, NewAccount, Role, Store};
use foodiefast_actors::domain::CustomerId;
use foodiefast_geo::{LatLng, OrderId, RestaurantId};
use tokio::sync::Barrier;

use crate::harness::TestDb;

fn account(email: &str, role: Role) -> NewAccount {
    NewAccount {
        email: email.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role,
        name: "Someone".into(),
        created_at: 1_700_000_000,
    }
}

fn kitchen(name: &str) -> KitchenDetails {
    KitchenDetails {
        name: name.into(),
        position: LatLng::new(52.52, 13.405).unwrap(),
        prep_minutes: 15,
        accepting: true,
        hours: WeeklyHours(vec![OpeningInterval {
            day: Weekday::Fri,
            opens: TimeOfDay::from_minute(9 * 60).unwrap(),
            closes: TimeOfDay::from_minute(22 * 60).unwrap(),
        }]),
    }
}

fn dish(name: &str, price: i64) -> MenuItemDetails {
    MenuItemDetails {
        name: name.into(),
        price_minor: price,
        currency: Currency::try_from("EUR".to_owned()).unwrap(),
        available: true,
        prep_minutes: 7,
    }
}

pub(crate) async fn accounts_are_unique_by_email_and_renamed(db: TestDb) {
    let store = db.open().await;
    let ada = store
        .create_account(account("ada@example.com", Role::Chef))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((ada.role, ada.name.as_str()), (Role::Chef, "Someone"));
    assert!(
        !format!("{ada:?}").contains("argon2"),
        "the hash never prints"
    );
    let twice = store
        .create_account(account("ada@example.com", Role::Customer))
        .await
        .unwrap();
    assert!(twice.is_none());
    let bob = store
        .create_account(account("bob@example.com", Role::Customer))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(ada.id, bob.id);
    assert_eq!(
        store.account_by_email("ada@example.com").await.unwrap(),
        Some(ada.clone())
    );
    assert_eq!(
        store.account_by_email("nobody@example.com").await.unwrap(),
        None
    );
    let renamed = store
        .rename_account(ada.id, "Ada L.")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.name, "Ada L.");
    assert_eq!(store.account(ada.id).await.unwrap(), Some(renamed));
    assert_eq!(store.rename_account(999_999, "x").await.unwrap(), None);
    assert_eq!(store.account(999_999).await.unwrap(), None);
}

pub(crate) async fn kitchens_and_menus_round_trip(db: TestDb) {
    let store = db.open().await;
    let chef = store
        .create_account(account("chef@example.com", Role::Chef))
        .await
        .unwrap()
        .unwrap();
    let other = store
        .create_account(account("other@example.com", Role::Chef))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.kitchen_of_chef(chef.id).await.unwrap(), None);
    let created = store.put_kitchen(chef.id, &kitchen("First")).await.unwrap();
    assert_eq!(created.details, kitchen("First"));
    // A chef has one kitchen: putting again replaces it, same id.
    let mut closed = kitchen("Renamed");
    closed.accepting = false;
    let replaced = store.put_kitchen(chef.id, &closed).await.unwrap();
    assert_eq!((replaced.id, &replaced.details), (created.id, &closed));
    assert_eq!(
        store.kitchen(created.id).await.unwrap(),
        Some(replaced.clone())
    );
    assert_eq!(
        store.kitchen_of_chef(chef.id).await.unwrap(),
        Some(replaced)
    );
    let theirs = store
        .put_kitchen(other.id, &kitchen("Theirs"))
        .await
        .unwrap();
    let accepting = store.accepting_kitchens().await.unwrap();
    assert_eq!(
        accepting.iter().map(|k| k.id).collect::<Vec<_>>(),
        vec![theirs.id]
    );
    let soup = store
        .add_menu_item(created.id, &dish("Soup", 650))
        .await
        .unwrap();
    let bread = store
        .add_menu_item(created.id, &dish("Bread", 300))
        .await
        .unwrap();
    store
        .add_menu_item(theirs.id, &dish("Pie", 900))
        .await
        .unwrap();
    let menu = store.menu(created.id).await.unwrap();
    assert_eq!(
        menu.iter()
            .map(|i| i.details.name.as_str())
            .collect::<Vec<_>>(),
        ["Soup", "Bread"]
    );
    let mut dearer = dish("Soup", 700);
    dearer.available = false;
    let changed = store
        .update_menu_item(created.id, soup.id, &dearer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.details, dearer);
    // Another kitchen's item is out of reach.
    assert_eq!(
        store
            .update_menu_item(theirs.id, bread.id, &dearer)
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.menu(created.id).await.unwrap()[1], bread);
    assert_eq!(store.kitchen(RestaurantId(999_999)).await.unwrap(), None);
}

/// Busy mode is kept beside what the chef puts, which leaves it alone.
pub(crate) async fn busy_mode_is_stored_beside_the_kitchen(db: TestDb) {
    let store = db.open().await;
    let chef = store
        .create_account(account("chef@example.com", Role::Chef))
        .await
        .unwrap()
        .unwrap();
    let other = store
        .create_account(account("other@example.com", Role::Chef))
        .await
        .unwrap()
        .unwrap();
    let first = store.put_kitchen(chef.id, &kitchen("First")).await.unwrap();
    let second = store
        .put_kitchen(other.id, &kitchen("Second"))
        .await
        .unwrap();
    let all = store.kitchens().await.unwrap();
    assert_eq!(
        all.iter().map(|k| k.id).collect::<Vec<_>>(),
        vec![first.id, second.id]
    );
    assert_eq!(second.busy_until, None);
    let busy = store
        .set_kitchen_busy(second.id, Some(1_795_429_300))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (busy.busy_until, &busy.details),
        (Some(1_795_429_300), &second.details)
    );
    let renamed = store
        .put_kitchen(other.id, &kitchen("Second again"))
        .await
        .unwrap();
    assert_eq!(renamed.busy_until, Some(1_795_429_300));
    assert_eq!(
        store.kitchen(first.id).await.unwrap().unwrap().busy_until,
        None
    );
    let ended = store
        .set_kitchen_busy(second.id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.busy_until, None);
    assert_eq!(
        store
            .set_kitchen_busy(RestaurantId(999), Some(1))
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn idempotency_keys_are_claimed_once(db: TestDb) {
    let store = db.open().await;
    let gate = Arc::new(Barrier::new(6));
    let racers: Vec<_> = (1..=6_u64)
        .map(|i| {
            let (store, gate): (Store, _) = (store.clone(), Arc::clone(&gate));
            tokio::spawn(async move {
                gate.wait().await;
                store
                    .claim_idempotency_key(CustomerId(1), "key", "{\"same\":true}", OrderId(i), 100)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut claimed = 0;
    let mut held_by = Vec::new();
    for racer in racers {
        match racer.await.unwrap() {
            KeyClaim::Claimed => claimed += 1,
            KeyClaim::Held { request, order } => {
                assert_eq!(request, "{\"same\":true}");
                held_by.push(order);
            }
        }
    }
    assert_eq!(claimed, 1);
    held_by.dedup();
    assert_eq!(
        held_by.len(),
        1,
        "every loser sees the one winner: {held_by:?}"
    );

    // Another customer's same key is theirs; a released key is free again.
    let other = store
        .claim_idempotency_key(CustomerId(2), "key", "{}", OrderId(50), 100)
        .await
        .unwrap();
    assert_eq!(other, KeyClaim::Claimed);
    store
        .release_idempotency_key(CustomerId(2), "key")
        .await
        .unwrap();
    let again = store
        .claim_idempotency_key(CustomerId(2), "key", "{\"new\":1}", OrderId(51), 101)
        .await
        .unwrap();
    assert_eq!(again, KeyClaim::Claimed);
}
