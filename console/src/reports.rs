//! The Reports view (admin): services and period, by day or hour, a chart of requested, connected
//! and failed callbacks with the same figures as a table, and the CSV. The logic is
//! `model::reports`'; the figures are the API's.

use crate::http::call;
use crate::model::reports::{self as m, Period, ReportForm};
use crate::model::services::callback_services;
use crate::supervisor::Sup;
use callback_shared::stats::{self, Bucket, Figures, Report, Row};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The browser's zone, as an IANA name.
fn zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|z| z.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// Local midnight of `date` in the browser's zone, as an ISO instant.
fn midnight(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let d = js_sys::Date::new_with_year_month_day(
        date.year() as u32,
        date.month0() as i32,
        date.day() as i32,
    );
    d.to_iso_string().as_string().unwrap_or_default()
}

fn today() -> chrono::NaiveDate {
    let now = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}

#[component]
pub fn ReportsView(s: Sup) -> impl IntoView {
    let sections = s.sections();
    let form = RwSignal::new(ReportForm::default());
    let report: RwSignal<Option<Report>> = RwSignal::new(None);
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let zone = StoredValue::new(zone());
    let show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = form.get_untracked();
        let query = f.days(today()).and_then(|(first, after)| {
            f.query(&midnight(first), &midnight(after), &zone.get_value())
        });
        match query {
            Err(e) => problem.set(Some(e)),
            Ok(query) => {
                problem.set(None);
                spawn_local(async move {
                    match call::<Report>(
                        "GET",
                        &format!("/genesys/1/admin/callback/stats?{query}"),
                        &s.auth(),
                        None,
                    )
                    .await
                    {
                        Ok(r) => report.set(Some(r)),
                        Err(f) => problem.set(Some(f.message)),
                    }
                });
            }
        }
    };
    let services = move || {
        sections.with(callback_services).into_iter().map(|service| {
            let (checked, toggled) = (service.clone(), service.clone());
            view! {
                <label class="inline"><input type="checkbox" prop:checked=move || form.with(|f| f.services.contains(&checked))
                    on:change=move |_| form.update(|f| f.toggle(&toggled))/>{service}</label>
            }
        }).collect::<Vec<_>>()
    };
    let chosen = move || matches!(form.with(|f| f.period.clone()), Period::Chosen { .. });
    let dates = move |which: &'static str| {
        move |ev| {
            let value = event_target_value(&ev);
            form.update(|f| {
                if let Period::Chosen { from, to } = &mut f.period {
                    if which == "from" {
                        *from = value
                    } else {
                        *to = value
                    }
                }
            })
        }
    };
    view! {
        <section class="reports" aria-labelledby="reports-title">
            <h3 id="reports-title">"Reports"</h3>
            <form class="report-form" on:submit=show>
                <fieldset><legend>"Services"</legend>{services}</fieldset>
                <label for="report-period">"Period"</label>
                <select id="report-period" on:change=move |ev| {
                    let period = match event_target_value(&ev).as_str() {
                        "last-30-days" => Period::Last30Days,
                        "chosen" => Period::Chosen { from: String::new(), to: String::new() },
                        _ => Period::Last7Days,
                    };
                    form.update(|f| f.period = period);
                }>
                    <option value="last-7-days">"Last 7 days"</option>
                    <option value="last-30-days">"Last 30 days"</option>
                    <option value="chosen">"Chosen dates"</option>
                </select>
                {move || chosen().then(|| view! {
                    <label for="report-from">"From"</label>
                    <input id="report-from" type="date" on:input=dates("from")/>
                    <label for="report-to">"To"</label>
                    <input id="report-to" type="date" on:input=dates("to")/>
                })}
                <label for="report-bucket">"By"</label>
                <select id="report-bucket" on:change=move |ev| {
                    let bucket = Bucket::parse(&event_target_value(&ev)).unwrap_or(Bucket::Day);
                    form.update(|f| f.bucket = bucket);
                }>
                    <option value="day">"Day"</option>
                    <option value="hour">"Hour"</option>
                </select>
                <p class="zone">{move || format!("Times in {}", zone.get_value())}</p>
                <button class="primary" type="submit">"Show"</button>
            </form>
            <p class="problem" role="alert">{move || problem.get()}</p>
            {move || report.get().map(shown)}
        </section>
    }
}

fn shown(report: Report) -> impl IntoView {
    let bucket = match report.bucket {
        Bucket::Day => "day",
        Bucket::Hour => "hour",
    };
    let csv = stats::csv(&report.services);
    let href = format!(
        "data:text/csv;charset=utf-8,{}",
        js_sys::encode_uri_component(&csv)
    );
    let per_service: Vec<_> = report
        .services
        .iter()
        .map(|(service, rows)| {
            let totals = report.totals.get(service).cloned().unwrap_or_default();
            service_view(service, rows, &totals, bucket)
        })
        .collect();
    view! {
        <p><a class="download" href=href download="callback-report.csv">"Download CSV"</a></p>
        {per_service}
    }
}

fn service_view(
    service: &str,
    rows: &[Row],
    totals: &Figures,
    bucket: &'static str,
) -> impl IntoView {
    let groups = m::groups(rows);
    let summary = m::summary(&groups, bucket);
    let body: Vec<_> = rows
        .iter()
        .map(|r| {
            figures_row(
                r.start
                    .chars()
                    .take(16)
                    .collect::<String>()
                    .replace('T', " "),
                &r.figures,
            )
        })
        .collect();
    view! {
        <h4>{service.to_string()}</h4>
        {chart(&groups, &summary)}
        <table class="records report-table">
            <caption>{format!("Figures per {bucket}: {service}")}</caption>
            <thead><tr>
                <th scope="col">"Start"</th><th scope="col">"Requested"</th><th scope="col">"Connected"</th>
                <th scope="col">"Cancelled"</th><th scope="col">"Failed"</th><th scope="col">"Open"</th>
                <th scope="col">"On time"</th><th scope="col">"Late"</th><th scope="col">"Punctuality, median (s)"</th>
                <th scope="col">"Wait to first call, median (s)"</th><th scope="col">"Connect rate"</th>
                <th scope="col" title="Callers of the service's number who hung up while waiting">"Abandoned calls"</th>
            </tr></thead>
            <tbody>{body}{figures_row("Total".to_string(), totals)}</tbody>
        </table>
    }
}

fn figures_row(label: String, f: &Figures) -> impl IntoView {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_else(|| "—".into());
    let failed: u32 = f.failed.values().sum();
    let failed_title = f
        .failed
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td>{f.requested}</td><td>{f.connected}</td><td>{f.cancelled}</td>
            <td title=failed_title>{failed}</td><td>{f.open}</td><td>{f.on_time}</td><td>{f.late}</td>
            <td>{opt(f.punctuality_s.median)}</td><td>{opt(f.wait_to_first_attempt_s.median)}</td>
            <td>{f.connect_rate.map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "—".into())}</td>
            <td>{f.abandoned}</td>
        </tr>
    }
}

/// Requested, connected and failed side by side per bucket, and the median punctuality; the
/// table holds the same figures.
fn chart(groups: &[m::Group], summary: &str) -> impl IntoView {
    let (width, height) = (640.0_f64, 160.0_f64);
    let slot = width / groups.len().max(1) as f64;
    let bar = (slot / 4.0).max(1.0);
    let top = groups.iter().map(|g| g.requested).max().unwrap_or(0).max(1);
    let scale = |n: u32| f64::from(n) / f64::from(top) * (height - 10.0);
    let bars: Vec<_> = groups
        .iter()
        .enumerate()
        .flat_map(|(i, g)| {
            g.bars().into_iter().enumerate().map(move |(k, (class, n))| {
                let h = scale(n);
                let x = i as f64 * slot + k as f64 * bar + bar / 2.0;
                view! { <rect class=class x=x y=height - h width=bar height=h><title>{format!("{}: {n} {class}", g.label)}</title></rect> }
            })
        })
        .collect();
    let late_top = groups
        .iter()
        .filter_map(|g| g.punctuality)
        .map(i64::abs)
        .max()
        .unwrap_or(0)
        .max(1);
    let late: Vec<_> = groups
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            let p = g.punctuality?;
            let h = (p.abs() as f64 / late_top as f64) * (height / 2.0 - 5.0);
            let y = if p >= 0 { height / 2.0 - h } else { height / 2.0 };
            let x = i as f64 * slot + slot / 4.0;
            Some(view! { <rect class="punctuality" x=x y=y width=slot / 2.0 height=h><title>{format!("{}: first call {p} s after the promised time (median)", g.label)}</title></rect> })
        })
        .collect();
    let punctual = groups.iter().filter_map(|g| g.punctuality).count();
    let legend: Vec<_> = [
        ("requested", "Requested"),
        ("connected", "Connected"),
        ("failed", "Failed"),
    ]
    .into_iter()
    .map(|(class, name)| view! { <span><span class=format!("key {class}")></span>" "{name}</span> })
    .collect();
    view! {
        <svg class="report-chart" role="img" aria-label=summary.to_string() viewBox=format!("0 0 {width} {height}") preserveAspectRatio="none">{bars}</svg>
        <p class="legend" aria-hidden="true">{legend}</p>
        <svg class="report-chart punctuality-chart" role="img" viewBox=format!("0 0 {width} {height}") preserveAspectRatio="none"
            aria-label=format!("Median punctuality of scheduled callbacks in {punctual} buckets: above the line late, below early (the table has the seconds)")>
            <line x1="0" x2=width y1=height / 2.0 y2=height / 2.0 class="axis"/>
            {late}
        </svg>
    }
}
