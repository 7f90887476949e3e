//! The layout of a record: which of its known keys it has, in which order, and which are `null`. With the typed
//! columns, a layout is enough to write the record's JSON again (see [`crate::rebuild`]), so a store keeps a
//! layout of a few bytes in place of the record's text whenever writing it again gives back the same bytes.
//!
//! A layout is text. Each key is one character of [`CODES`] (the key's position among its object's fields),
//! preceded by `!` when its value is `null`. A struct value follows its key as `(` its own layout `)`, a list of
//! structs as `[` one `(…)` per element `]`. A layout never starts with `{`, so it cannot be taken for a record.
//!
//! Stored layouts name fields by position, so a struct's fields never move: new ones go at the end (a test in
//! `record.rs` pins them). A different layout format would start with a character outside [`CODES`] and `!`.

/// The character naming the field at each position of an object's fields.
pub const CODES: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The position each byte of [`CODES`] stands for, by byte; `u8::MAX` for any other byte.
pub const POSITIONS: [u8; 256] = {
    let mut table = [u8::MAX; 256];
    let mut i = 0;
    while i < CODES.len() {
        table[CODES[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Marks a key whose value is `null`.
pub const NULL_MARK: u8 = b'!';

/// The most keys an object's layout records; an object with more (repeated keys) cannot be written again.
const MAX_KEYS: usize = 48;

/// The keys of one JSON object in the order they came, as field positions. Filled while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyOrder {
    positions: [u8; MAX_KEYS],
    len: u8,
    /// A key that is not a field, or more keys than fit: the object cannot be written from its fields.
    lossy: bool,
}

impl Default for KeyOrder {
    fn default() -> Self {
        KeyOrder {
            positions: [0; MAX_KEYS],
            len: 0,
            lossy: false,
        }
    }
}

impl KeyOrder {
    /// Records the field at `position`, whose value was `null` if `null`.
    pub fn push(&mut self, position: usize, null: bool) {
        let len = usize::from(self.len);
        match (self.positions.get_mut(len), u8::try_from(position)) {
            (Some(slot), Ok(p)) if usize::from(p) < CODES.len() => {
                *slot = p | if null { 0x80 } else { 0 };
                self.len += 1;
            }
            _ => self.lossy = true,
        }
    }

    /// Records a key that is none of the object's fields.
    pub fn push_unknown(&mut self) {
        self.lossy = true;
    }

    /// Whether every key was a field.
    pub fn is_complete(&self) -> bool {
        !self.lossy
    }

    /// The keys as (field position, value was null), in order.
    pub fn keys(&self) -> impl Iterator<Item = (usize, bool)> + '_ {
        self.positions[..usize::from(self.len)]
            .iter()
            .map(|&p| (usize::from(p & 0x7f), p & 0x80 != 0))
    }
}

/// A value whose layout can be written: structs write theirs in parentheses, lists in brackets, leaves nothing.
pub trait Layout {
    /// Appends this value's layout to `out`; false if the value cannot be written from its fields.
    fn write_layout(&self, _out: &mut String) -> bool {
        true
    }
}

impl<T: Layout> Layout for Vec<T> {
    fn write_layout(&self, out: &mut String) -> bool {
        out.push('[');
        for item in self {
            if !item.write_layout(out) {
                return false;
            }
        }
        out.push(']');
        true
    }
}

/// The position of `name` in `names` (in a const context); `names.len()` if absent.
pub const fn position_of(names: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < names.len() {
        if const_str_eq(names[i], name) {
            return i;
        }
        i += 1;
    }
    names.len()
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_keeps_order_nulls_and_overflow() {
        let mut keys = KeyOrder::default();
        keys.push(3, false);
        keys.push(0, true);
        assert_eq!(keys.keys().collect::<Vec<_>>(), vec![(3, false), (0, true)]);
        assert!(keys.is_complete());
        for _ in 0..MAX_KEYS {
            keys.push(1, false);
        }
        assert!(!keys.is_complete());
        let mut unknown = KeyOrder::default();
        unknown.push_unknown();
        assert!(!unknown.is_complete());
        assert_eq!(position_of(&["a", "bc", "d"], "bc"), 1);
        assert_eq!(position_of(&["a"], "z"), 1);
    }

    #[test]
    fn positions_undo_codes() {
        for byte in 0..=u8::MAX {
            let expected = CODES.iter().position(|&c| c == byte);
            let found = (POSITIONS[usize::from(byte)] != u8::MAX)
                .then(|| usize::from(POSITIONS[usize::from(byte)]));
            assert_eq!(found, expected, "byte {byte}");
        }
    }
}
