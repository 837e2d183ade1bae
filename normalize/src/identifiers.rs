//! Identifiers: GTINs (UPC, EAN) compared as 14 digits with the check digit verified,
//! ISRCs upper-cased without separators and format-checked.

/// A GTIN (UPC-A, EAN-13, GTIN-14 ...) as 14 digits, or `None` when it is not one:
/// separators are dropped, the length must be 8 to 14 digits, and the check digit
/// must hold. A 12-digit UPC and the same code zero-padded to 13 compare equal.
pub fn gtin14(raw: &str) -> Option<String> {
    let mut digits = String::with_capacity(14);
    for c in raw.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' => {}
            _ => return None,
        }
    }
    if !(8..=14).contains(&digits.len()) || digits.bytes().all(|b| b == b'0') {
        return None;
    }
    let padded = format!("{digits:0>14}");
    let (body, check) = padded.split_at(13);
    (check_digit(body) == check.as_bytes()[0] - b'0').then_some(padded)
}

/// The GS1 check digit of the digits before it.
pub fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 0 { d * 3 } else { d }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// An ISRC upper-cased without separators, or `None` when it is not one:
/// 2-letter country, 3 alphanumerics for the registrant, 2-digit year, 5 digits.
pub fn isrc(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !matches!(c, '-' | ' ' | '.')).collect::<String>().to_ascii_uppercase();
    let b = s.as_bytes();
    let ok = b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..5].iter().all(u8::is_ascii_alphanumeric)
        && b[5..].iter().all(u8::is_ascii_digit);
    ok.then_some(s)
}

/// The spellings a provider may hold a GTIN under, when it matches the string the
/// label delivered (Spotify's `upc:`, Apple's `filter[upc]`, Deezer's `/album/upc:`,
/// a Discogs or MusicBrainz barcode search): UPC-A (12), EAN-13 or zero-padded to 14.
pub fn upc_variants(gtin: &str) -> Vec<String> {
    let digits: String = gtin.chars().filter(char::is_ascii_digit).collect();
    let core = digits.trim_start_matches('0');
    let mut out = Vec::new();
    for width in [12, 13, 14] {
        if core.len() <= width {
            let v = format!("{core:0>width$}");
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gtin_is_tried_as_upc_a_ean_13_and_14_digits() {
        assert_eq!(upc_variants("0602455070951"), ["602455070951", "0602455070951", "00602455070951"]);
        assert_eq!(upc_variants("00602455070951"), ["602455070951", "0602455070951", "00602455070951"]);
        assert_eq!(upc_variants("5099902987620"), ["5099902987620", "05099902987620"]);
    }

    #[test]
    fn upc_a_and_its_zero_padded_ean_are_the_same_gtin() {
        // Daft Punk, Discovery: Deezer's UPC, and the EAN-13 form of it.
        assert_eq!(gtin14("724384960650").as_deref(), Some("00724384960650"));
        assert_eq!(gtin14("0724384960650").as_deref(), Some("00724384960650"));
        assert_eq!(gtin14("00724384960650").as_deref(), Some("00724384960650"));
        // Linkin Park, Meteora, as MusicBrainz holds it.
        assert_eq!(gtin14("093624844426").as_deref(), Some("00093624844426"));
        assert_eq!(gtin14("0 93624-84442 6").as_deref(), Some("00093624844426"));
    }

    #[test]
    fn a_wrong_check_digit_or_non_digits_is_no_gtin() {
        assert_eq!(gtin14("724384960651"), None);
        assert_eq!(gtin14("742384960650"), None, "two digits swapped");
        assert_eq!(gtin14("B00008S7JP"), None, "an ASIN is not a barcode");
        assert_eq!(gtin14(""), None);
        assert_eq!(gtin14("0000000000000"), None);
        assert_eq!(gtin14("123"), None);
    }

    #[test]
    fn isrcs_are_upper_cased_without_hyphens_and_format_checked() {
        assert_eq!(isrc("GBDUW0000053").as_deref(), Some("GBDUW0000053"));
        assert_eq!(isrc("gb-duw-00-00053").as_deref(), Some("GBDUW0000053"));
        assert_eq!(isrc("USQ4E1300686").as_deref(), Some("USQ4E1300686"));
        assert_eq!(isrc("GBDUW000005"), None, "too short");
        assert_eq!(isrc("12DUW0000053"), None, "the country is letters");
        assert_eq!(isrc("GBDUW00000AB"), None, "the designation is digits");
        assert_eq!(isrc(""), None);
    }
}
