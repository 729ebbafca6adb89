//! The Services view (admin): Templates, Configured Services, the Add New Service dialog, the
//! option editor and deleting a service. The logic is `model::services`'.

use crate::http::call;
use crate::model::section_of;
use crate::model::services::{self as m, Field, NewService, Sections, ServiceRow};
use crate::supervisor::Sup;
use callback_shared::config::presets::{Dependency, PRESETS, TEMPLATES};
use callback_shared::config::Options;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Handles of the view (all `Copy`).
#[derive(Clone, Copy)]
struct View {
    s: Sup,
    sections: RwSignal<Sections>,
    adding: RwSignal<Option<NewService>>,
    editing: RwSignal<Option<String>>,
    deleting: RwSignal<Option<ServiceRow>>,
}

impl View {
    /// Puts sections in order; stops at the first refusal, which it shows.
    fn put_all(self, puts: Vec<(String, Options)>, done: impl FnOnce() + 'static) {
        spawn_local(async move {
            for (section, options) in puts {
                let body = serde_json::to_value(&options).unwrap_or_default();
                let path = format!("/genesys/1/admin/config/{section}");
                match call::<Options>("PUT", &path, &self.s.auth(), Some(body)).await {
                    Ok(stored) => self.sections.update(|all| {
                        all.insert(section, stored);
                    }),
                    Err(f) => {
                        self.s.problem.set(Some(f.message));
                        return;
                    }
                }
            }
            done();
        });
    }

    fn delete(self, row: ServiceRow) {
        spawn_local(async move {
            let path = format!("/genesys/1/admin/config/service.{}", row.name);
            match call::<serde_json::Value>("DELETE", &path, &self.s.auth(), None).await {
                Ok(_) => {
                    self.sections.update(|all| {
                        all.remove(&format!("service.{}", row.name));
                    });
                    self.s
                        .notice
                        .set(Some(format!("Service {} deleted.", row.name)));
                }
                Err(f) => self.s.problem.set(Some(f.message)),
            }
            self.deleting.set(None);
        });
    }

    fn create_dependency(self, d: Dependency) {
        let puts = vec![(
            format!("service.{}", d.service),
            callback_shared::config::presets::starter(d.template),
        )];
        self.put_all(puts, move || {
            self.s.notice.set(Some(format!(
                "Service {} created from the {} template.",
                d.service,
                d.template.name()
            )))
        });
    }
}

#[component]
pub fn ServicesView(s: Sup) -> impl IntoView {
    let v = View {
        s,
        sections: s.sections(),
        adding: RwSignal::new(None),
        editing: RwSignal::new(None),
        deleting: RwSignal::new(None),
    };
    let templates: Vec<_> = TEMPLATES
        .iter()
        .map(|t| view! { <li><strong>{t.template.name()}</strong>" — "{t.meaning}</li> })
        .collect();
    // Whether the dialog is open, apart from what is typed in it (which must not re-create it).
    let adding = Memo::new(move |_| v.adding.with(Option::is_some));
    let rows = move || {
        let waiting = s.board.with(|b| {
            b.as_ref()
                .map(|b| b.marks.services.clone())
                .unwrap_or_default()
        });
        v.sections.with(|all| m::rows(all, &waiting))
    };
    view! {
        <section class="services" aria-labelledby="services-title">
            <h3 id="services-title">"Services"</h3>
            <h4>"Templates"</h4>
            <ul class="templates">{templates}</ul>
            <button class="primary" on:click=move |_| v.adding.set(Some(NewService::default()))>"Add New Service"</button>
            {move || adding.get().then(|| view! { <AddService v=v/> })}
            <h4>"Configured Services"</h4>
            <table class="records services-table">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Template"</th><th scope="col">"Preset"</th><th scope="col">"Dependencies"</th><th scope="col">"Waiting"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>{move || rows().into_iter().map(|row| service_row(v, row)).collect::<Vec<_>>()}</tbody>
            </table>
            {move || v.deleting.get().map(|row| view! { <ConfirmDelete v=v row=row/> })}
            {move || v.editing.get().map(|section| view! { <Editor v=v section=section/> })}
        </section>
    }
}

fn service_row(v: View, row: ServiceRow) -> impl IntoView {
    let deps: Vec<_> = row
        .dependencies
        .iter()
        .cloned()
        .map(|d| {
            let label = format!("{} ({})", d.service, d.option);
            match d.exists {
                true => view! { <li>{label}</li> }.into_any(),
                false => {
                    let name = d.service.clone();
                    view! {
                        <li class="missing">{label}" — missing "
                            <button on:click=move |_| v.create_dependency(d.clone())>{format!("Create {name}")}</button>
                        </li>
                    }
                    .into_any()
                }
            }
        })
        .collect();
    let name = row.name.clone();
    let edit_name = row.name.clone();
    let template = row.template.map_or("unknown", |t| t.name());
    let waiting = row.waiting.map(|n| n.to_string()).unwrap_or_default();
    view! {
        <tr>
            <th scope="row">{name.clone()}</th>
            <td>{template}</td>
            <td>{row.preset.unwrap_or("")}</td>
            <td><ul class="deps">{deps}</ul></td>
            <td>{waiting}</td>
            <td class="acts">
                <button aria-label=format!("Edit {name}") on:click=move |_| v.editing.set(Some(format!("service.{edit_name}")))>"Edit"</button>
                <button aria-label=format!("Delete {name}") on:click=move |_| v.deleting.set(Some(row.clone()))>"Delete"</button>
            </td>
        </tr>
    }
}

/// The Add New Service dialog. Escape or Cancel closes it.
#[component]
fn AddService(v: View) -> impl IntoView {
    let form = move || v.adding.get().unwrap_or_default();
    let change = move |f: &dyn Fn(&mut NewService)| {
        v.adding.update(|d| {
            if let Some(d) = d {
                f(d)
            }
        })
    };
    let first: NodeRef<html::Select> = crate::focused();
    let plan = move || v.sections.with(|all| form().plan(all));
    let problem_of =
        move |field: Field| move || plan().err().filter(|p| p.field == field).map(|p| p.message);
    let other_problem = move || {
        plan()
            .err()
            .filter(|p| p.field != Field::Name)
            .map(|p| p.message)
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(puts) = plan() {
            let name = form().name.trim().to_string();
            v.put_all(puts, move || {
                v.adding.set(None);
                v.s.notice.set(Some(format!("Service {name} created.")));
            });
        }
    };
    let presets: Vec<_> = PRESETS
        .iter()
        .map(|p| view! { <option value=p.name>{p.name}</option> })
        .collect();
    let templates: Vec<_> = TEMPLATES
        .iter()
        .map(|t| view! { <option value=t.template.name()>{t.template.name()}</option> })
        .collect();
    let is_callback = move || form().template == callback_shared::config::ServiceKind::Callback;
    let shown = move || {
        form()
            .options()
            .into_iter()
            .map(|(k, val)| view! { <li><code>{format!("{k} = {val}")}</code></li> })
            .collect::<Vec<_>>()
    };
    let missing = move || v.sections.with(|all| form().missing(all));
    view! {
        <form class="dialog" role="dialog" aria-modal="false" aria-labelledby="add-title" on:submit=add
            on:keydown=move |ev| if ev.key() == "Escape" { v.adding.set(None) }>
            <h4 id="add-title">"Add New Service"</h4>
            <label for="new-template">"Service Template"</label>
            <select id="new-template" node_ref=first prop:value=move || form().template.name()
                on:change=move |ev| change(&|d| d.set_template(&event_target_value(&ev)))>{templates}</select>
            <label for="new-name">"Service Name"</label>
            <input id="new-name" required autocomplete="off" aria-describedby="new-name-problem"
                aria-invalid=move || problem_of(Field::Name)().is_some().to_string()
                prop:value=move || form().name on:input=move |ev| change(&|d| d.name = event_target_value(&ev))/>
            <span id="new-name-problem" class="option-error">{move || (!form().name.is_empty()).then(problem_of(Field::Name)).flatten()}</span>
            {move || is_callback().then(|| view! {
                <label for="new-preset">"Common Default Configuration"</label>
                <select id="new-preset" prop:value=move || form().preset
                    on:change=move |ev| change(&|d| d.set_preset(&event_target_value(&ev)))>{presets.clone()}</select>
            })}
            <p class="preset-meaning">{move || form().meaning()}</p>
            <p id="new-options-title">"Options the service will have:"</p>
            <ul class="preset-options" aria-labelledby="new-options-title">{shown}</ul>
            {move || {
                let missing = missing();
                (!missing.is_empty()).then(|| {
                    let names: Vec<String> = missing.iter().map(|d| format!("{} ({})", d.service, d.template.name())).collect();
                    view! {
                        <label class="inline"><input type="checkbox" prop:checked=move || form().create_missing
                            on:change=move |ev| change(&|d| d.create_missing = event_target_checked(&ev))/>
                            {format!("Also create the services it needs: {}", names.join(", "))}</label>
                    }
                })
            }}
            <p class="problem" role="alert">{other_problem}</p>
            <div class="acts">
                <button class="primary" type="submit" disabled=move || plan().is_err()>"Add"</button>
                <button type="button" on:click=move |_| v.adding.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
fn ConfirmDelete(v: View, row: ServiceRow) -> impl IntoView {
    let cancel: NodeRef<html::Button> = crate::focused();
    let warning = m::delete_warning(&row);
    view! {
        <div class="dialog" role="alertdialog" aria-labelledby="delete-title" aria-describedby="delete-warning"
            on:keydown=move |ev| if ev.key() == "Escape" { v.deleting.set(None) }>
            <h4 id="delete-title">{format!("Delete {}", row.name)}</h4>
            <p id="delete-warning">{warning}</p>
            <div class="acts">
                <button class="danger" on:click=move |_| v.delete(row.clone())>"Delete"</button>
                <button node_ref=cancel on:click=move |_| v.deleting.set(None)>"Cancel"</button>
            </div>
        </div>
    }
}

/// A section's options, each with its meaning and default; a value is checked as it is typed.
#[component]
fn Editor(v: View, section: String) -> impl IntoView {
    let rows: RwSignal<Vec<(String, String)>> = RwSignal::new(v.sections.with_untracked(|all| {
        all.get(&section)
            .map(|o| o.clone().into_iter().collect())
            .unwrap_or_default()
    }));
    let section = StoredValue::new(section);
    let notes = move || {
        v.sections
            .with(|all| rows.with(|r| m::check_rows(all, &section.get_value(), r)))
    };
    let whole = move || {
        v.sections
            .with(|all| rows.with(|r| m::section_problem(all, &section.get_value(), r)))
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = section.get_value();
        let puts = vec![(name.clone(), section_of(&rows.get_untracked()))];
        v.put_all(puts, move || {
            v.s.notice
                .set(Some(format!("Saved {name}: the change is in effect.")))
        });
    };
    let count = RwSignal::new(rows.with_untracked(Vec::len));
    let row_view = move |i: usize| {
        let note = move || notes().get(i).cloned().unwrap_or_default();
        let key = rows.with_untracked(|r| r.get(i).map(|r| r.0.clone()).unwrap_or_default());
        let value = rows.with_untracked(|r| r.get(i).map(|r| r.1.clone()).unwrap_or_default());
        let help_id = format!("help-{i}");
        view! {
            <div class="option" class:invalid=move || note().problem.is_some()>
                <input aria-label=format!("Option {}", i + 1) prop:value=key
                    on:input=move |ev| rows.update(|r| if let Some(row) = r.get_mut(i) { row.0 = event_target_value(&ev) })/>
                <input aria-label=move || format!("Value of {}", rows.with(|r| r.get(i).map(|r| r.0.clone()).unwrap_or_default()))
                    aria-describedby=help_id.clone() prop:value=value
                    aria-invalid=move || note().problem.is_some().to_string()
                    on:input=move |ev| rows.update(|r| if let Some(row) = r.get_mut(i) { row.1 = event_target_value(&ev) })/>
                <span id=help_id class="option-help">
                    {move || note().help}
                    {move || note().problem.map(|p| view! { <span class="option-error">{p}</span> })}
                </span>
            </div>
        }
    };
    view! {
        <form class="config" aria-labelledby="editor-title" on:submit=save>
            <h4 id="editor-title">{format!("Options of {}", section.get_value())}</h4>
            <div class="options">{move || (0..count.get()).map(row_view).collect::<Vec<_>>()}</div>
            <p class="problem" role="alert">{whole}</p>
            <div class="acts">
                <button type="button" on:click=move |_| { rows.update(|r| r.push((String::new(), String::new()))); count.set(rows.with_untracked(Vec::len)); }>"Add option"</button>
                <button class="primary" type="submit" disabled=move || whole().is_some() || notes().iter().any(|n| n.problem.as_deref().is_some_and(|p| !p.starts_with("not an option")))>"Save"</button>
                <button type="button" on:click=move |_| v.editing.set(None)>"Close"</button>
            </div>
        </form>
    }
}
