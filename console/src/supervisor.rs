//! The supervisor's view (admin credentials), signed in once, with a navigation between Queues
//! (live queues and watermarks per service, bulk cancel, search, booked vs capacity per bucket,
//! erasing a customer), Services (`services`), Agents (`roster`) and Reports (`reports`).

use crate::http::{self, call, Auth, Failure};
use crate::model::{self, Bar};
use callback_shared::wire::{
    AgentAnswer, AvailabilityV2, BulkCancelAnswer, EraseAnswer, Record, Watermarks,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// What the board shows, read every few seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    pub marks: Watermarks,
    pub queues: BTreeMap<String, Vec<Record>>,
    pub agents: Vec<AgentAnswer>,
}

/// Handles shared by the view's parts (all `Copy`).
#[derive(Clone, Copy)]
pub struct Sup {
    user: RwSignal<String>,
    password: RwSignal<String>,
    pub board: RwSignal<Option<Board>>,
    pub problem: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    selected: RwSignal<BTreeSet<String>>,
}

/// The supervisor's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Queues,
    Services,
    Agents,
    Reports,
}

impl Sup {
    pub fn auth(&self) -> Auth {
        Auth::Basic(self.user.get_untracked(), self.password.get_untracked())
    }

    /// The configuration's sections, read now into a signal that starts empty.
    pub fn sections(self) -> RwSignal<crate::model::services::Sections> {
        let sections = RwSignal::new(Default::default());
        spawn_local(async move {
            match call("GET", "/genesys/1/admin/config", &self.auth(), None).await {
                Ok(all) => sections.set(all),
                Err(f) => self.problem.set(Some(f.message)),
            }
        });
        sections
    }

    pub fn refresh(self) {
        spawn_local(async move {
            let auth = self.auth();
            let read = async {
                let marks: Watermarks =
                    call("GET", "/genesys/1/admin/callback/watermarks", &auth, None).await?;
                let queues = call("GET", "/genesys/1/admin/callback/queues?states=SCHEDULED,QUEUED,PAUSED,ROUTING,PROCESSING", &auth, None).await?;
                let agents = call("GET", "/genesys/1/admin/agents", &auth, None).await?;
                Ok::<Board, Failure>(Board {
                    marks,
                    queues,
                    agents,
                })
            };
            crate::show(read.await, self.board, self.problem);
        });
    }

    fn cancel_selected(self) {
        spawn_local(async move {
            let ids: Vec<String> = self.selected.get_untracked().into_iter().collect();
            let body = serde_json::json!({"reason": "CANCELLED_BY_ADMIN", "ids": ids});
            match call::<BulkCancelAnswer>(
                "POST",
                "/genesys/1/admin/callback/cancel",
                &self.auth(),
                Some(body),
            )
            .await
            {
                Ok(answer) => {
                    let failed: Vec<String> = answer
                        .failed
                        .iter()
                        .map(|(id, why)| format!("{id}: {why}"))
                        .collect();
                    let mut text = format!("Cancelled {}.", answer.cancelled.len());
                    if !failed.is_empty() {
                        text.push_str(&format!(" Not cancelled: {}.", failed.join("; ")));
                    }
                    self.notice.set(Some(text));
                    self.selected.set(BTreeSet::new());
                }
                Err(f) => self.problem.set(Some(f.message)),
            }
            self.refresh();
        });
    }
}

#[component]
pub fn SupervisorView() -> impl IntoView {
    let s = Sup {
        user: RwSignal::new(http::recall("admin-user")),
        password: RwSignal::new(http::recall("admin-password")),
        board: RwSignal::new(None),
        problem: RwSignal::new(None),
        notice: RwSignal::new(None),
        selected: RwSignal::new(BTreeSet::new()),
    };
    if !s.user.get_untracked().is_empty() {
        s.refresh();
    }
    crate::every(Duration::from_secs(2), move || {
        if s.board.get_untracked().is_some() {
            s.refresh();
        }
    });
    // Signed in or not, apart from what the board shows (its reads must not re-create the views).
    let signed_in = Memo::new(move |_| s.board.with(Option::is_some));
    let part = RwSignal::new(Part::Queues);
    let sign_in = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        http::remember("admin-user", &s.user.get_untracked());
        http::remember("admin-password", &s.password.get_untracked());
        s.refresh();
    };
    view! {
        <section class="panel" aria-labelledby="sup-title">
            <h2 id="sup-title">"Supervisor"</h2>
            <p class="problem" role="alert">{move || s.problem.get()}</p>
            <p class="notice" role="status">{move || s.notice.get()}</p>
            {move || match signed_in.get() {
                false => view! {
                    <form class="signin" on:submit=sign_in>
                        <label for="admin-user">"Admin user"</label>
                        <input id="admin-user" autocomplete="username" required prop:value=move || s.user.get() on:input=move |ev| s.user.set(event_target_value(&ev))/>
                        <label for="admin-password">"Password"</label>
                        <input id="admin-password" type="password" autocomplete="current-password" required
                            prop:value=move || s.password.get() on:input=move |ev| s.password.set(event_target_value(&ev))/>
                        <button type="submit">"Sign in"</button>
                    </form>
                }.into_any(),
                true => {
                    let button = move |which: Part, label: &'static str| view! {
                        <button role="tab" aria-selected=move || (part.get() == which).to_string()
                            on:click=move |_| { part.set(which); s.problem.set(None); s.notice.set(None); }>{label}</button>
                    };
                    view! {
                        <nav class="tabs" role="tablist" aria-label="Supervisor views">
                            {button(Part::Queues, "Queues")}
                            {button(Part::Services, "Services")}
                            {button(Part::Agents, "Agents")}
                            {button(Part::Reports, "Reports")}
                        </nav>
                        {move || match part.get() {
                            Part::Queues => view! {
                                {move || s.board.get().map(|b| queues(s, b))}
                                <Search s=s/>
                                <Forget s=s/>
                                <Chart s=s/>
                            }.into_any(),
                            Part::Services => view! { <crate::services::ServicesView s=s/> }.into_any(),
                            Part::Agents => view! { <crate::roster::AgentsView s=s/> }.into_any(),
                            Part::Reports => view! { <crate::reports::ReportsView s=s/> }.into_any(),
                        }}
                    }.into_any()
                }
            }}
        </section>
    }
}

fn queues(s: Sup, board: Board) -> impl IntoView {
    let services: Vec<_> = board
        .queues
        .into_iter()
        .map(|(service, records)| {
            let mark = board.marks.services.get(&service).copied().unwrap_or(0);
            let rows: Vec<_> = records.iter().map(|r| record_row(s, r)).collect();
            view! {
                <h4>{format!("{service} — {mark} in queue")}</h4>
                {records_table(rows)}
            }
        })
        .collect();
    let count = move || s.selected.with(BTreeSet::len);
    view! {
        <div class="board">
            <h3>"Queues"</h3>
            <p class="total">{format!("{} callbacks in queue across services", board.marks.total)}</p>
            {services}
            <div class="acts">
                <label for="cancel-reason">"Reason"</label>
                <select id="cancel-reason"><option value="CANCELLED_BY_ADMIN">"CANCELLED_BY_ADMIN"</option></select>
                <button on:click=move |_| s.cancel_selected() disabled=move || count() == 0>{move || format!("Cancel selected ({})", count())}</button>
            </div>
        </div>
    }
}

fn records_table(rows: Vec<AnyView>) -> impl IntoView {
    view! {
        <table class="records">
            <thead><tr><th scope="col">"Select"</th><th scope="col">"Id"</th><th scope="col">"Number"</th><th scope="col">"State"</th><th scope="col">"Phase"</th><th scope="col">"Media"</th><th scope="col">"Agent"</th><th scope="col">"Desired time (UTC)"</th><th scope="col">"Waiting"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn record_row(s: Sup, r: &Record) -> AnyView {
    let get = |k: &str| r.get(k).cloned().unwrap_or_default();
    let id = get("_id");
    let open = get("_callback_state") != "COMPLETED";
    let toggle = {
        let id = id.clone();
        move |_| {
            s.selected.update(|set| {
                if !set.remove(&id) {
                    set.insert(id.clone());
                }
            })
        }
    };
    let checked = {
        let id = id.clone();
        move || s.selected.with(|set| set.contains(&id))
    };
    // Open callbacks show their phase (and where their call is), completed ones their reason.
    let phase = match (open, r.get("_call_progress")) {
        (true, Some(progress)) => format!("{} · {progress}", get("_phase")),
        (true, None) => get("_phase"),
        (false, _) => get("_callback_reason"),
    };
    let waiting = if open {
        crate::model::waited(
            js_sys::Date::parse(&get("_desired_time")),
            js_sys::Date::now(),
        )
    } else {
        String::new()
    };
    let select = open.then(|| view! { <input type="checkbox" aria-label=format!("Select {id}") prop:checked=checked on:change=toggle/> });
    view! {
        <tr>
            <td>{select}</td>
            <td class="id">{get("_id")}</td>
            <td>{get("_customer_number")}</td>
            <td>{get("_callback_state")}</td>
            <td>{phase}</td>
            <td>{get("_media_type")}</td>
            <td>{get("_agent_id")}</td>
            <td>{get("_desired_time")}</td>
            <td>{waiting}</td>
        </tr>
    }
    .into_any()
}

/// Property search across services.
#[component]
fn Search(s: Sup) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let found: RwSignal<Option<Result<Vec<Record>, String>>> = RwSignal::new(None);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let query = model::search_query(&text.get_untracked());
        spawn_local(async move {
            let answer = match query {
                Ok(q) => call::<Vec<Record>>(
                    "GET",
                    &format!("/genesys/1/service/callback?{q}"),
                    &s.auth(),
                    None,
                )
                .await
                .map_err(|f| f.message),
                Err(e) => Err(e),
            };
            found.set(Some(answer));
        });
    };
    view! {
        <form class="search" role="search" on:submit=search>
            <h3>"Search"</h3>
            <label for="search-text">"Properties (key=value, ! negates)"</label>
            <input id="search-text" placeholder="_customer_number=+33612345678" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            <button type="submit">"Search"</button>
        </form>
        {move || found.get().map(|answer| match answer {
            Ok(records) => {
                let n = records.len();
                let rows: Vec<_> = records.iter().map(|r| record_row(s, r)).collect();
                view! { <p role="status">{format!("{n} found")}</p> {records_table(rows)} }.into_any()
            }
            Err(message) => view! { <p class="problem" role="alert">{message}</p> }.into_any(),
        })}
    }
}

/// The right to be forgotten: erase everything stored about one number, in every service.
#[component]
fn Forget(s: Sup) -> impl IntoView {
    let number = RwSignal::new(String::new());
    let done: RwSignal<Option<Result<String, String>>> = RwSignal::new(None);
    let erase = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({"_customer_number": number.get_untracked()});
        spawn_local(async move {
            let answer = call::<EraseAnswer>(
                "POST",
                "/genesys/1/admin/callback/erase",
                &s.auth(),
                Some(body),
            )
            .await;
            done.set(Some(
                answer
                    .map(|a| model::erased_summary(&a))
                    .map_err(|f| f.message),
            ));
            s.refresh();
        });
    };
    view! {
        <form class="forget" on:submit=erase>
            <h3>"Erase a customer"</h3>
            <p>"Everything stored about the number, in every service: its callbacks (open ones are cancelled first), their history and counters, held access numbers. Completed callbacks are kept at most " <code>"_retention_days"</code> " (30 unless a service says otherwise) after they ended; a deleted service's callbacks are erased " <code>"DELETED_SERVICE_GRACE_DAYS"</code> " (7) after its deletion, unless it is configured again first."</p>
            <label for="forget-number">"Customer number (E.164)"</label>
            <input id="forget-number" type="tel" required placeholder="+33612345678" prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev))/>
            <label class="inline"><input id="forget-sure" type="checkbox" required/>" This cannot be undone"</label>
            <button type="submit">"Erase"</button>
        </form>
        {move || done.get().map(|answer| match answer {
            Ok(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
            Err(message) => view! { <p class="problem" role="alert">{message}</p> }.into_any(),
        })}
    }
}

/// Booked vs capacity per bucket over the coming two days.
#[component]
fn Chart(s: Sup) -> impl IntoView {
    let service = RwSignal::new(String::new());
    let bars: RwSignal<Option<Result<Vec<Bar>, String>>> = RwSignal::new(None);
    let names = move || {
        s.board.with(|b| {
            b.as_ref()
                .map(|b| b.queues.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let load = move |name: String| {
        service.set(name.clone());
        spawn_local(async move {
            let path = format!("/genesys/2/service/callback/{name}/availability?number-of-days=2&report-busy=true&max-time-slots=1000");
            let answer = call::<AvailabilityV2>("GET", &path, &s.auth(), None).await;
            bars.set(Some(
                answer.map(|a| model::bars(&a.slots)).map_err(|f| f.message),
            ));
        });
    };
    view! {
        <div class="chart">
            <h3>"Booked vs capacity, next two days"</h3>
            <label for="chart-service">"Service"</label>
            <select id="chart-service" on:change=move |ev| load(event_target_value(&ev)) prop:value=move || service.get()>
                <option value="">"Choose a service"</option>
                {move || names().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect::<Vec<_>>()}
            </select>
            {move || bars.get().map(|answer| match answer {
                Ok(bars) if bars.is_empty() => view! { <p>"No bookable buckets in the next two days."</p> }.into_any(),
                Ok(bars) => svg(&bars).into_any(),
                Err(message) => view! { <p class="problem" role="alert">{message}</p> }.into_any(),
            })}
        </div>
    }
}

fn svg(bars: &[Bar]) -> impl IntoView {
    const W: f64 = 900.0;
    const H: f64 = 160.0;
    let booked: u32 = bars.iter().map(|b| b.booked).sum();
    let capacity: u32 = bars.iter().map(|b| b.capacity).sum();
    let rects: Vec<_> = bars
        .iter()
        .zip(model::layout(bars, W, H))
        .map(|(bar, (x, width, cap, used))| {
            let tip = format!(
                "{}: {} booked of {}",
                bar.label.replace('T', " "),
                bar.booked,
                bar.capacity
            );
            view! {
                <g>
                    <title>{tip}</title>
                    <rect class="capacity" x=x y=H - cap width=width height=cap></rect>
                    <rect class="booked" x=x y=H - used width=width height=used></rect>
                </g>
            }
        })
        .collect();
    let first = bars
        .first()
        .map(|b| b.label.replace('T', " "))
        .unwrap_or_default();
    let last = bars
        .last()
        .map(|b| b.label.replace('T', " "))
        .unwrap_or_default();
    view! {
        <svg class="bars" viewBox=format!("0 0 {W} {H}") role="img" aria-label=format!("{booked} booked of {capacity} across {} buckets", bars.len())>{rects}</svg>
        <p class="legend"><span class="key booked"></span>" booked "<span class="key capacity"></span>" capacity · " {first} " → " {last} {format!(" · {booked} booked of {capacity}")}</p>
    }
}
