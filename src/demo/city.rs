//! The demo city: kitchens with menus, couriers and customers placed
//! around the configured city centre from a seed (the same seed, the same
//! city), and the accounts behind them. Seeding is idempotent: a second
//! start logs the same accounts in, puts the same kitchens and adds menu
//! items only to empty menus.

use foodiefast_geo::LatLng;
use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Client, DemoError, field};
use crate::commands::admin::create_admin;
use crate::replay::synthetic::Random;
use crate::store::Store;

/// The password of every demo account (the demo is for trying the apps).
pub const DEMO_PASSWORD: &str = "foodiefast-demo";
/// The operations (admin) account the demo creates.
pub const OPS_EMAIL: &str = "ops@demo.foodiefast.test";

/// Kitchens and what they cook: name, dishes (name, price in cents).
const KITCHENS: &[(&str, &[(&str, i64)])] = &[
    (
        "Dumpling Corner",
        &[
            ("Pork dumplings", 950),
            ("Veggie dumplings", 890),
            ("Hot and sour soup", 650),
        ],
    ),
    (
        "Nonna's Pasta",
        &[
            ("Tagliatelle al ragù", 1290),
            ("Cacio e pepe", 1150),
            ("Tiramisu", 590),
        ],
    ),
    (
        "Green Bowl",
        &[
            ("Falafel bowl", 1090),
            ("Halloumi salad", 1190),
            ("Lemonade", 390),
        ],
    ),
    (
        "Taco Libre",
        &[
            ("Three tacos al pastor", 1050),
            ("Quesadilla", 890),
            ("Churros", 490),
        ],
    ),
    (
        "Curry House",
        &[
            ("Chicken tikka masala", 1350),
            ("Chana masala", 1090),
            ("Garlic naan", 350),
        ],
    ),
    (
        "Burger Lab",
        &[
            ("Classic burger", 1190),
            ("Veggie burger", 1150),
            ("Fries", 390),
        ],
    ),
    (
        "Sushi Go",
        &[
            ("Salmon maki", 990),
            ("Veggie maki", 850),
            ("Miso soup", 390),
        ],
    ),
    (
        "Pho Saigon",
        &[
            ("Beef pho", 1290),
            ("Tofu pho", 1150),
            ("Spring rolls", 590),
        ],
    ),
];
/// How far from the centre kitchens are, metres.
const KITCHEN_RADIUS_M: f64 = 2_500.0;
/// How far from the centre customers live, metres.
const CUSTOMER_RADIUS_M: f64 = 3_500.0;

/// A kitchen of the demo and its chef.
#[derive(Debug, Clone)]
pub struct DemoKitchen {
    /// The chef's token.
    pub chef_token: String,
    /// The kitchen's id.
    pub id: u64,
    /// Where it is.
    pub at: LatLng,
    /// Its menu's item ids.
    pub items: Vec<u64>,
}

/// A courier of the demo.
#[derive(Debug, Clone)]
pub struct DemoCourier {
    /// Its token.
    pub token: String,
    /// Where its shift starts.
    pub base: LatLng,
}

/// A customer of the demo.
#[derive(Debug, Clone)]
pub struct DemoCustomer {
    /// Its token.
    pub token: String,
    /// Where it lives.
    pub home: LatLng,
}

/// Everyone in the demo city.
#[derive(Debug, Clone)]
pub struct City {
    /// The kitchens.
    pub kitchens: Vec<DemoKitchen>,
    /// The couriers.
    pub couriers: Vec<DemoCourier>,
    /// The customers.
    pub customers: Vec<DemoCustomer>,
}

/// How many of each the city has.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Couriers.
    pub couriers: usize,
    /// Customers.
    pub customers: usize,
}

/// A point about `radius_m` or less from `centre`, uniform over the disc.
pub fn scatter(rng: &mut Random, centre: LatLng, radius_m: f64) -> LatLng {
    let r = radius_m * rng.unit().sqrt();
    let angle = rng.between(0.0, std::f64::consts::TAU);
    offset(centre, r * angle.cos(), r * angle.sin())
}

/// `from` moved `east_m` east and `north_m` north (a local approximation,
/// accurate over a city).
pub fn offset(from: LatLng, east_m: f64, north_m: f64) -> LatLng {
    const METRES_PER_DEGREE: f64 = 111_320.0;
    let lat = from.lat() + north_m / METRES_PER_DEGREE;
    let lng = from.lng() + east_m / (METRES_PER_DEGREE * from.lat().to_radians().cos());
    LatLng::new(lat, lng).unwrap_or(from)
}

/// Metres between `a` and `b` (equirectangular: accurate over a city).
pub fn metres_between(a: LatLng, b: LatLng) -> f64 {
    const METRES_PER_DEGREE: f64 = 111_320.0;
    let north = (b.lat() - a.lat()) * METRES_PER_DEGREE;
    let east = (b.lng() - a.lng()) * METRES_PER_DEGREE * a.lat().to_radians().cos();
    north.hypot(east)
}

/// A position as the API writes it.
pub fn position(at: LatLng) -> Value {
    json!({"lat": (at.lat() * 1e6).round() / 1e6, "lng": (at.lng() * 1e6).round() / 1e6})
}

/// Kitchen `n` of the city: its chef's account, the kitchen (always open)
/// and, if its menu is empty, its dishes.
async fn seed_kitchen(
    client: &Client,
    n: usize,
    name: &str,
    dishes: &[(&str, i64)],
    at: LatLng,
    prep_minutes: u64,
) -> Result<DemoKitchen, DemoError> {
    let email = format!("chef{n}@demo.foodiefast.test");
    let token = client
        .account(&email, DEMO_PASSWORD, &format!("Chef of {name}"), "chef")
        .await?;
    let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|day| json!({"day": day, "opens": "00:00", "closes": "24:00"}))
        .collect();
    let kitchen = json!({"name": name, "position": position(at), "prep_minutes": prep_minutes,
        "accepting": true, "hours": hours});
    let put = client
        .call(
            Method::PUT,
            "/kitchens/mine",
            Some(&token),
            Some(&kitchen),
            None,
        )
        .await?;
    let id = field(&put, "/id")
        .as_u64()
        .ok_or_else(|| DemoError::Unexpected(format!("no kitchen id in {put}")))?;
    let menu_path = format!("/kitchens/{id}/menu");
    let mut menu = client
        .call(Method::GET, &menu_path, Some(&token), None, None)
        .await?;
    if menu.as_array().is_none_or(Vec::is_empty) {
        for (dish, price) in dishes {
            let item = json!({"name": dish, "price_minor": price, "currency": "EUR",
                "available": true, "prep_minutes": prep_minutes});
            client
                .call(
                    Method::POST,
                    "/kitchens/mine/menu",
                    Some(&token),
                    Some(&item),
                    None,
                )
                .await?;
        }
        menu = client
            .call(Method::GET, &menu_path, Some(&token), None, None)
            .await?;
    }
    let items = menu
        .as_array()
        .map(|m| m.iter().filter_map(|i| field(i, "/id").as_u64()).collect())
        .unwrap_or_default();
    Ok(DemoKitchen {
        chef_token: token,
        id,
        at,
        items,
    })
}

/// Creates (or finds again) the city `seed` describes around `centre`.
pub async fn seed(
    client: &Client,
    store: &Store,
    centre: LatLng,
    seed: u64,
    size: Size,
) -> Result<City, DemoError> {
    let mut rng = Random(seed);
    if store
        .account_by_email(OPS_EMAIL)
        .await
        .map_err(|e| DemoError::Unexpected(e.to_string()))?
        .is_none()
    {
        create_admin(store, OPS_EMAIL, "Operations", DEMO_PASSWORD.to_owned())
            .await
            .map_err(|e| DemoError::Unexpected(e.to_string()))?;
    }
    let mut kitchens = Vec::with_capacity(KITCHENS.len());
    for (i, &(name, dishes)) in KITCHENS.iter().enumerate() {
        let at = scatter(&mut rng, centre, KITCHEN_RADIUS_M);
        let prep_minutes = 8 + rng.next_u64() % 10;
        kitchens.push(seed_kitchen(client, i + 1, name, dishes, at, prep_minutes).await?);
    }
    let mut couriers = Vec::with_capacity(size.couriers);
    for i in 1..=size.couriers {
        let base = scatter(&mut rng, centre, KITCHEN_RADIUS_M);
        let email = format!("courier{i}@demo.foodiefast.test");
        let token = client
            .account(&email, DEMO_PASSWORD, &format!("Courier {i}"), "courier")
            .await?;
        couriers.push(DemoCourier { token, base });
    }
    let mut customers = Vec::with_capacity(size.customers);
    for i in 1..=size.customers {
        let home = scatter(&mut rng, centre, CUSTOMER_RADIUS_M);
        let email = format!("customer{i}@demo.foodiefast.test");
        let token = client
            .account(&email, DEMO_PASSWORD, &format!("Customer {i}"), "customer")
            .await?;
        customers.push(DemoCustomer { token, home });
    }
    Ok(City {
        kitchens,
        couriers,
        customers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scattered_points_stay_within_their_radius() {
        let centre = LatLng::new(52.52, 13.405).unwrap();
        let mut rng = Random(7);
        let mut farthest: f64 = 0.0;
        for _ in 0..1000 {
            let d = metres_between(centre, scatter(&mut rng, centre, 2_000.0));
            assert!(d <= 2_001.0, "{d}");
            farthest = farthest.max(d);
        }
        assert!(farthest > 1_800.0, "the disc is covered: {farthest}");
    }

    #[test]
    fn the_same_seed_draws_the_same_city() {
        let centre = LatLng::new(52.52, 13.405).unwrap();
        let draw = |seed| {
            let mut rng = Random(seed);
            (0..20)
                .map(|_| scatter(&mut rng, centre, 3_000.0))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }

    #[test]
    fn offsets_move_by_the_asked_distance() {
        let centre = LatLng::new(52.52, 13.405).unwrap();
        let d = metres_between(centre, offset(centre, 300.0, 400.0));
        assert!((d - 500.0).abs() < 1.0, "{d}");
    }
}
