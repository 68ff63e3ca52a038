//! Query strings and form bodies read as ordered name/value pairs, so that
//! repeated names (one per ticked checkbox) all survive; and pagination
//! links that keep the rest of the query.

/// Pages beyond this are read as this one, so offsets stay small.
const MAX_PAGE: usize = 100_000;

/// The pairs of a query string or an `application/x-www-form-urlencoded` body.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The version of the record (`what`: "case") the form was shown with.
    pub fn version(&self, what: &str) -> Result<i64, crate::web::error::PageError> {
        self.text("version").parse().map_err(|_| {
            crate::web::error::PageError(crate::services::ServiceError::BadRequest(format!(
                "the form did not say which version of the {what} you saw"
            )))
        })
    }

    pub fn parse(raw: &[u8]) -> Params {
        Params(form_urlencoded::parse(raw).into_owned().collect())
    }

    pub fn from_query(raw: Option<&str>) -> Params {
        Params::parse(raw.unwrap_or_default().as_bytes())
    }

    /// Every name and value, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The first value of `name`, trimmed ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every non-blank value of `name`, trimmed, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// The values of `name` that `parse` accepts; others (a hand-edited URL) are dropped.
    pub fn parsed<T>(&self, name: &str, parse: impl Fn(&str) -> Option<T>) -> Vec<T> {
        self.all(name).iter().filter_map(|v| parse(v)).collect()
    }

    /// The 1-based page asked for (nonsense is the first page).
    pub fn page(&self) -> usize {
        self.text("page").parse().unwrap_or(1).clamp(1, MAX_PAGE)
    }

    /// `path` with these parameters but another page (none for the first).
    fn with_page(&self, path: &str, page: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.0 {
            if name != "page" && !value.trim().is_empty() {
                query.append_pair(name, value);
            }
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

/// Where a page of results sits among all of them.
#[derive(Debug, Clone)]
pub struct Pagination {
    pub page: usize,
    pub pages: usize,
    pub total: u64,
    /// 1-based positions of the first and last result shown.
    pub first: u64,
    pub last: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pagination {
    pub fn new(
        params: &Params,
        path: &str,
        per_page: usize,
        shown: usize,
        total: u64,
    ) -> Pagination {
        let page = params.page();
        let pages = usize::try_from(total.div_ceil(per_page as u64)).unwrap_or(usize::MAX);
        let first = ((page - 1) * per_page) as u64 + 1;
        Pagination {
            page,
            pages,
            total,
            first,
            last: first + shown as u64 - 1,
            previous: (page > 1).then(|| params.with_page(path, (page - 1).min(pages.max(1)))),
            next: (page < pages).then(|| params.with_page(path, page + 1)),
        }
    }

    /// Results to skip for this page.
    pub fn offset(params: &Params, per_page: usize) -> usize {
        (params.page() - 1).saturating_mul(per_page)
    }

    /// Whether there is more than one page to move between.
    pub fn is_needed(&self) -> bool {
        self.previous.is_some() || self.next.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_keep_every_value() {
        let p = Params::parse(b"country=JO&country=SA&q=+diabetes+&country=");
        assert_eq!(p.all("country"), ["JO", "SA"]);
        assert_eq!(p.text("q"), "diabetes");
        assert_eq!(p.text("missing"), "");
    }

    #[test]
    fn page_links_keep_the_query_and_drop_blank_values() {
        let p = Params::from_query(Some("q=eye+care&status=published&page=2&source="));
        let pages = Pagination::new(&p, "/opportunities", 20, 20, 45);
        assert_eq!(pages.pages, 3);
        assert_eq!((pages.first, pages.last), (21, 40));
        assert_eq!(
            pages.previous.as_deref(),
            Some("/opportunities?q=eye+care&status=published")
        );
        assert_eq!(
            pages.next.as_deref(),
            Some("/opportunities?q=eye+care&status=published&page=3")
        );
    }

    #[test]
    fn nonsense_pages_are_the_first() {
        assert_eq!(Params::from_query(Some("page=0")).page(), 1);
        assert_eq!(Params::from_query(Some("page=x")).page(), 1);
        assert_eq!(Params::from_query(None).page(), 1);
        let far = Params::from_query(Some("page=99999999999999999999"));
        assert_eq!(far.page(), 1);
        let far = Params::from_query(Some("page=9999999999999"));
        assert_eq!(Pagination::offset(&far, 25), (MAX_PAGE - 1) * 25);
    }
}
