//! Name search as the providers roughly do it: case, accents and punctuation do not
//! matter, whole-name matches rank first, and partial matches trail.

use crate::catalog::strip_diacritics;

fn tokens(s: &str) -> Vec<String> {
    strip_diacritics(&s.to_lowercase())
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// 0 to 100: 100 for the same name, less for names that share words.
pub fn score(query: &str, name: &str) -> u32 {
    let (q, n) = (tokens(query), tokens(name));
    if q.is_empty() || n.is_empty() {
        return 0;
    }
    if q == n {
        return 100;
    }
    let shared = q.iter().filter(|t| n.contains(t)).count();
    let union = q.len() + n.len() - shared;
    (90 * shared / union) as u32
}

/// The value of a Lucene field query like `artist:"Daft Punk"`, or the whole query.
pub fn lucene_value(query: &str) -> String {
    let q = query.trim();
    let v = q.split_once(':').map(|(field, v)| if field.chars().all(char::is_alphabetic) { v } else { q }).unwrap_or(q);
    v.trim().trim_matches('"').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_score_100_regardless_of_case_and_accents() {
        assert_eq!(score("bjork gomez", "Björk Gómez"), 100);
        assert!(score("Silent Wolves", "The Silent Wolves") < 100);
        assert!(score("Silent Wolves", "The Silent Wolves") > 50);
        assert_eq!(score("Daft Punk", "Radiohead"), 0);
    }

    #[test]
    fn lucene_field_queries_yield_their_value() {
        assert_eq!(lucene_value("artist:\"Daft Punk\""), "Daft Punk");
        assert_eq!(lucene_value("Daft Punk"), "Daft Punk");
    }
}
