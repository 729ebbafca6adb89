//! Typed reads of a section's options, with the precedence service > section `callback` (also
//! under the name without its leading `_`, as GMS's `max_queued_callbacks_per_service`) > the
//! catalogue's default. Values are checked against the catalogue's kind.

use super::catalogue::{Kind, Opt};
use super::{ConfigError, Options};

static EMPTY: Options = Options::new();

pub(crate) struct Reader<'a> {
    pub service: &'a Options,
    pub global: &'a Options,
}

impl Reader<'_> {
    /// A section alone, without global defaults (the builtin services).
    pub fn alone(options: &Options) -> Reader<'_> {
        Reader {
            service: options,
            global: &EMPTY,
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.service
            .get(name)
            .or_else(|| self.global.get(name))
            .or_else(|| {
                name.strip_prefix('_')
                    .and_then(|bare| self.global.get(bare))
            })
            .map(|s| s.trim())
    }

    /// The text given, else the default: for `Text` and `Choice` options read by rules of their own.
    pub fn text(&self, o: &Opt) -> String {
        match self.get(o.name).filter(|t| !t.is_empty()) {
            Some(text) => text.to_string(),
            None => o.default_text(),
        }
    }

    pub fn bool(&self, o: &Opt) -> Result<bool, ConfigError> {
        let Kind::Bool { default } = o.kind else {
            return Err(kind_mismatch(o));
        };
        match self.get(o.name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(ConfigError::new(
                o.name,
                format!("`{other}` is not true or false"),
            )),
        }
    }

    pub fn number(&self, o: &Opt) -> Result<u32, ConfigError> {
        let Kind::Number { default, min, max } = o.kind else {
            return Err(kind_mismatch(o));
        };
        let Some(text) = self.get(o.name).filter(|t| !t.is_empty()) else {
            return Ok(default);
        };
        text.parse::<u32>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                ConfigError::new(
                    o.name,
                    format!("`{text}` is not a whole number from {min} to {max}"),
                )
            })
    }

    /// One of the option's values, as the catalogue spells it (case is not significant).
    pub fn choice(&self, o: &Opt) -> Result<&'static str, ConfigError> {
        let Kind::Choice { default, values } = o.kind else {
            return Err(kind_mismatch(o));
        };
        let Some(text) = self.get(o.name).filter(|t| !t.is_empty()) else {
            return Ok(default);
        };
        values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(text))
            .copied()
            .ok_or_else(|| {
                ConfigError::new(
                    o.name,
                    format!("`{text}` is not one of {}", values.join(", ")),
                )
            })
    }
}

/// A read that does not fit the catalogue's entry: a mistake in this crate, which a test catches,
/// answered as an error rather than a panic.
fn kind_mismatch(o: &Opt) -> ConfigError {
    ConfigError::new(o.name, "is read as another kind than the catalogue says")
}
