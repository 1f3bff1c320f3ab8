//! Pseudonyms ("Blue Otter" / "蓝色水獭", then "Blue Otter 17" once the 192 colour–animal pairs are
//! used up): what the class sees of a student. Made by the server from the join order and a random
//! number, so two students of one class never share one; no name a student types ever leaves their
//! browser.

use serde::{Deserialize, Serialize};

const COLOURS: [(&str, &str); 12] = [
    ("Blue", "蓝色"),
    ("Red", "红色"),
    ("Green", "绿色"),
    ("Gold", "金色"),
    ("Silver", "银色"),
    ("Purple", "紫色"),
    ("Orange", "橙色"),
    ("Teal", "青色"),
    ("Pink", "粉色"),
    ("White", "白色"),
    ("Black", "黑色"),
    ("Brown", "棕色"),
];

const ANIMALS: [(&str, &str); 16] = [
    ("Otter", "水獭"),
    ("Fox", "狐狸"),
    ("Panda", "熊猫"),
    ("Owl", "猫头鹰"),
    ("Tiger", "老虎"),
    ("Dolphin", "海豚"),
    ("Crane", "仙鹤"),
    ("Rabbit", "兔子"),
    ("Whale", "鲸鱼"),
    ("Koala", "考拉"),
    ("Falcon", "猎鹰"),
    ("Turtle", "海龟"),
    ("Deer", "鹿"),
    ("Squirrel", "松鼠"),
    ("Penguin", "企鹅"),
    ("Horse", "骏马"),
];

/// A pseudonym in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pseudonym {
    /// "Blue Otter 17".
    pub en: String,
    /// "蓝色水獭 17".
    pub zh: String,
}

impl Pseudonym {
    /// The pseudonym of the `index`-th student to join (from 0), shuffled by the class's `salt` so
    /// classes differ. The first 192 students get a colour and an animal alone; each later round of 192
    /// adds a number (10 to 99, shifted by the salt). Distinct for every index below 192 × 90 = 17,280.
    pub fn new(index: u32, salt: u32) -> Self {
        let pairs = (COLOURS.len() * ANIMALS.len()) as u32;
        // A multiplier prime to 192 pairs walks every colour/animal pair once before repeating.
        let pair = ((u64::from(index) * 67 + u64::from(salt)) % u64::from(pairs)) as u32;
        let (colour, animal) = (
            COLOURS[(pair % COLOURS.len() as u32) as usize],
            ANIMALS[(pair / COLOURS.len() as u32) as usize],
        );
        let round = index / pairs;
        if round == 0 {
            return Self {
                en: format!("{} {}", colour.0, animal.0),
                zh: format!("{}{}", colour.1, animal.1),
            };
        }
        // Rounds 1 to 89 take 89 different numbers (round 0 has none).
        let number = 10 + (round + salt / pairs) % 90;
        Self {
            en: format!("{} {} {number}", colour.0, animal.0),
            zh: format!("{}{} {number}", colour.1, animal.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_class_never_shares_a_pseudonym() {
        for salt in [0, 1, 12345, u32::MAX] {
            let names: HashSet<String> = (0..17_280).map(|i| Pseudonym::new(i, salt).en).collect();
            assert_eq!(names.len(), 17_280, "salt {salt}");
            let zh: HashSet<String> = (0..17_280).map(|i| Pseudonym::new(i, salt).zh).collect();
            assert_eq!(zh.len(), 17_280, "salt {salt}");
        }
        // The first 192 have no number; later ones do, in both languages alike.
        let p = Pseudonym::new(0, 0);
        assert_eq!(p.en.split(' ').count(), 2, "{}", p.en);
        assert!(!p.zh.contains(' '), "{}", p.zh);
        let q = Pseudonym::new(192, 7);
        assert!(q.en.split(' ').count() == 3 && q.zh.ends_with(&q.en[q.en.rfind(' ').unwrap()..]));
    }
}
