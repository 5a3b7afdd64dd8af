//! Which node should own which zone: rendezvous (highest random weight)
//! hashing over the live nodes. Every node computes the same answer from the
//! same membership, with no coordination; when a node joins or leaves, only
//! the zones it wins or held move (about 1/n of them), so a deploy or a
//! crash does not reshuffle the city. The leases ([`super::keeper`]) make
//! the answer safe while nodes briefly disagree about membership.
//!
//! The weight is FNV-1a over `node \0 zone`, finished with the splitmix64
//! mixer: a specified function, so nodes built by different compilers agree
//! (std's hashers promise no stability across builds).

/// The weight of `node` for `key`.
fn weight(node: &str, key: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    for byte in node.bytes().chain([0]).chain(key.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    // splitmix64's finaliser: FNV alone spreads close strings poorly.
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// The node among `nodes` that should own `key` (`None` without nodes).
/// Ties, vanishingly rare, go to the smaller name.
pub fn owner_of<'a, S: AsRef<str>>(key: &str, nodes: &'a [S]) -> Option<&'a str> {
    nodes
        .iter()
        .map(AsRef::as_ref)
        .max_by(|a, b| weight(a, key).cmp(&weight(b, key)).then_with(|| b.cmp(a)))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn zones(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("zone/{i:x}")).collect()
    }

    #[test]
    fn every_node_computes_the_same_owner_whatever_the_order_of_the_list() {
        let a = ["n1", "n2", "n3"];
        let b = ["n3", "n1", "n2"];
        for zone in zones(200) {
            assert_eq!(owner_of(&zone, &a), owner_of(&zone, &b));
        }
        assert_eq!(owner_of::<&str>("zone/1", &[]), None);
    }

    #[test]
    fn zones_spread_over_the_nodes() {
        let nodes = ["n1", "n2", "n3"];
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for zone in zones(3000) {
            *counts.entry(owner_of(&zone, &nodes).unwrap()).or_default() += 1;
        }
        for node in nodes {
            let share = counts.get(node).copied().unwrap_or(0);
            assert!((800..=1200).contains(&share), "{node} owns {share} of 3000");
        }
    }

    #[test]
    fn a_node_leaving_moves_only_its_own_zones_and_one_joining_takes_about_a_share() {
        let three = ["n1", "n2", "n3"];
        let two = ["n1", "n2"];
        let four = ["n1", "n2", "n3", "n4"];
        let all = zones(3000);
        let mut moved_on_join = 0;
        for zone in &all {
            let before = owner_of(zone, &three).unwrap();
            let after_leave = owner_of(zone, &two).unwrap();
            if before != "n3" {
                assert_eq!(before, after_leave, "{zone} moved though its owner stayed");
            }
            let after_join = owner_of(zone, &four).unwrap();
            if after_join != before {
                assert_eq!(after_join, "n4", "{zone} moved between old nodes");
                moved_on_join += 1;
            }
        }
        assert!(
            (600..=900).contains(&moved_on_join),
            "{moved_on_join} of 3000 moved to n4"
        );
    }
}
