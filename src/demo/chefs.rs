//! Simulated chefs: each watches its kitchen's feed, accepts a new order
//! after a few seconds with a preparation time, and marks it ready when
//! that time is up, as a chef at the tablet would.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::city::DemoKitchen;
use super::client::{Client, DemoError, field};
use crate::replay::synthetic::Random;

/// Runs `kitchen`'s chef until the process ends (reconnecting on failure).
pub async fn run(client: Client, kitchen: DemoKitchen, seed: u64) {
    let mut rng = Random(seed);
    loop {
        if let Err(err) = shift(&client, &kitchen, &mut rng).await {
            tracing::debug!(kitchen = kitchen.id, error = %err, "demo chef reconnects");
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

async fn shift(client: &Client, kitchen: &DemoKitchen, rng: &mut Random) -> Result<(), DemoError> {
    let (_sender, mut feed) = client.feed("/ws/chef", &kitchen.chef_token).await?;
    while let Some(message) = feed.next().await {
        if field(&message, "/type") != "status" || field(&message, "/event") != "sent_to_chef" {
            continue;
        }
        let Some(order) = field(&message, "/order_id").as_u64() else {
            continue;
        };
        let answer_after = Duration::from_secs(2 + rng.next_u64() % 5);
        let prep_minutes = 2 + rng.next_u64() % 4;
        let client = client.clone();
        let token = kitchen.chef_token.clone();
        tokio::spawn(async move {
            if let Err(err) = cook(&client, &token, order, answer_after, prep_minutes).await {
                tracing::debug!(order, error = %err, "demo chef step refused");
            }
        });
    }
    Ok(())
}

/// Accepts `order` after `answer_after`, then marks it ready after
/// `prep_minutes` (a demo kitchen is quick: the map should move soon).
async fn cook(
    client: &Client,
    token: &str,
    order: u64,
    answer_after: Duration,
    prep_minutes: u64,
) -> Result<(), DemoError> {
    tokio::time::sleep(answer_after).await;
    let accept = json!({"prep_minutes": prep_minutes});
    client
        .call(
            Method::POST,
            &format!("/orders/{order}/accept"),
            Some(token),
            Some(&accept),
            None,
        )
        .await?;
    tokio::time::sleep(Duration::from_secs(prep_minutes * 60)).await;
    client
        .call(
            Method::POST,
            &format!("/orders/{order}/ready"),
            Some(token),
            None,
            None,
        )
        .await?;
    Ok(())
}
