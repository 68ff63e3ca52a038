//! `/screening`: a name screened against a list, each result with its
//! score, whether it is a match and every part of the score with its
//! reason; the lists with their versions; and for the agency, the import of
//! a new version of a list.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::access::Capability;
use hcx_domain::screening::entity::Schema;
use hcx_store::ScreeningList;

use super::layout::{Layout, Section};
use super::params::Params;
use super::views::timestamp;
use crate::services::screening::{ScreenOptions, ScreeningResult, name_query};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::{PageError, describe};

/// Results shown for a name.
const RESULTS: usize = 10;

/// What the screening form holds.
#[derive(Debug, Default)]
struct ScreenForm {
    name: String,
    schema: String,
    birth_date: String,
    country: String,
    list: String,
}

/// What the import form holds, kept when an import is refused.
#[derive(Debug, Default)]
struct ImportForm {
    name: String,
    label: String,
    entities: String,
}

/// A name screened, and what was found.
#[derive(Debug)]
struct Searched {
    list: ScreeningList,
    results: Vec<ScreeningResult>,
}

/// A list as the table shows it.
#[derive(Debug)]
struct ListRow {
    list: ScreeningList,
    imported_at: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "screening.html")]
pub struct ScreeningPage {
    layout: Layout,
    lists: Vec<ListRow>,
    form: ScreenForm,
    searched: Option<Searched>,
    /// Whether the viewer may import lists.
    can_import: bool,
    import: ImportForm,
    /// The list just imported, to say so.
    imported: Option<String>,
    /// Why the name could not be screened, or the list not imported.
    problems: Vec<String>,
}

impl ScreeningPage {
    fn schemas(&self) -> [&'static str; 6] {
        Schema::ALL.map(Schema::as_str)
    }

    fn feature_label(name: &str) -> &'static str {
        match name {
            "name" => "Name",
            "birth_date" => "Birth date",
            "country" => "Country",
            "identifier" => "Identifier",
            _ => "Other",
        }
    }

    async fn load(
        app: &App,
        caller: &Caller,
        form: ScreenForm,
        import: ImportForm,
        problems: Vec<String>,
    ) -> Result<ScreeningPage, PageError> {
        let lists = app.screening_lists(caller).await?;
        Ok(ScreeningPage {
            layout: Layout::new("Screening", Section::Screening),
            lists: lists
                .into_iter()
                .map(|list| ListRow {
                    imported_at: timestamp(list.imported_at),
                    list,
                })
                .collect(),
            form,
            searched: None,
            can_import: caller.check_capability(Capability::Lists).is_ok(),
            import,
            imported: None,
            problems,
        })
    }
}

/// Every problem of a refusal, in words.
fn problems_of(e: &ServiceError) -> Vec<String> {
    let (_, body) = describe(e);
    if body.details.is_empty() {
        return vec![body.message];
    }
    body.details
        .iter()
        .map(|d| match &d.location {
            Some(at) => format!("{at}: {}: {}", d.field, d.reason),
            None => format!("{}: {}", d.field, d.reason),
        })
        .collect()
}

pub async fn get_screening(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = Params::from_query(raw.as_deref());
    let form = ScreenForm {
        name: params.text("name").to_owned(),
        schema: params.text("schema").to_owned(),
        birth_date: params.text("birth_date").to_owned(),
        country: params.text("country").to_owned(),
        list: params.text("list").to_owned(),
    };
    let mut page = ScreeningPage::load(&app, &caller, form, ImportForm::default(), vec![]).await?;
    page.imported = Some(params.text("imported").to_owned()).filter(|l| !l.is_empty());
    if page.form.name.is_empty() {
        return Ok(page.into_response());
    }
    let list = match page.form.list.as_str() {
        "" => page.lists.first().map(|l| l.list.name.clone()),
        chosen => Some(chosen.to_owned()),
    };
    let Some(list) = list else {
        page.problems = vec!["There is no list to screen against yet.".into()];
        return Ok((StatusCode::CONFLICT, page).into_response());
    };
    let f = &page.form;
    let query = name_query(
        &f.name,
        Some(f.schema.as_str()),
        Some(f.birth_date.as_str()),
        Some(f.country.as_str()),
    );
    let screened = match query {
        Ok(query) => {
            let options = ScreenOptions {
                limit: RESULTS,
                ..ScreenOptions::default()
            };
            app.screen(&caller, &list, vec![query], options).await
        }
        Err(invalid) => Err(ServiceError::Invalid(invalid)),
    };
    match screened {
        Ok((list, mut results)) => {
            page.searched = Some(Searched {
                list,
                results: results.pop().unwrap_or_default(),
            });
            Ok(page.into_response())
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::NotFound { .. })) => {
            let (status, _) = describe(&e);
            page.problems = problems_of(&e);
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Imports pasted FollowTheMoney JSON Lines as the new version of a list
/// (the agency); a refused file is shown again with every problem.
pub async fn import_list(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let import = ImportForm {
        name: params.text("name").to_owned(),
        label: params.text("label").to_owned(),
        entities: params.text("entities").to_owned(),
    };
    let label = match import.label.as_str() {
        "" => "pasted on the screening page",
        label => label,
    };
    match app
        .import_list(&caller, &import.name, label, &import.entities)
        .await
    {
        Ok(list) => Ok(Redirect::to(&format!("/screening?imported={}", list.name)).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Refused(_))) => {
            let problems = problems_of(&e);
            let page =
                ScreeningPage::load(&app, &caller, ScreenForm::default(), import, problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
