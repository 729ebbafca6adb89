//! Phone numbers: normalisation to E.164 with a default country, and rejection of impossible and
//! premium-rate numbers. A small table instead of a full numbering plan keeps this small enough
//! for the widget (no `regex`, no `phonenumber`).
//!
//! | country | code | national significant number | premium-rate ranges refused |
//! |---|---|---|---|
//! | NANP (US, CA, …) | 1 | 10 digits, `[2-9]XX [2-9]XX XXXX` | 900, 976 |
//! | UK | 44 | 10 digits (9 or 10 for 1XXX areas), first digit 1,2,3,5,7,8,9 | 9XX, 871–873, 70 (personal) |
//! | France | 33 | 9 digits, first digit 1–9 | 89 |
//! | Germany | 49 | 6–13 digits, first digit 1–9 | 900, 137, 118 |
//! | Spain | 34 | 9 digits, first digit 5–9 | 803, 806, 807, 905 |
//! | Italy | 39 | 6–11 digits starting 0 (kept), 9–10 starting 3, 6–10 starting 8 | 89, 144, 166 |
//!
//! Numbers of other countries, given in international form, are accepted when they have 8 to 15
//! digits: this table cannot tell more about them.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub iso: &'static str,
    pub calling_code: &'static str,
    /// Dialled before national numbers and dropped in E.164 ("0"), if any.
    trunk_prefix: &'static str,
    plan: Plan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Nanp,
    Uk,
    France,
    Germany,
    Spain,
    Italy,
}

const COUNTRIES: &[Country] = &[
    Country {
        iso: "US",
        calling_code: "1",
        trunk_prefix: "1",
        plan: Plan::Nanp,
    },
    Country {
        iso: "CA",
        calling_code: "1",
        trunk_prefix: "1",
        plan: Plan::Nanp,
    },
    Country {
        iso: "GB",
        calling_code: "44",
        trunk_prefix: "0",
        plan: Plan::Uk,
    },
    Country {
        iso: "FR",
        calling_code: "33",
        trunk_prefix: "0",
        plan: Plan::France,
    },
    Country {
        iso: "DE",
        calling_code: "49",
        trunk_prefix: "0",
        plan: Plan::Germany,
    },
    Country {
        iso: "ES",
        calling_code: "34",
        trunk_prefix: "",
        plan: Plan::Spain,
    },
    Country {
        iso: "IT",
        calling_code: "39",
        trunk_prefix: "",
        plan: Plan::Italy,
    },
];

impl Country {
    /// By ISO 3166 code (`UK` is accepted for `GB`).
    pub fn from_iso(code: &str) -> Option<Country> {
        let code = code.trim().to_ascii_uppercase();
        let code = if code == "UK" { "GB".to_string() } else { code };
        COUNTRIES.iter().copied().find(|c| c.iso == code)
    }

    pub fn all() -> &'static [Country] {
        COUNTRIES
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error(
        "the phone number has characters other than digits, spaces, `+`, `-`, `.`, `(` and `)`"
    )]
    Characters,
    #[error("the phone number has too few or too many digits, or cannot exist")]
    Impossible,
    #[error("premium-rate numbers are not accepted")]
    Premium,
}

/// What to refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhonePolicy {
    pub default_country: Country,
    pub disallow_impossible: bool,
    pub disallow_premium: bool,
}

/// Whether `number` is E.164 (`+`, then 8 to 15 digits, the first not 0): what providers dial,
/// and what configured numbers (access numbers, caller ids, agents' phones) must be.
pub fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// Normalises `input` to E.164 (`+33612345678`).
pub fn normalize(input: &str, policy: &PhonePolicy) -> Result<String, PhoneError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let mut digits = String::with_capacity(trimmed.len());
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ => return Err(PhoneError::Characters),
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    let country = policy.default_country;
    let international = if trimmed.starts_with('+') {
        Some(digits.as_str())
    } else if let Some(rest) = digits.strip_prefix("00") {
        Some(rest)
    } else if country.plan == Plan::Nanp && digits.len() > 11 {
        digits.strip_prefix("011")
    } else {
        None
    };
    let (code, national) = match international {
        Some(full) => match COUNTRIES.iter().find(|c| full.starts_with(c.calling_code)) {
            Some(c) => (*c, &full[c.calling_code.len()..]),
            None => return check_unknown(full, policy),
        },
        None => {
            let national = digits
                .strip_prefix(country.trunk_prefix)
                .filter(|_| !country.trunk_prefix.is_empty());
            let national = match (country.plan, national) {
                // In NANP a leading 1 is the trunk prefix only on 11-digit numbers.
                (Plan::Nanp, Some(n)) if digits.len() == 11 => n,
                (Plan::Nanp, _) => digits.as_str(),
                (_, Some(n)) => n,
                (_, None) => digits.as_str(),
            };
            (country, national)
        }
    };
    let verdict = judge(code.plan, national);
    match verdict {
        Verdict::Impossible if policy.disallow_impossible => Err(PhoneError::Impossible),
        Verdict::Premium if policy.disallow_premium => Err(PhoneError::Premium),
        _ => Ok(format!("+{}{}", code.calling_code, national)),
    }
}

fn check_unknown(full: &str, policy: &PhonePolicy) -> Result<String, PhoneError> {
    if policy.disallow_impossible && !(8..=15).contains(&full.len()) {
        return Err(PhoneError::Impossible);
    }
    Ok(format!("+{full}"))
}

enum Verdict {
    Fine,
    Impossible,
    Premium,
}

fn judge(plan: Plan, n: &str) -> Verdict {
    let len = n.len();
    let first = n.as_bytes().first().copied().unwrap_or(b'0');
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| n.starts_with(p));
    let possible = match plan {
        Plan::Nanp => len == 10 && first >= b'2' && n.as_bytes().get(3).is_some_and(|&d| d >= b'2'),
        Plan::Uk => match first {
            b'1' => len == 9 || len == 10,
            b'2' | b'3' | b'5' | b'7' | b'8' | b'9' => len == 10,
            _ => false,
        },
        Plan::France => len == 9 && first != b'0',
        Plan::Germany => (6..=13).contains(&len) && first != b'0',
        Plan::Spain => len == 9 && first >= b'5',
        Plan::Italy => match first {
            b'0' => (6..=11).contains(&len),
            b'3' => len == 9 || len == 10,
            b'8' => (6..=10).contains(&len),
            _ => false,
        },
    };
    let premium = match plan {
        Plan::Nanp => starts(&["900", "976"]),
        Plan::Uk => starts(&["9", "871", "872", "873", "70"]),
        Plan::France => starts(&["89"]),
        Plan::Germany => starts(&["900", "137", "118"]),
        Plan::Spain => starts(&["803", "806", "807", "905"]),
        Plan::Italy => starts(&["89", "144", "166"]),
    };
    if !possible {
        Verdict::Impossible
    } else if premium {
        Verdict::Premium
    } else {
        Verdict::Fine
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn e164_is_a_plus_then_8_to_15_digits_not_starting_with_0() {
        assert!(is_e164("+33612345678") && !is_e164("0612345678") && !is_e164("+0123456789"));
        assert!(!is_e164("+1234567") && !is_e164("+1234567890123456") && !is_e164("+33 6 12"));
    }

    fn policy(iso: &str) -> PhonePolicy {
        PhonePolicy {
            default_country: Country::from_iso(iso).unwrap(),
            disallow_impossible: true,
            disallow_premium: true,
        }
    }

    #[test]
    fn national_and_international_forms_normalise_to_e164() {
        let cases = [
            ("US", "(212) 555-0123", "+12125550123"),
            ("US", "1 212 555 0123", "+12125550123"),
            ("US", "011 33 6 12 34 56 78", "+33612345678"),
            ("FR", "06 12 34 56 78", "+33612345678"),
            ("FR", "+33 6 12 34 56 78", "+33612345678"),
            ("FR", "0033612345678", "+33612345678"),
            ("GB", "020 7946 0018", "+442079460018"),
            ("UK", "07700 900123", "+447700900123"),
            ("DE", "030 1234567", "+49301234567"),
            ("DE", "0151 23456789", "+4915123456789"),
            ("ES", "612 34 56 78", "+34612345678"),
            ("IT", "06 6982 1234", "+390669821234"),
            ("IT", "347 123 4567", "+393471234567"),
            ("US", "+81 3 1234 5678", "+81312345678"),
        ];
        for (country, input, e164) in cases {
            assert_eq!(
                normalize(input, &policy(country)).as_deref(),
                Ok(e164),
                "{country} {input}"
            );
        }
    }

    #[test]
    fn impossible_numbers_are_refused() {
        let cases = [
            ("US", "555-0123"),
            ("US", "(112) 555-0123"),
            ("FR", "06 12 34"),
            ("GB", "+44 0207 946 0018"),
            ("ES", "412345678"),
            ("IT", "+39 2 1234"),
            ("US", "+12"),
        ];
        for (country, input) in cases {
            assert_eq!(
                normalize(input, &policy(country)),
                Err(PhoneError::Impossible),
                "{country} {input}"
            );
        }
        assert_eq!(
            normalize("call me", &policy("US")),
            Err(PhoneError::Characters)
        );
        assert_eq!(normalize(" - ", &policy("US")), Err(PhoneError::Empty));
        assert_eq!(
            normalize("12+3", &policy("US")),
            Err(PhoneError::Characters)
        );
    }

    #[test]
    fn premium_ranges_are_refused_when_asked() {
        let cases = [
            ("US", "1-900-555-0199"),
            ("GB", "0906 123 4567"),
            ("FR", "08 99 12 34 56"),
            ("DE", "0900 1234567"),
            ("ES", "806 123 456"),
            ("IT", "899 123456"),
        ];
        for (country, input) in cases {
            assert_eq!(
                normalize(input, &policy(country)),
                Err(PhoneError::Premium),
                "{country} {input}"
            );
            let lenient = PhonePolicy {
                disallow_premium: false,
                ..policy(country)
            };
            assert!(
                normalize(input, &lenient).is_ok(),
                "{country} {input} allowed when premium is allowed"
            );
        }
    }

    #[test]
    fn impossible_numbers_pass_when_allowed() {
        let lenient = PhonePolicy {
            disallow_impossible: false,
            ..policy("US")
        };
        assert_eq!(normalize("5115", &lenient).as_deref(), Ok("+15115"));
    }

    proptest! {
        #[test]
        fn never_panics_and_output_is_e164(s in "[+0-9 ()./a-z-]{0,24}", iso in prop::sample::select(vec!["US", "GB", "FR", "DE", "ES", "IT"])) {
            if let Ok(e164) = normalize(&s, &policy(iso)) {
                prop_assert!(e164.starts_with('+'));
                prop_assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()));
                prop_assert!(e164.len() <= 16);
                // Normalising a normalised number changes nothing.
                prop_assert_eq!(normalize(&e164, &policy(iso)), Ok(e164.clone()));
            }
        }
    }
}
