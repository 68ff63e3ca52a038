//! A router that remembers its routes, so that tests can walk every one of
//! them (the authorisation matrix fails on a route it has no rule for).

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::services::App;

/// One method on one path, as routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub path: String,
}

/// Routes being built, with their list.
#[derive(Debug)]
pub struct Routes {
    router: Router<App>,
    list: Vec<Route>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    fn add(mut self, method: Method, path: &str, route: MethodRouter<App>) -> Routes {
        self.router = self.router.route(path, route);
        self.list.push(Route {
            method,
            path: path.to_owned(),
        });
        self
    }

    pub fn get<H: Handler<T, App>, T: 'static>(self, path: &str, handler: H) -> Routes {
        self.add(Method::GET, path, get(handler))
    }

    pub fn post<H: Handler<T, App>, T: 'static>(self, path: &str, handler: H) -> Routes {
        self.add(Method::POST, path, post(handler))
    }

    pub fn put<H: Handler<T, App>, T: 'static>(self, path: &str, handler: H) -> Routes {
        self.add(Method::PUT, path, put(handler))
    }

    pub fn delete<H: Handler<T, App>, T: 'static>(self, path: &str, handler: H) -> Routes {
        self.add(Method::DELETE, path, delete(handler))
    }

    /// Routes of `other` under `prefix`.
    pub fn nest(mut self, prefix: &str, other: Routes) -> Routes {
        self.router = self.router.nest(prefix, other.router);
        self.list.extend(other.list.into_iter().map(|r| Route {
            method: r.method,
            path: format!("{prefix}{}", r.path),
        }));
        self
    }

    /// A router built elsewhere, with the routes it serves.
    pub fn merge(mut self, router: Router<App>, routes: &[(Method, &str)]) -> Routes {
        self.router = self.router.merge(router);
        self.list.extend(routes.iter().map(|(method, path)| Route {
            method: method.clone(),
            path: (*path).to_owned(),
        }));
        self
    }

    /// Answers every other path with `handler`.
    pub fn fallback<H: Handler<T, App>, T: 'static>(mut self, handler: H) -> Routes {
        self.router = self.router.fallback(handler);
        self
    }

    pub fn into_parts(self) -> (Router<App>, Vec<Route>) {
        (self.router, self.list)
    }
}

impl Default for Routes {
    fn default() -> Self {
        Routes::new()
    }
}
