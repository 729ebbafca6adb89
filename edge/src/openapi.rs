//! The OpenAPI 3.1 document, generated from the route table so that it lists exactly the routes
//! the router knows.

use crate::routes::{Access, ROUTES};
use serde_json::{json, Map, Value};

pub fn document() -> Value {
    let mut paths = Map::new();
    for spec in ROUTES {
        let mut parameters: Vec<Value> = spec
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(spec.query.iter().map(|name| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}})));
        let mut operation = Map::new();
        operation.insert("summary".into(), json!(spec.summary));
        operation.insert("operationId".into(), json!(operation_id(spec)));
        operation.insert("parameters".into(), json!(parameters));
        operation.insert(
            "responses".into(),
            json!({
                "200": {"description": "OK"},
                "default": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }),
        );
        if matches!(spec.method, "POST" | "PUT") {
            operation.insert(
                "requestBody".into(),
                json!({"content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/x-www-form-urlencoded": {"schema": {"type": "object"}}
                }}),
            );
        }
        let security = match spec.access {
            Access::Admin => Some(json!([{"basic": []}])),
            Access::Server => Some(json!([{"basic": []}, {"apiKey": []}])),
            Access::Agent => Some(json!([{"agentToken": []}])),
            Access::Public => None,
        };
        if let Some(security) = security {
            operation.insert("security".into(), security);
        }
        let entry = paths
            .entry(spec.path.to_string())
            .or_insert_with(|| json!({}));
        if let Some(methods) = entry.as_object_mut() {
            methods.insert(spec.method.to_ascii_lowercase(), Value::Object(operation));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Callback API (GMS-compatible)", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "agentToken": {"type": "http", "scheme": "bearer", "description": "An agent's token, from PUT /genesys/1/admin/agents/{agent}"}
            },
            "schemas": schemas()
        }
    })
}

/// The error answer's schema, and the options of a `service.<name>` section per template
/// (`section.callback`, …) from the option catalogue: the docs page's option reference reads them.
/// Values are strings, as GMS sections hold them.
fn schemas() -> Value {
    use callback_shared::config::catalogue::{Kind, ALL};
    use callback_shared::config::presets::TEMPLATES;
    let mut schemas = Map::new();
    schemas.insert("Error".into(), json!({"type": "object", "required": ["code", "message", "exception"], "properties": {
        "code": {"type": "integer"}, "message": {"type": "string"}, "exception": {"type": "string"},
        "availability": {"type": "object", "additionalProperties": {"type": "integer"}}
    }}));
    for t in TEMPLATES {
        let mut properties = Map::new();
        for o in ALL.iter().filter(|o| o.templates.contains(&t.template)) {
            let ext = if o.ext { " [ext]" } else { "" };
            let mut schema = Map::new();
            schema.insert("type".into(), json!("string"));
            schema.insert("description".into(), json!(format!("{}{ext}", o.meaning)));
            schema.insert("default".into(), json!(o.default_text()));
            match o.kind {
                Kind::Bool { .. } => {
                    schema.insert("enum".into(), json!(["true", "false"]));
                }
                Kind::Choice { values, .. } => {
                    schema.insert("enum".into(), json!(values));
                }
                Kind::Number { min, max, .. } => {
                    schema.insert("x-minimum".into(), json!(min));
                    schema.insert("x-maximum".into(), json!(max));
                }
                Kind::Text { .. } => {}
            }
            properties.insert(o.name.to_string(), Value::Object(schema));
        }
        schemas.insert(
            format!("section.{}", t.template.name()),
            json!({"type": "object", "description": t.meaning, "properties": properties}),
        );
    }
    Value::Object(schemas)
}

/// The route's kind as one word: `ServiceCreate`, `AgentActAccept`.
fn operation_id(spec: &crate::routes::Spec) -> String {
    format!("{:?}", spec.kind).replace(['(', ')'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_exactly_the_routes() {
        let doc = document();
        let listed: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(listed, ROUTES.len());
        for spec in ROUTES {
            assert!(
                doc["paths"][spec.path][spec.method.to_ascii_lowercase()].is_object(),
                "{} {}",
                spec.method,
                spec.path
            );
        }
        let mut ids: Vec<String> = ROUTES.iter().map(operation_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ROUTES.len(), "operation ids are unique");
    }
}
