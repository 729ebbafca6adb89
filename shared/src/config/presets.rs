//! The Service Management UI's Templates and the callback template's Common Default Configuration
//! presets (OPERATOR.md), and the services a service depends on.

use super::catalogue::{self as c, Opt};
use super::{Config, Options, ServiceKind as Template};
use serde::Serialize;

/// A template: what a new service of it starts with.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TemplateDoc {
    pub template: Template,
    pub meaning: &'static str,
    /// The options a new service of this template is created with.
    pub starter: &'static [(&'static str, &'static str)],
}

/// A preset of the callback template.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Preset {
    pub name: &'static str,
    pub meaning: &'static str,
    /// The options it sets (over the callback template's starter).
    pub sets: &'static [(&'static str, &'static str)],
}

/// Weekday `d`'s capacity in the capacity template's starter: two callbacks an hour, 09:00 to 17:00.
macro_rules! weekday_slots {
    ($d:literal) => {
        concat!(
            "{\"",
            $d,
            r#"":{"0900":2,"1000":2,"1100":2,"1200":2,"1300":2,"1400":2,"1500":2,"1600":2}}"#
        )
    };
}

pub const TEMPLATES: &[TemplateDoc] = &[
    TemplateDoc {
        template: Template::Callback,
        meaning: "Callbacks: customers ask to be called back, now or at a time.",
        starter: &[("_type", "ors"), ("_service", "callback")],
    },
    TemplateDoc {
        template: Template::OfficeHours,
        meaning: "When the contact centre is open: weekly hours, extra dates and holidays.",
        starter: &[
            ("_type", "builtin"),
            ("_service", "office-hours"),
            ("_timezone", "UTC"),
            ("_bh_regular1", "Mon-Fri 09:00-17:00"),
        ],
    },
    TemplateDoc {
        template: Template::Capacity,
        meaning: "How many callbacks each time slot takes, per weekday and date.",
        starter: &[
            ("_type", "builtin"),
            ("_service", "capacity"),
            ("_timezone", "UTC"),
            ("_capacity_1", weekday_slots!("1")),
            ("_capacity_2", weekday_slots!("2")),
            ("_capacity_3", weekday_slots!("3")),
            ("_capacity_4", weekday_slots!("4")),
            ("_capacity_5", weekday_slots!("5")),
        ],
    },
    TemplateDoc {
        template: Template::RequestAccess,
        meaning: "Gives user-originated callers the number to call (and a code).",
        starter: &[("_type", "builtin"), ("_service", "request-access")],
    },
    TemplateDoc {
        template: Template::MatchInteraction,
        meaning: "Recognises a user-originated caller's call and connects it to their callback.",
        starter: &[("_type", "builtin"), ("_service", "match-interaction")],
    },
];

const UO: (&str, &str) = ("_call_direction", "USERORIGINATED");
const UT: (&str, &str) = ("_call_direction", "USERTERMINATED");
const VOICE: (&str, &str) = ("_media_type", "voice");
const CHAT: (&str, &str) = ("_media_type", "chat");
const AGENT_NOW: (&str, &str) = ("_wait_for_agent", "false");
const AGENT_FIRST: (&str, &str) = ("_wait_for_agent", "true");
const NO_CONFIRM: (&str, &str) = ("_wait_for_user_confirm", "false");
const CONFIRM: (&str, &str) = ("_wait_for_user_confirm", "true");

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "User Originated Immediate",
        meaning: "The customer is given a number to call now.",
        sets: &[UO, VOICE, AGENT_NOW, NO_CONFIRM],
    },
    Preset {
        name: "User Originated Delayed",
        meaning: "The customer is told to call once an agent is ready, and confirms.",
        sets: &[UO, VOICE, AGENT_FIRST, CONFIRM],
    },
    Preset {
        name: "User Terminated Immediate",
        meaning: "The customer is called back as soon as possible.",
        sets: &[UT, VOICE, AGENT_NOW, NO_CONFIRM],
    },
    Preset {
        name: "User Terminated Delayed",
        meaning: "The customer is called once an agent is ready, after confirming.",
        sets: &[UT, VOICE, AGENT_FIRST, CONFIRM],
    },
    Preset {
        name: "User Terminated Scheduled",
        meaning: "The customer books a time slot within office hours and capacity.",
        sets: &[
            UT,
            VOICE,
            AGENT_FIRST,
            NO_CONFIRM,
            ("_business_hours_service", "office-hours"),
            ("_capacity_service", "capacity"),
        ],
    },
    Preset {
        name: "User Terminated Preview",
        meaning: "An agent previews and accepts the callback before the customer is called.",
        sets: &[
            UT,
            VOICE,
            AGENT_FIRST,
            NO_CONFIRM,
            ("_agent_preview", "true"),
            ("_userterminated_first_connect_party", "AGENT"),
        ],
    },
    Preset {
        name: "User Terminated Agent First",
        meaning: "The agent is called first, then the customer.",
        sets: &[
            UT,
            VOICE,
            AGENT_FIRST,
            NO_CONFIRM,
            ("_userterminated_first_connect_party", "AGENT"),
            ("_agent_preview", "false"),
        ],
    },
    Preset {
        name: "Chat Immediate",
        meaning: "The customer chats with the next agent.",
        sets: &[CHAT, UO, AGENT_NOW, NO_CONFIRM],
    },
    Preset {
        name: "Chat Delayed",
        meaning: "The customer is told when an agent is ready to chat, and confirms.",
        sets: &[CHAT, UO, AGENT_FIRST, CONFIRM],
    },
    Preset {
        name: "IVR Classic Callback (sample)",
        meaning: "An IVR offers a callback to callers when the wait is long.",
        sets: &[
            UT,
            VOICE,
            AGENT_NOW,
            NO_CONFIRM,
            ("_offer_callback_ewt_threshold", "300"),
        ],
    },
];

/// A section written with `preset = "<name>"` (the configuration file, the admin API): the
/// preset's options, under the ones the section gives itself.
pub fn expand(section: &Options) -> Result<Options, super::ConfigError> {
    let Some(name) = section.get(PRESET_KEY) else {
        return Ok(section.clone());
    };
    let preset = PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            super::ConfigError::new(
                PRESET_KEY,
                format!("`{name}` is not one of {}", names.join(", ")),
            )
        })?;
    let mut options = preset_options(preset);
    options.extend(
        section
            .iter()
            .filter(|(k, _)| *k != PRESET_KEY)
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    Ok(options)
}

/// The key that names a preset in a section as written.
pub const PRESET_KEY: &str = "preset";

/// The options a new service of `preset` is created with.
pub fn preset_options(preset: &Preset) -> Options {
    let mut options = starter(Template::Callback);
    for (k, v) in preset.sets {
        options.insert(k.to_string(), v.to_string());
    }
    options
}

pub fn starter(template: Template) -> Options {
    TEMPLATES
        .iter()
        .filter(|t| t.template == template)
        .flat_map(|t| t.starter.iter())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The preset whose options a callback section has (of several that fit, the one setting most).
pub fn preset_of(options: &Options) -> Option<&'static Preset> {
    let fits = PRESETS.iter().filter(|p| {
        p.sets.iter().all(|(k, v)| {
            let found = options
                .get(*k)
                .map(|s| s.trim())
                .unwrap_or_else(|| c::find(Template::Callback, k).map_or("", |o| default_of(o)));
            found.eq_ignore_ascii_case(v)
        })
    });
    fits.max_by_key(|p| p.sets.len())
}

fn default_of(o: &'static Opt) -> &'static str {
    match o.kind {
        c::Kind::Bool { default: true } => "true",
        c::Kind::Bool { default: false } => "false",
        c::Kind::Choice { default, .. } | c::Kind::Text { default } => default,
        // No preset sets a number to its default.
        c::Kind::Number { .. } => "",
    }
}

/// A service another one names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The option that names it.
    pub option: &'static str,
    pub service: String,
    pub template: Template,
    pub exists: bool,
}

impl Config {
    /// The services a callback service depends on (OPERATOR.md's cross-dependencies): its office
    /// hours and capacity, and for user-originated voice its request-access and match-interaction.
    pub fn dependencies(&self, service: &str) -> Vec<Dependency> {
        let Some(r) = self.reader(service) else {
            return Vec::new();
        };
        let mut named = vec![
            (&c::BUSINESS_HOURS_SERVICE, Template::OfficeHours),
            (&c::CAPACITY_SERVICE, Template::Capacity),
        ];
        let originated = r
            .text(&c::CALL_DIRECTION)
            .eq_ignore_ascii_case("USERORIGINATED");
        if originated && !r.text(&c::MEDIA_TYPE).eq_ignore_ascii_case("chat") {
            named.push((&c::REQUEST_ACCESS_SERVICE, Template::RequestAccess));
            named.push((&c::MATCH_INTERACTION_SERVICE, Template::MatchInteraction));
        }
        named
            .into_iter()
            .filter_map(|(o, template)| {
                let name = r.text(o);
                (!name.is_empty()).then(|| Dependency {
                    option: o.name,
                    exists: self.kind(&name) == Some(template),
                    service: name,
                    template,
                })
            })
            .collect()
    }
}

/// What `GET /genesys/1/admin/templates` answers: each template with what a new service of it
/// starts with and the options its sections take, and the callback template's presets.
pub fn document() -> serde_json::Value {
    let templates: Vec<serde_json::Value> = TEMPLATES
        .iter()
        .map(|t| {
            let options: Vec<&Opt> = c::ALL
                .iter()
                .filter(|o| o.templates.contains(&t.template))
                .collect();
            serde_json::json!({
                "name": t.template,
                "meaning": t.meaning,
                "starter": starter(t.template),
                "options": options,
            })
        })
        .collect();
    let presets: Vec<serde_json::Value> = PRESETS
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.name,
                "template": Template::Callback,
                "meaning": p.meaning,
                "sets": p.sets.iter().copied().collect::<std::collections::BTreeMap<_, _>>(),
            })
        })
        .collect();
    serde_json::json!({"templates": templates, "presets": presets})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// A configuration with a service of `preset` and every service it depends on.
    fn with_preset(preset: &Preset) -> Config {
        let mut config = Config::new();
        for dependency in [
            Template::OfficeHours,
            Template::Capacity,
            Template::RequestAccess,
            Template::MatchInteraction,
        ] {
            config
                .put(
                    &format!("service.{}", dependency.name()),
                    starter(dependency),
                )
                .unwrap();
        }
        config.put("service.s", preset_options(preset)).unwrap();
        config
    }

    #[test]
    fn every_preset_makes_a_valid_service_that_it_is_recognised_in() {
        for preset in PRESETS {
            let config = with_preset(preset);
            let section = config.section("service.s").unwrap();
            assert_eq!(preset_of(section).map(|p| p.name), Some(preset.name));
            assert!(
                config.dependencies("s").iter().all(|d| d.exists),
                "{}",
                preset.name
            );
        }
    }

    #[test]
    fn a_section_may_name_its_preset() {
        let written =
            crate::testkit::options(&[("preset", "user terminated delayed"), ("_ttl", "600")]);
        let expanded = expand(&written).unwrap();
        assert_eq!(
            expanded.get("_wait_for_user_confirm").map(String::as_str),
            Some("true")
        );
        assert_eq!(expanded.get("_ttl").map(String::as_str), Some("600"));
        assert!(!expanded.contains_key("preset"));
        let unknown = crate::testkit::options(&[("preset", "Teleport")]);
        assert!(expand(&unknown)
            .unwrap_err()
            .message
            .contains("User Terminated Delayed"));
        let chat = expand(&crate::testkit::options(&[("preset", "Chat Delayed")])).unwrap();
        assert_eq!(chat.get("_media_type").map(String::as_str), Some("chat"));
    }

    #[test]
    fn dependencies_follow_the_direction() {
        let scheduled = PRESETS
            .iter()
            .find(|p| p.name == "User Terminated Scheduled")
            .unwrap();
        let names: Vec<&str> = with_preset(scheduled)
            .dependencies("s")
            .iter()
            .map(|d| d.option)
            .collect();
        assert_eq!(names, ["_business_hours_service", "_capacity_service"]);
        let originated = PRESETS
            .iter()
            .find(|p| p.name == "User Originated Immediate")
            .unwrap();
        let mut config = Config::new();
        config.put("service.s", preset_options(originated)).unwrap();
        let missing: Vec<(String, bool)> = config
            .dependencies("s")
            .into_iter()
            .map(|d| (d.service, d.exists))
            .collect();
        assert_eq!(
            missing,
            [
                ("request-access".to_string(), false),
                ("match-interaction".to_string(), false)
            ]
        );
        assert_eq!(
            preset_of(&starter(Template::Callback)).map(|p| p.name),
            Some("User Terminated Immediate")
        );
    }
}
