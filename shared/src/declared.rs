//! A whole configuration as an operator declares it in a file (configuration as code): every
//! section (a service may name its `preset`, whose options it then has under its own) and, when
//! the file manages them, the agents. It is validated at once — every problem
//! found, each naming its section and option — and compared with the live configuration option
//! by option, so a plan can be shown before anything changes.

use crate::config::{presets, valid_service_name, Config, ConfigError, Options, ServiceKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Options whose values are secrets: a plan says that they change, never what they are.
pub const SECRET_OPTIONS: &[&str] = &["_webhook_secret"];

/// What a plan shows instead of a secret's value.
pub const HIDDEN: &str = "(secret, not shown)";

/// An agent as configured: never their token, which the deployment makes and keeps as a hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSpec {
    pub name: String,
    #[serde(default)]
    pub services: Vec<String>,
    /// In E.164: where a telephony connector calls the agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl AgentSpec {
    /// The agent with its name and services trimmed (services once each), if it is valid with
    /// `config`: a name of 1 to 100 characters, only callback services, a phone in E.164.
    pub fn checked(&self, config: &Config) -> Result<AgentSpec, ConfigError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(ConfigError::new("name", "required"));
        }
        if name.chars().count() > 100 {
            return Err(ConfigError::new("name", "at most 100 characters"));
        }
        let mut services: Vec<String> = Vec::new();
        for service in self
            .services
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            if config.kind(service) != Some(ServiceKind::Callback) {
                return Err(ConfigError::new(
                    "services",
                    format!("`{service}` is not a callback service"),
                ));
            }
            if !services.iter().any(|s| s == service) {
                services.push(service.to_string());
            }
        }
        let phone = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if phone.is_some_and(|p| !crate::phone::is_e164(p)) {
            return Err(ConfigError::new(
                "phone",
                "in E.164: + and 8 to 15 digits (+33612345678)",
            ));
        }
        Ok(AgentSpec {
            name: name.to_string(),
            services,
            phone: phone.map(str::to_string),
        })
    }
}

/// The body of a plan or an apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    /// Every section: a live section that is not here is removed.
    pub sections: BTreeMap<String, Options>,
    /// Agents by id; absent when the file does not manage agents (they are left as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<BTreeMap<String, AgentSpec>>,
    /// The live version the plan was made against: an apply is refused if it moved since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// One thing wrong with a declared configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's table: `callback`, `capacity`, `service.<name>` or `agents.<id>`.
    pub table: String,
    pub error: ConfigError,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.table, self.error.option, self.error.message
        )
    }
}

/// A declared configuration that passed every rule: what an apply stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub config: Config,
    pub agents: Option<BTreeMap<String, AgentSpec>>,
}

impl Declared {
    /// Checks every section against the whole declared configuration (a service's office hours or
    /// capacity must be declared too) and every agent against it; answers every problem found.
    pub fn validate(&self) -> Result<Valid, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut sections = BTreeMap::new();
        for (name, options) in &self.sections {
            let expanded = presets::expand(options).unwrap_or_else(|error| {
                problems.push(Problem {
                    table: name.clone(),
                    error,
                });
                options.clone()
            });
            sections.insert(name.clone(), expanded);
        }
        let config = Config::from_sections(sections);
        problems.extend(config.sections().keys().filter_map(|name| {
            config.validate_section(name).err().map(|error| Problem {
                table: name.clone(),
                error,
            })
        }));
        let agents = self.agents.as_ref().map(|agents| {
            let mut checked = BTreeMap::new();
            for (id, agent) in agents {
                let table = format!("agents.{id}");
                if !valid_service_name(id) {
                    let error = ConfigError::new(
                        "id",
                        "letters, digits, `-`, `_` and `.` only, at most 100",
                    );
                    problems.push(Problem { table, error });
                    continue;
                }
                match agent.checked(&config) {
                    Ok(agent) => {
                        checked.insert(id.clone(), agent);
                    }
                    Err(error) => problems.push(Problem { table, error }),
                }
            }
            checked
        });
        if problems.is_empty() {
            Ok(Valid { config, agents })
        } else {
            Err(problems)
        }
    }
}

/// What happens to one table of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Add,
    Change,
    Remove,
}

/// One option's change: `before` absent when added, `after` absent when removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionChange {
    pub option: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// One table's change, with its options' changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub table: String,
    pub action: Action,
    pub options: Vec<OptionChange>,
}

/// The changes that take `live` to `next`, sections first (in name order), then agents; secrets'
/// values hidden. Agents are compared only when `next` manages them.
pub fn plan(
    live: &BTreeMap<String, Options>,
    live_agents: &BTreeMap<String, AgentSpec>,
    next: &Valid,
) -> Vec<Change> {
    let mut changes = compare(live, next.config.sections(), |name| name.to_string());
    if let Some(agents) = &next.agents {
        let fields = |agent: &AgentSpec| {
            let mut fields = Options::from([
                ("name".to_string(), agent.name.clone()),
                ("services".to_string(), agent.services.join(", ")),
            ]);
            fields.extend(agent.phone.clone().map(|p| ("phone".to_string(), p)));
            fields
        };
        let live: BTreeMap<String, Options> = live_agents
            .iter()
            .map(|(id, a)| (id.clone(), fields(a)))
            .collect();
        let next: BTreeMap<String, Options> = agents
            .iter()
            .map(|(id, a)| (id.clone(), fields(a)))
            .collect();
        changes.extend(compare(&live, &next, |id| format!("agents.{id}")));
    }
    changes
}

fn compare(
    live: &BTreeMap<String, Options>,
    next: &BTreeMap<String, Options>,
    table: impl Fn(&str) -> String,
) -> Vec<Change> {
    let empty = Options::new();
    let mut names: Vec<&String> = live.keys().chain(next.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let (before, after) = (live.get(name), next.get(name));
            let action = match (before, after) {
                (None, Some(_)) => Action::Add,
                (Some(_), None) => Action::Remove,
                (Some(b), Some(a)) if b != a => Action::Change,
                _ => return None,
            };
            let (before, after) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
            let mut options: Vec<&String> = before.keys().chain(after.keys()).collect();
            options.sort();
            options.dedup();
            let options = options
                .into_iter()
                .filter(|o| before.get(*o) != after.get(*o))
                .map(|o| {
                    let shown = |v: Option<&String>| {
                        v.map(|v| match SECRET_OPTIONS.contains(&o.as_str()) {
                            true => HIDDEN.to_string(),
                            false => v.clone(),
                        })
                    };
                    OptionChange {
                        option: o.clone(),
                        before: shown(before.get(o)),
                        after: shown(after.get(o)),
                    }
                })
                .collect();
            Some(Change {
                table: table(name),
                action,
                options,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::options;

    fn declared(sections: &[(&str, &[(&str, &str)])]) -> Declared {
        Declared {
            sections: sections
                .iter()
                .map(|(name, pairs)| (name.to_string(), options(pairs)))
                .collect(),
            ..Declared::default()
        }
    }

    const HOURS: &[(&str, &str)] = &[
        ("_type", "builtin"),
        ("_service", "office-hours"),
        ("_timezone", "Europe/Paris"),
        ("_bh_regular1", "Mon-Fri 08:00-20:00"),
    ];
    const WEB: &[(&str, &str)] = &[
        ("_type", "ors"),
        ("_service", "callback"),
        ("_business_hours_service", "office"),
        ("_webhook_secret", "s3cret"),
    ];

    fn agent(name: &str, services: &[&str]) -> AgentSpec {
        AgentSpec {
            name: name.into(),
            services: services.iter().map(|s| s.to_string()).collect(),
            phone: None,
        }
    }

    #[test]
    fn every_problem_is_found_and_names_its_table_and_option() {
        let mut bad = declared(&[
            (
                "service.office",
                &[("_service", "office-hours"), ("_timezone", "Mars/Base")],
            ),
            ("service.web", WEB),
            ("service.x", &[("_service", "teleport")]),
            ("nonsense", &[]),
        ]);
        bad.agents = Some(BTreeMap::from([
            ("ann".into(), agent("Ann", &["office"])),
            ("bob".into(), agent("  ", &[])),
            ("bad id".into(), agent("Carl", &[])),
            (
                "dan".into(),
                AgentSpec {
                    phone: Some("06 12".into()),
                    ..agent("Dan", &[])
                },
            ),
        ]));
        let problems = bad.validate().err().unwrap_or_default();
        let tables: Vec<String> = problems.iter().map(|p| p.table.clone()).collect();
        assert_eq!(
            tables,
            [
                "nonsense",
                "service.office",
                "service.web",
                "service.x",
                "agents.ann",
                "agents.bad id",
                "agents.bob",
                "agents.dan"
            ]
        );
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            text[1].starts_with("[service.office] _timezone: "),
            "{}",
            text[1]
        );
        assert!(text[3].starts_with("[service.x] _service: "), "{}", text[3]);
        assert_eq!(
            text[4],
            "[agents.ann] services: `office` is not a callback service"
        );
        assert_eq!(text[6], "[agents.bob] name: required");
        assert!(
            text[7].starts_with("[agents.dan] phone: in E.164"),
            "{}",
            text[7]
        );
    }

    #[test]
    fn a_plan_lists_added_changed_and_removed_options_and_hides_secrets() {
        let live = declared(&[
            ("service.office", HOURS),
            ("service.web", WEB),
            ("callback", &[]),
        ]);
        let mut next = declared(&[
            (
                "service.office",
                &[
                    ("_bh_regular1", "Mon-Sat 08:00-20:00"),
                    ("_service", "office-hours"),
                    ("_timezone", "Europe/Paris"),
                    ("_type", "builtin"),
                ],
            ),
            (
                "service.web",
                &[
                    ("_type", "ors"),
                    ("_service", "callback"),
                    ("_business_hours_service", "office"),
                    ("_webhook_secret", "n3w"),
                ],
            ),
            ("service.now", &[("_service", "callback")]),
        ]);
        next.agents = Some(BTreeMap::from([(
            "ann".into(),
            agent(" Ann ", &["web", "now", "web"]),
        )]));
        let valid = next.validate().unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(
            valid.agents.as_ref().map(|a| &a["ann"]),
            Some(&agent("Ann", &["web", "now"]))
        );
        let live_agents = BTreeMap::from([("bob".to_string(), agent("Bob", &["web"]))]);
        let changes = plan(&live.sections, &live_agents, &valid);
        let summary: Vec<(&str, Action, usize)> = changes
            .iter()
            .map(|c| (c.table.as_str(), c.action, c.options.len()))
            .collect();
        assert_eq!(
            summary,
            [
                ("callback", Action::Remove, 0),
                ("service.now", Action::Add, 1),
                ("service.office", Action::Change, 1),
                ("service.web", Action::Change, 1),
                ("agents.ann", Action::Add, 2),
                ("agents.bob", Action::Remove, 2),
            ]
        );
        let secret = &changes[3].options[0];
        assert_eq!(secret.option, "_webhook_secret");
        assert_eq!(
            (secret.before.as_deref(), secret.after.as_deref()),
            (Some(HIDDEN), Some(HIDDEN))
        );
        assert_eq!(
            changes[2].options[0].before.as_deref(),
            Some("Mon-Fri 08:00-20:00")
        );
        assert_eq!(changes[4].options[1].after.as_deref(), Some("web, now"));
    }

    #[test]
    fn the_same_configuration_plans_nothing_and_unmanaged_agents_are_left_alone() {
        let live = declared(&[("service.office", HOURS), ("service.web", WEB)]);
        let valid = live.validate().unwrap_or_else(|p| panic!("{p:?}"));
        let live_agents = BTreeMap::from([("bob".to_string(), agent("Bob", &["web"]))]);
        assert_eq!(plan(&live.sections, &live_agents, &valid), []);
    }

    #[test]
    fn a_section_another_uses_cannot_go_alone() {
        let next = declared(&[("service.web", WEB)]);
        let problems = next.validate().err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].table, "service.web");
        assert_eq!(problems[0].error.option, "_business_hours_service");
    }
}
