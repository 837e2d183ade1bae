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

/// The `field:"value"` (or `field:value`) parts of an advanced search, such as Spotify's
/// `album:"Discovery" artist:"Daft Punk"`, Deezer's `artist:"X" album:"Y"` or
/// MusicBrainz's `release:"Y" AND artist:"X"`; words outside any field under "".
pub fn fields(query: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut free = Vec::new();
    let mut rest = query.trim();
    while !rest.is_empty() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let colon = rest[..word_end].find(':');
        match colon {
            Some(c) if rest[..c].chars().all(|ch| ch.is_ascii_alphabetic()) && c > 0 => {
                let field = rest[..c].to_lowercase();
                let after = &rest[c + 1..];
                let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
                    let end = quoted.find('"').unwrap_or(quoted.len());
                    (&quoted[..end], quoted.get(end + 1..).unwrap_or(""))
                } else {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                };
                out.insert(field, value.to_string());
                rest = next.trim_start();
            }
            _ => {
                let w = &rest[..word_end];
                if w != "AND" && w != "OR" {
                    free.push(w);
                }
                rest = rest[word_end..].trim_start();
            }
        }
    }
    if !free.is_empty() {
        out.insert(String::new(), free.join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advanced_queries_split_into_fields() {
        let f = fields(r#"album:"Random Access Memories" artist:"Daft Punk""#);
        assert_eq!(f["album"], "Random Access Memories");
        assert_eq!(f["artist"], "Daft Punk");
        let f = fields(r#"release:"Meteora" AND artist:"Linkin Park""#);
        assert_eq!((f["release"].as_str(), f["artist"].as_str()), ("Meteora", "Linkin Park"));
        assert_eq!(fields("upc:00602445790951")["upc"], "00602445790951");
        assert_eq!(fields("Daft Punk")[""], "Daft Punk");
    }

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
