//! The Services view's logic: the configured services with their preset and dependencies, the Add
//! New Service dialog, and the option editor. Every check runs `shared`'s configuration code, so
//! the console says what the API would answer before anything is sent.

use callback_shared::config::catalogue::{self, Kind};
use callback_shared::config::presets::{self, Dependency, Preset, PRESETS};
use callback_shared::config::{valid_service_name, Config, Options, ServiceKind};
use std::collections::BTreeMap;

pub type Sections = BTreeMap<String, Options>;

const PREFIX: &str = "service.";

/// One line of Configured Services.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub name: String,
    /// None when the section's `_service` is not one we know.
    pub template: Option<ServiceKind>,
    pub preset: Option<&'static str>,
    pub dependencies: Vec<Dependency>,
    /// Callbacks in queue, for callback services.
    pub waiting: Option<u32>,
}

pub fn rows(sections: &Sections, waiting: &BTreeMap<String, u32>) -> Vec<ServiceRow> {
    let config = Config::from_sections(sections.clone());
    sections
        .iter()
        .filter_map(|(section, options)| {
            let name = section.strip_prefix(PREFIX)?;
            let template = ServiceKind::of(options).ok();
            let callback = template == Some(ServiceKind::Callback);
            Some(ServiceRow {
                name: name.to_string(),
                template,
                preset: callback
                    .then(|| presets::preset_of(options))
                    .flatten()
                    .map(|p| p.name),
                dependencies: if callback {
                    config.dependencies(name)
                } else {
                    Vec::new()
                },
                waiting: callback.then(|| waiting.get(name).copied().unwrap_or(0)),
            })
        })
        .collect()
}

/// The names of the callback services (what an agent can serve).
pub fn callback_services(sections: &Sections) -> Vec<String> {
    rows(sections, &BTreeMap::new())
        .into_iter()
        .filter(|r| r.template == Some(ServiceKind::Callback))
        .map(|r| r.name)
        .collect()
}

/// Which field of a form a problem is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Name,
    /// An option the template or preset sets.
    Option(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: Field,
    pub message: String,
}

/// The Add New Service dialog: Service Template, Service Name, Common Default Configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewService {
    pub template: ServiceKind,
    pub name: String,
    /// A preset's name, for the callback template.
    pub preset: &'static str,
    /// Create the services the preset needs that do not exist, in the same step.
    pub create_missing: bool,
}

impl Default for NewService {
    fn default() -> NewService {
        NewService {
            template: ServiceKind::Callback,
            name: String::new(),
            preset: "User Terminated Immediate",
            create_missing: true,
        }
    }
}

impl NewService {
    pub fn set_template(&mut self, name: &str) {
        if let Some(t) = ServiceKind::ALL.into_iter().find(|t| t.name() == name) {
            self.template = t;
        }
    }

    pub fn set_preset(&mut self, name: &str) {
        if let Some(p) = PRESETS.iter().find(|p| p.name == name) {
            self.preset = p.name;
        }
    }

    fn chosen_preset(&self) -> Option<&'static Preset> {
        (self.template == ServiceKind::Callback)
            .then(|| PRESETS.iter().find(|p| p.name == self.preset))
            .flatten()
    }

    /// What the chosen preset does, or the template when it has none.
    pub fn meaning(&self) -> &'static str {
        match self.chosen_preset() {
            Some(p) => p.meaning,
            None => presets::TEMPLATES
                .iter()
                .find(|t| t.template == self.template)
                .map_or("", |t| t.meaning),
        }
    }

    /// The options the new service will have.
    pub fn options(&self) -> Options {
        match self.chosen_preset() {
            Some(preset) => presets::preset_options(preset),
            None => presets::starter(self.template),
        }
    }

    /// The services it would depend on that do not exist.
    pub fn missing(&self, sections: &Sections) -> Vec<Dependency> {
        let mut with_it = sections.clone();
        with_it.insert(format!("{PREFIX}{}", self.name.trim()), self.options());
        Config::from_sections(with_it)
            .dependencies(self.name.trim())
            .into_iter()
            .filter(|d| !d.exists)
            .collect()
    }

    /// The sections to put, in order (the missing services first, when asked), each checked as
    /// the API checks it.
    pub fn plan(&self, sections: &Sections) -> Result<Vec<(String, Options)>, Problem> {
        let name = self.name.trim();
        let named = |message: String| Problem {
            field: Field::Name,
            message,
        };
        if !valid_service_name(name) {
            return Err(named(
                "a name of 1 to 100 letters, digits, `-`, `_` or `.`".into(),
            ));
        }
        if sections.contains_key(&format!("{PREFIX}{name}")) {
            return Err(named(format!("a service named `{name}` exists already")));
        }
        let mut puts = Vec::new();
        if self.create_missing {
            for d in self.missing(sections) {
                puts.push((
                    format!("{PREFIX}{}", d.service),
                    presets::starter(d.template),
                ));
            }
        }
        puts.push((format!("{PREFIX}{name}"), self.options()));
        let mut config = Config::from_sections(sections.clone());
        for (section, options) in &puts {
            config.put(section, options.clone()).map_err(|e| Problem {
                field: if e.option == "section" {
                    Field::Name
                } else {
                    Field::Option(e.option.clone())
                },
                message: e.to_string(),
            })?;
        }
        Ok(puts)
    }
}

/// What the editor says about one option row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowNote {
    /// Its meaning and default, when it is a known option.
    pub help: Option<String>,
    /// What is wrong with it, as the API would say it.
    pub problem: Option<String>,
}

/// Notes for each row of `section` as edited: unknown names (with the nearest known one), and the
/// first invalid value, with the API's message.
pub fn check_rows(sections: &Sections, section: &str, rows: &[(String, String)]) -> Vec<RowNote> {
    let options = super::section_of(rows);
    let template = match section {
        "callback" => Some(ServiceKind::Callback),
        "capacity" => Some(ServiceKind::Capacity),
        _ => ServiceKind::of(&options).ok(),
    };
    let mut others = sections.clone();
    others.remove(section);
    let refused = Config::from_sections(others).put(section, options).err();
    rows.iter()
        .map(|(name, _)| {
            let name = name.trim();
            let known = template.and_then(|t| catalogue::find(t, name));
            let problem = match (&refused, known, template) {
                (Some(e), _, _) if e.option == name => Some(e.to_string()),
                (_, None, Some(t)) if !name.is_empty() => Some(unknown(t, name)),
                _ => None,
            };
            RowNote {
                help: known.map(help),
                problem,
            }
        })
        .collect()
}

/// A refusal that names no row (the section as a whole, or an option not in the rows).
pub fn section_problem(
    sections: &Sections,
    section: &str,
    rows: &[(String, String)],
) -> Option<String> {
    let options = super::section_of(rows);
    let mut others = sections.clone();
    others.remove(section);
    let e = Config::from_sections(others).put(section, options).err()?;
    (!rows.iter().any(|(name, _)| name.trim() == e.option)).then(|| e.to_string())
}

fn unknown(template: ServiceKind, name: &str) -> String {
    let base = format!(
        "not an option of {} services: it is kept, but nothing reads it",
        template.name()
    );
    match catalogue::nearest(template, name) {
        Some(near) => format!("{base}. Did you mean {near}?"),
        None => base,
    }
}

/// The meaning, default and values of an option, in a line.
pub fn help(o: &catalogue::Opt) -> String {
    let values = match o.kind {
        Kind::Bool { .. } => "true or false".to_string(),
        Kind::Number { min, max, .. } => format!("{min} to {max}"),
        Kind::Choice { values, .. } => values.join(", "),
        Kind::Text { .. } => String::new(),
    };
    let default = o.default_text();
    let default = if default.is_empty() {
        "none".to_string()
    } else {
        default
    };
    match values.is_empty() {
        true => format!("{} Default: {default}.", o.meaning),
        false => format!("{} Default: {default}. Values: {values}.", o.meaning),
    }
}

/// What deleting a service does, said before it is done.
pub fn delete_warning(row: &ServiceRow) -> String {
    match row.waiting {
        Some(n) => format!(
            "Delete the service {}? Its callbacks ({n} in queue) stop being served and can no longer be created. \
             They are kept 7 days: configuring a service of the same name within that time brings them back; after that they are erased.",
            row.name
        ),
        None => format!(
            "Delete the service {}? Services that use it must stop using it first.",
            row.name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Sections {
        let mut config = Config::new();
        for t in [ServiceKind::OfficeHours, ServiceKind::Capacity] {
            config
                .put(&format!("service.{}", t.name()), presets::starter(t))
                .unwrap();
        }
        let scheduled = PRESETS
            .iter()
            .find(|p| p.name == "User Terminated Scheduled")
            .unwrap();
        config
            .put("service.web", presets::preset_options(scheduled))
            .unwrap();
        config.sections().clone()
    }

    #[test]
    fn rows_name_template_preset_dependencies_and_waiting() {
        let waiting = BTreeMap::from([("web".to_string(), 4)]);
        let rows = rows(&demo(), &waiting);
        let web = rows.iter().find(|r| r.name == "web").unwrap();
        assert_eq!(web.preset, Some("User Terminated Scheduled"));
        assert_eq!(web.waiting, Some(4));
        assert!(web.dependencies.iter().all(|d| d.exists));
        let hours = rows.iter().find(|r| r.name == "office-hours").unwrap();
        assert_eq!(
            (hours.template, hours.waiting),
            (Some(ServiceKind::OfficeHours), None)
        );
        assert_eq!(callback_services(&demo()), ["web"]);
    }

    #[test]
    fn a_user_originated_preset_creates_what_it_needs() {
        let mut dialog = NewService {
            name: "uo".into(),
            ..NewService::default()
        };
        dialog.set_preset("User Originated Delayed");
        let missing: Vec<String> = dialog
            .missing(&demo())
            .into_iter()
            .map(|d| d.service)
            .collect();
        assert_eq!(missing, ["request-access", "match-interaction"]);
        let plan = dialog.plan(&demo()).unwrap();
        let sections: Vec<&str> = plan.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            sections,
            [
                "service.request-access",
                "service.match-interaction",
                "service.uo"
            ]
        );
        assert_eq!(
            plan[2].1.get("_wait_for_user_confirm").map(String::as_str),
            Some("true")
        );
        dialog.create_missing = false;
        assert_eq!(dialog.plan(&demo()).unwrap().len(), 1);
    }

    #[test]
    fn a_scheduled_preset_without_its_services_is_refused_unless_they_are_created() {
        let mut dialog = NewService {
            name: "s".into(),
            create_missing: false,
            ..NewService::default()
        };
        dialog.set_preset("User Terminated Scheduled");
        let problem = dialog.plan(&Sections::new()).unwrap_err();
        assert_eq!(
            problem.field,
            Field::Option("_business_hours_service".into())
        );
        dialog.create_missing = true;
        assert_eq!(dialog.plan(&Sections::new()).unwrap().len(), 3);
    }

    #[test]
    fn names_are_checked_as_the_api_checks_them() {
        let taken = NewService {
            name: "web".into(),
            ..NewService::default()
        };
        assert_eq!(taken.plan(&demo()).unwrap_err().field, Field::Name);
        let bad = NewService {
            name: "a/b".into(),
            ..NewService::default()
        };
        assert_eq!(bad.plan(&demo()).unwrap_err().field, Field::Name);
        let mut chat = NewService {
            name: "c".into(),
            ..NewService::default()
        };
        chat.set_preset("Chat Immediate");
        let planned = chat.plan(&demo()).unwrap();
        assert_eq!(
            planned.len(),
            1,
            "a chat needs no access number: {planned:?}"
        );
        assert_eq!(chat.meaning(), "The customer chats with the next agent.");
        let mut hours = NewService {
            name: "h".into(),
            ..NewService::default()
        };
        hours.set_template("office-hours");
        assert_eq!(
            hours.options().get("_service").map(String::as_str),
            Some("office-hours")
        );
    }

    #[test]
    fn the_editor_flags_unknown_names_and_bad_values_with_the_apis_words() {
        let rows = vec![
            ("_service".to_string(), "callback".to_string()),
            ("_wait_for_agnet".to_string(), "true".to_string()),
            ("_ttl".to_string(), "forever".to_string()),
        ];
        let notes = check_rows(&demo(), "service.web", &rows);
        assert!(notes[0].problem.is_none() && notes[0].help.is_some());
        assert!(notes[1]
            .problem
            .as_deref()
            .unwrap()
            .ends_with("Did you mean _wait_for_agent?"));
        assert_eq!(
            notes[2].problem.as_deref(),
            Some("option `_ttl`: `forever` is not a whole number from 1 to 31536000")
        );
        assert!(section_problem(&demo(), "service.web", &rows).is_none());
        let no_kind = vec![("_ttl".to_string(), "5".to_string())];
        assert!(section_problem(&demo(), "service.x", &no_kind)
            .unwrap()
            .contains("_service"));
    }

    #[test]
    fn help_says_meaning_default_and_values() {
        assert_eq!(
            help(&catalogue::TIME_BUCKET),
            "Minutes in a bookable time slot. Default: 5. Values: 5, 10, 15, 20, 30, 60, 120."
        );
    }
}
