//! Recognising request handlers: route decorators (FastAPI, Starlette,
//! Flask, Quart, Sanic, aiohttp, Litestar, Django Ninja), route
//! registrations by reference, and Django views.

/// Web frameworks, by the top-level package that identifies them.
const FRAMEWORKS: &[(&str, &str)] = &[
    ("fastapi", "fastapi"),
    ("starlette", "starlette"),
    ("flask", "flask"),
    ("quart", "quart"),
    ("sanic", "sanic"),
    ("aiohttp", "aiohttp"),
    ("litestar", "litestar"),
    ("ninja", "ninja"),
    ("django", "django"),
    ("rest_framework", "django"),
    ("adrf", "django"),
];

/// Decorator method names that register a route.
const ROUTE_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "route",
    "websocket",
    "api_route",
    "view",
];

/// Words in a decorator's object name that say it is an app or a router.
const ROUTER_WORDS: &[&str] = &["app", "router", "api", "bp", "blueprint", "routes"];

/// Decorators that make a function a Django REST framework view.
const FUNCTION_VIEW_DECORATORS: &[&str] = &[
    "rest_framework.decorators.api_view",
    "adrf.decorators.api_view",
];

/// Django Channels consumer methods that handle an event.
const CONSUMER_METHODS: &[&str] = &[
    "connect",
    "disconnect",
    "receive",
    "receive_json",
    "websocket_connect",
    "websocket_receive",
    "websocket_disconnect",
    "http_request",
    "handle",
];

/// Class-based view methods that handle a request.
const VIEW_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "dispatch",
    "list",
    "create",
    "retrieve",
    "update",
    "partial_update",
    "destroy",
];

/// The framework a dotted name belongs to, from its top-level package.
pub(super) fn framework_of(dotted: &str) -> Option<&'static str> {
    let top = dotted.split('.').next()?;
    FRAMEWORKS
        .iter()
        .find(|(package, _)| *package == top)
        .map(|(_, name)| *name)
}

/// The framework of a route decorator, given as written (`app.get`) and
/// resolved (`fastapi.FastAPI().get`). `imported` is the first web framework
/// the file imports; the last resort is FastAPI for async handlers and Flask
/// for sync ones.
pub(super) fn route_decorator(
    written: &str,
    resolved: Option<&str>,
    imported: Option<&'static str>,
    is_async: bool,
) -> Option<&'static str> {
    if resolved.is_some_and(|r| FUNCTION_VIEW_DECORATORS.contains(&r)) {
        return Some("django");
    }
    let (object, method) = match written.rsplit_once('.') {
        Some(split) => split,
        None => {
            // Litestar's bare `@get("/")`.
            let resolved = resolved?;
            return (resolved.starts_with("litestar.") && ROUTE_METHODS.contains(&written))
                .then_some("litestar");
        }
    };
    if !ROUTE_METHODS.contains(&method) {
        return None;
    }
    if let Some(framework) = resolved.and_then(framework_of) {
        return (framework != "django").then_some(framework);
    }
    let object = object
        .rsplit('.')
        .next()
        .unwrap_or(object)
        .to_ascii_lowercase();
    if !ROUTER_WORDS.iter().any(|word| object.contains(word)) {
        return None;
    }
    Some(imported.unwrap_or(if is_async { "fastapi" } else { "flask" }))
}

/// The framework of a class-based view (or Channels consumer) method named
/// `method` in a class with these resolved bases.
pub(super) fn view_method(method: &str, bases: &[String]) -> Option<&'static str> {
    let last = |base: &str| base.rsplit('.').next().unwrap_or(base).to_string();
    if VIEW_METHODS.contains(&method) {
        let view = bases.iter().find(|base| {
            let last = last(base);
            last.ends_with("View") || last.ends_with("ViewSet")
        });
        if let Some(view) = view {
            return Some(framework_of(view).unwrap_or("django"));
        }
    }
    let consumer = CONSUMER_METHODS.contains(&method)
        && bases.iter().any(|base| last(base).ends_with("Consumer"));
    consumer.then_some("channels")
}

/// Whether a file holds Django views by its path: `views.py` or a module in
/// a `views/` package.
pub(super) fn is_views_file(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or("");
    file == "views.py" || parts.next() == Some("views")
}

/// The framework of a route registered by reference
/// (`app.router.add_get("/", handler)`), from the registering call.
pub(super) fn registration(name: &str, resolved: &str) -> Option<&'static str> {
    match name {
        "add_get" | "add_post" | "add_put" | "add_patch" | "add_delete" | "add_route"
        | "add_view" => Some(framework_of(resolved).unwrap_or("aiohttp")),
        "add_url_rule" => Some(framework_of(resolved).unwrap_or("flask")),
        "add_api_route" | "add_api_websocket_route" => {
            Some(framework_of(resolved).unwrap_or("fastapi"))
        }
        _ => match resolved {
            "aiohttp.web.get" | "aiohttp.web.post" | "aiohttp.web.put" | "aiohttp.web.patch"
            | "aiohttp.web.delete" | "aiohttp.web.route" | "aiohttp.web.view" => Some("aiohttp"),
            "starlette.routing.Route" | "starlette.routing.WebSocketRoute" => Some("starlette"),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_decorators_need_a_router_object() {
        assert_eq!(
            route_decorator("app.get", Some("fastapi.FastAPI().get"), None, true),
            Some("fastapi")
        );
        assert_eq!(
            route_decorator(
                "router.post",
                Some("shop.api.router.post"),
                Some("fastapi"),
                true
            ),
            Some("fastapi")
        );
        assert_eq!(
            route_decorator("bp.route", None, None, false),
            Some("flask")
        );
        assert_eq!(
            route_decorator("routes.get", None, Some("aiohttp"), true),
            Some("aiohttp")
        );
        assert_eq!(route_decorator("cache.get", None, None, true), None);
        assert_eq!(
            route_decorator("mock.patch", Some("unittest.mock.patch"), None, true),
            None
        );
        assert_eq!(route_decorator("app.task", None, None, true), None);
        assert_eq!(
            route_decorator("get", Some("litestar.get"), None, true),
            Some("litestar")
        );
        assert_eq!(route_decorator("property", None, None, false), None);
        assert_eq!(
            route_decorator(
                "api_view",
                Some("rest_framework.decorators.api_view"),
                None,
                false
            ),
            Some("django")
        );
    }

    #[test]
    fn class_based_views() {
        let bases = vec!["rest_framework.views.APIView".to_string()];
        assert_eq!(view_method("get", &bases), Some("django"));
        assert_eq!(view_method("helper", &bases), None);
        let bases = vec!["aiohttp.web.View".to_string()];
        assert_eq!(view_method("post", &bases), Some("aiohttp"));
        assert_eq!(view_method("get", &["object".to_string()]), None);
        let bases = vec!["channels.generic.websocket.AsyncJsonWebsocketConsumer".to_string()];
        assert_eq!(view_method("receive_json", &bases), Some("channels"));
        assert_eq!(view_method("current_status", &bases), None);
    }

    #[test]
    fn views_files() {
        assert!(is_views_file("shop/views.py"));
        assert!(is_views_file("views.py"));
        assert!(is_views_file("shop/views/orders.py"));
        assert!(!is_views_file("shop/reviews.py"));
        assert!(!is_views_file("shop/api.py"));
    }
}
