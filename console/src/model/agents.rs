//! The Agents view's logic: an agent's state in words, and the add/edit form checked as the API
//! checks it.

use super::services::Sections;
use callback_shared::config::{valid_service_name, Config};
use callback_shared::declared::AgentSpec;
use callback_shared::wire::AgentAnswer;
use std::collections::BTreeSet;

/// Ready, not ready, or what the agent holds.
pub fn state(a: &AgentAnswer) -> String {
    match (a.ready, &a.holds) {
        (_, Some(id)) => format!("busy with {id}"),
        (Some(true), None) => "ready".to_string(),
        _ => "not ready".to_string(),
    }
}

/// The add/edit form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentForm {
    pub id: String,
    pub name: String,
    pub services: BTreeSet<String>,
    pub phone: String,
    /// Editing an existing agent (its id is fixed).
    pub editing: bool,
}

/// Which field a problem is about: `id`, `name`, `services` or `phone`.
pub type FieldProblem = (&'static str, String);

impl AgentForm {
    pub fn edit(a: &AgentAnswer) -> AgentForm {
        AgentForm {
            id: a.id.clone(),
            name: a.name.clone(),
            services: a.services.iter().cloned().collect(),
            phone: a.phone.clone().unwrap_or_default(),
            editing: true,
        }
    }

    pub fn toggle(&mut self, service: &str) {
        if !self.services.remove(service) {
            self.services.insert(service.to_string());
        }
    }

    /// The body of `PUT /genesys/1/admin/agents/{id}`, or the field at fault and why.
    pub fn body(&self, sections: &Sections) -> Result<serde_json::Value, FieldProblem> {
        let id = self.id.trim();
        if !valid_service_name(id) {
            return Err((
                "id",
                "an id of 1 to 100 letters, digits, `-`, `_` or `.`".into(),
            ));
        }
        let spec = AgentSpec {
            name: self.name.clone(),
            services: self.services.iter().cloned().collect(),
            phone: Some(self.phone.clone()),
        };
        let checked = spec
            .checked(&Config::from_sections(sections.clone()))
            .map_err(|e| match e.option.as_str() {
                "name" => ("name", e.message),
                "services" => ("services", e.message),
                _ => ("phone", e.message),
            })?;
        Ok(serde_json::json!({
            "name": checked.name,
            "services": checked.services,
            "phone": checked.phone.unwrap_or_default(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callback_shared::config::presets;
    use callback_shared::config::ServiceKind;

    fn sections() -> Sections {
        let mut config = Config::new();
        config
            .put("service.web", presets::starter(ServiceKind::Callback))
            .unwrap();
        config
            .put("service.hours", presets::starter(ServiceKind::OfficeHours))
            .unwrap();
        config.sections().clone()
    }

    #[test]
    fn the_form_is_checked_as_the_api_checks_it() {
        let mut form = AgentForm {
            id: "ada".into(),
            name: "Ada".into(),
            ..AgentForm::default()
        };
        form.toggle("web");
        form.phone = "+33612345678".into();
        let body = form.body(&sections()).unwrap();
        assert_eq!(body["services"], serde_json::json!(["web"]));
        form.phone = "0612".into();
        assert_eq!(form.body(&sections()).unwrap_err().0, "phone");
        form.phone.clear();
        form.toggle("hours");
        assert_eq!(form.body(&sections()).unwrap_err().0, "services");
        form.toggle("hours");
        form.name = " ".into();
        assert_eq!(form.body(&sections()).unwrap_err().0, "name");
        form.id = "a b".into();
        assert_eq!(form.body(&sections()).unwrap_err().0, "id");
    }

    #[test]
    fn state_in_words() {
        let mut a = AgentAnswer {
            id: "a".into(),
            name: "A".into(),
            services: vec![],
            phone: None,
            token: None,
            ready: Some(true),
            holds: None,
        };
        assert_eq!(state(&a), "ready");
        a.holds = Some("x1".into());
        assert_eq!(state(&a), "busy with x1");
        a.ready = None;
        a.holds = None;
        assert_eq!(state(&a), "not ready");
    }
}
