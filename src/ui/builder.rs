//! The request builder: From (a pod, by namespace; a node; outside the cluster), To (with the
//! names and addresses the client can reach suggested, the first fifty that hold what is
//! typed), Port, Tool, a count, and "Send request"; beside them the command line the request
//! stands for, as typed in the terminal. Each field's problem is written beside it. The choices
//! are kept in localStorage, and steady traffic sends the request built here. The form's rules
//! are in [`crate::request_form`].

use leptos::prelude::*;
use svclab_sim::action::Action;
use svclab_sim::shell::client_tools;

use crate::request_form::{
    build, decode, encode, fitting_tool, listed, parse_from, parse_tool, sources, split_host_port,
    suggestions, tool_name, Field, Form, Problem, COUNTS,
};
use crate::state::shared;
use crate::ui::words::words;

/// Where the builder's choices are kept between visits.
pub const STORAGE_KEY: &str = "svclab.request";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn initial_form(persist: bool) -> Form {
    persist
        .then(|| storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()))
        .flatten()
        .map(|text| decode(&text))
        .unwrap_or_default()
}

/// The message for `field`, if it has one.
fn message(
    problems: &Result<svclab_sim::trace::Request, Vec<Problem>>,
    field: Field,
) -> Option<String> {
    problems
        .as_ref()
        .err()?
        .iter()
        .find(|p| p.field == field)
        .map(|p| p.message.clone())
}

#[component]
pub fn RequestBuilder(persist: bool) -> impl IntoView {
    let sim = shared().sim;
    let form = RwSignal::new(initial_form(persist));
    let (status, set_status) = signal(String::new());

    if persist {
        // Sync with the outside world: keep every choice.
        Effect::new(move |_| {
            let text = form.with(encode);
            if let Some(s) = storage() {
                let _ = s.set_item(STORAGE_KEY, &text);
            }
        });
    }
    let built = Memo::new(move |_| form.with(|f| sim.read(|c| build(c, f))));
    // Steady traffic sends the latest request that was valid.
    Effect::new(move |_| {
        if let Ok(request) = built.get() {
            sim.set_request(request);
        }
    });

    // The From field's value on its own: the select's options are made again only when it or
    // the pods change, not as the learner types in To.
    let from = Memo::new(move |_| form.with(|f| f.from.clone()));
    let client = Memo::new(move |_| from.with(|f| parse_from(f)));
    let groups = Memo::new(move |_| sim.read(sources));
    let hints = Memo::new(move |_| match client.get() {
        Some(c) => sim.read(|cl| suggestions(cl, &c)),
        None => Vec::new(),
    });
    // The To field's list: the suggestions that hold what is typed, no more than fit.
    let shown = Memo::new(move |_| form.with(|f| hints.with(|h| listed(h, &f.to))));
    let tools = Memo::new(move |_| match client.get() {
        Some(c) => sim.read(|cl| client_tools(cl, &c)),
        None => Vec::new(),
    });
    let command = move || match built.get() {
        Ok(r) => r.command_line(),
        Err(_) => String::new(),
    };
    let problem = move |field| built.with(|b| message(b, field));

    let set_from = move |ev| {
        let value = event_target_value(&ev);
        let tools = parse_from(&value)
            .map(|c| sim.peek(|cl| client_tools(cl, &c)))
            .unwrap_or_default();
        form.update(|f| {
            f.tool = fitting_tool(&tools, f.tool);
            f.from = value;
        });
        set_status.set(String::new());
    };
    let set_to = move |ev| {
        let value = event_target_value(&ev);
        // A suggestion carries its port: `IP:nodePort` splits, a Service name brings its port.
        let (host, port) = split_host_port(value.trim());
        let (host, port) = (host.to_string(), port.map(str::to_string));
        let hinted = hints.with_untracked(|h| {
            h.iter()
                .find(|s| s.value == value.trim())
                .and_then(|s| s.port)
        });
        form.update(|f| match (port, hinted) {
            (Some(p), _) => {
                f.to = host;
                f.port = p;
            }
            (None, Some(p)) => {
                f.to = value;
                f.port = p.to_string();
            }
            (None, None) => f.to = value,
        });
    };
    let send = move |_| {
        let Ok(request) = built.get_untracked() else {
            return;
        };
        let count = form.with_untracked(|f| f.count);
        for _ in 0..count {
            // The request shows in the picture and the Requests panel; only a refusal needs words.
            match sim.act(Action::Send {
                request: request.clone(),
            }) {
                Some(Err(e)) => {
                    set_status.set(e.to_string());
                    return;
                }
                None => return,
                Some(Ok(_)) => {}
            }
        }
        set_status.set(String::new());
    };

    let error_text = move |field: Field, id: &'static str| {
        view! {
            <span class="field-error" id=id role="status">
                {move || problem(field)}
            </span>
        }
    };

    view! {
        <div class="group builder" role="group" aria-label="Request">
            <label class="inline field">
                <span>"From"</span>
                <select
                    aria-label="From"
                    aria-invalid=move || problem(Field::From).is_some().to_string()
                    aria-describedby="builder-from-error"
                    on:change=set_from
                >
                    {move || {
                        let current = from.get();
                        let mut offered = false;
                        let groups = groups
                            .get()
                            .into_iter()
                            .map(|g| {
                                let options = g
                                    .options
                                    .into_iter()
                                    .map(|(value, label)| {
                                        let selected = value == current;
                                        offered |= selected;
                                        view! {
                                            <option value=value selected=selected>
                                                {label}
                                            </option>
                                        }
                                    })
                                    .collect_view();
                                view! { <optgroup label=g.label>{options}</optgroup> }
                            })
                            .collect_view();
                        // A kept choice that is gone (a pod not created yet) stays shown, with
                        // its message, rather than silently becoming another client.
                        let missing = (!offered)
                            .then(|| {
                                let label = current
                                    .rsplit(['/', ':'])
                                    .next()
                                    .unwrap_or_default()
                                    .to_string();
                                view! {
                                    <option value=current.clone() selected=true>
                                        {label}
                                    </option>
                                }
                            });
                        view! { {missing} {groups} }
                    }}
                </select>
                {error_text(Field::From, "builder-from-error")}
            </label>
            <label class="inline field">
                <span>"To"</span>
                <input
                    type="text"
                    class="to"
                    aria-label="To"
                    list="builder-to-suggestions"
                    spellcheck="false"
                    autocomplete="off"
                    aria-invalid=move || problem(Field::To).is_some().to_string()
                    aria-describedby="builder-to-error"
                    prop:value=move || form.with(|f| f.to.clone())
                    on:change=set_to
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        // A suggestion picked from the list counts as chosen at once.
                        if hints.with_untracked(|h| h.iter().any(|s| s.value == value)) {
                            set_to(ev);
                        } else {
                            form.update(|f| f.to = value);
                        }
                    }
                />
                <datalist id="builder-to-suggestions">
                    {move || {
                        shown
                            .get()
                            .into_iter()
                            .map(|s| view! { <option value=s.value label=s.note></option> })
                            .collect_view()
                    }}
                </datalist>
                {error_text(Field::To, "builder-to-error")}
            </label>
            <label class="inline field">
                <span>"Port"</span>
                <input
                    type="text"
                    inputmode="numeric"
                    class="port"
                    aria-label="Port"
                    disabled=move || form.with(|f| f.tool == svclab_sim::trace::Tool::Nslookup)
                    aria-invalid=move || problem(Field::Port).is_some().to_string()
                    aria-describedby="builder-port-error"
                    prop:value=move || form.with(|f| f.port.clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        form.update(|f| f.port = value);
                    }
                />
                {error_text(Field::Port, "builder-port-error")}
            </label>
            <label class="inline field">
                <span>"Tool"</span>
                <select
                    aria-label="Tool"
                    aria-invalid=move || problem(Field::Tool).is_some().to_string()
                    aria-describedby="builder-tool-error"
                    on:change=move |ev| {
                        if let Some(t) = parse_tool(&event_target_value(&ev)) {
                            form.update(|f| f.tool = t);
                        }
                    }
                >
                    {move || {
                        let current = form.with(|f| f.tool);
                        let tools = tools.get();
                        crate::request_form::TOOLS
                            .into_iter()
                            .filter(|t| tools.contains(t) || *t == current)
                            .map(|t| {
                                view! {
                                    <option value=tool_name(t) selected=t == current>
                                        {tool_name(t)}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                {error_text(Field::Tool, "builder-tool-error")}
            </label>
            <select
                aria-label="Count"
                title="How many requests one press sends"
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<u32>() {
                        form.update(|f| f.count = n);
                    }
                }
            >
                {COUNTS
                    .into_iter()
                    .map(|n| {
                        view! {
                            <option value=n.to_string() selected=move || form.with(|f| f.count == n)>
                                {format!("× {n}")}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button
                class="primary"
                on:click=send
                disabled=move || built.with(Result::is_err)
                title=command
            >
                "Send request"
            </button>
            // One span a word, kept whole when the line wraps.
            <output class="command-line" aria-label="Command line" title=command>
                {move || words(&command())}
            </output>
            <span class="builder-status" role="status">
                {status}
            </span>
        </div>
    }
}
