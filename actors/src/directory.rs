//! Live actors by key (couriers by courier id, kitchens by restaurant id),
//! shared by whoever starts them and whoever must reach them.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;

use ractor::ActorRef;

/// Actors of one kind, by key.
#[derive(Debug)]
pub struct Directory<K, M> {
    actors: RwLock<HashMap<K, ActorRef<M>>>,
}

impl<K, M> Default for Directory<K, M> {
    fn default() -> Self {
        Self {
            actors: RwLock::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, M> Directory<K, M> {
    /// Records `key`'s actor (replacing a previous one).
    pub fn insert(&self, key: K, actor: ActorRef<M>) {
        // Inserts and lookups leave the map whole even if a holder panicked.
        self.actors
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, actor);
    }

    /// Forgets `key`'s actor.
    pub fn remove(&self, key: &K) -> Option<ActorRef<M>> {
        self.actors
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(key)
    }

    /// Every actor, in no particular order.
    pub fn actors(&self) -> Vec<ActorRef<M>> {
        self.actors
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    /// Every key with an actor, in no particular order.
    pub fn keys(&self) -> Vec<K>
    where
        K: Clone,
    {
        self.actors
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .keys()
            .cloned()
            .collect()
    }

    /// Number of actors.
    pub fn len(&self) -> usize {
        self.actors
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `key`'s actor.
    pub fn get(&self, key: &K) -> Option<ActorRef<M>> {
        self.actors
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .cloned()
    }
}
