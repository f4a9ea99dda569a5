//! Scannable text from a message body: Intercom's HTML (API < 2.15) or plain text (≥ 2.15).
//!
//! Owns the HTML-to-text rules: entities decoded (by html5gum's WHATWG tokenizer, not by
//! hand), block elements and `<br>` become line breaks, list items get markers, link targets
//! are kept (an `href` may hold an email or a token), other tags dropped. Its goal is that no
//! character a person typed is lost: a "tag" that is not an HTML element (as in
//! `John <john@example.org>`) is kept as text. It must never log or return anything but the
//! text itself.

use html5gum::{HtmlString, Token, Tokenizer};

/// How to read a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyFormat {
    /// Intercom HTML (API versions before 2.15).
    Html,
    /// Plain text (API 2.15 and later, or `display_as=plaintext`).
    Plain,
    /// Decide per body with [`looks_like_html`]. The default, because the version a workspace
    /// sends webhooks with is set in Intercom's UI and may change without us knowing.
    #[default]
    Auto,
}

/// The text of `body` read as `format`.
pub fn body_to_text(body: &str, format: BodyFormat) -> String {
    let html = match format {
        BodyFormat::Html => true,
        BodyFormat::Plain => false,
        BodyFormat::Auto => looks_like_html(body),
    };
    if html {
        html_to_text(body)
    } else {
        plain_to_text(body)
    }
}

/// Plain text as is, except non-breaking spaces, which become ordinary spaces so that a
/// number written with them reads the same as after HTML decoding.
fn plain_to_text(body: &str) -> String {
    body.replace('\u{a0}', " ")
}

/// Whether `body` is HTML: it contains a closing tag of an HTML element (`</p>`), a void
/// element (`<br>`, `<img …>`, `<hr>`), or a character reference such as `&amp;` or `&#39;`.
/// Plain text that merely contains `<` (`a <b then`, `<3`, `<pat@example.org>`) is not:
/// reading it as HTML would swallow what follows the `<`.
pub fn looks_like_html(body: &str) -> bool {
    let bytes = body.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => {
                let rest = &body[i + 1..];
                let (closing, rest) = match rest.strip_prefix('/') {
                    Some(r) => (true, r),
                    None => (false, rest),
                };
                let name_len = rest
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .count();
                let name = &rest[..name_len];
                let after = rest.as_bytes().get(name_len).copied();
                if name_len == 0 || !is_known_element(name) {
                    continue;
                }
                let void = matches!(
                    name.to_ascii_lowercase().as_str(),
                    "br" | "hr" | "img" | "wbr"
                );
                if closing && after == Some(b'>') {
                    return true;
                }
                if !closing && void && matches!(after, Some(b'>' | b' ' | b'/')) {
                    return true;
                }
            }
            b'&' => {
                let rest = &body[i + 1..];
                let ref_len = rest
                    .bytes()
                    .take(32)
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'#')
                    .count();
                if ref_len > 0 && rest.as_bytes().get(ref_len) == Some(&b';') {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Convert Intercom HTML to text.
pub fn html_to_text(html: &str) -> String {
    let mut w = TextWriter::default();
    for token in Tokenizer::new(html) {
        // The string reader cannot fail (`Infallible`).
        let Ok(token) = token;
        match token {
            Token::StartTag(tag) => {
                let name = lossy(&tag.name);
                if !is_known_element(&name) {
                    // Not HTML: a person typed it. Keep it as text.
                    let mut raw = format!("<{name}");
                    for (k, v) in &tag.attributes {
                        raw.push(' ');
                        raw.push_str(&lossy(k));
                        if !v.value.is_empty() {
                            raw.push_str("=\"");
                            raw.push_str(&lossy(&v.value));
                            raw.push('"');
                        }
                    }
                    raw.push('>');
                    w.text(&raw);
                    continue;
                }
                let attr = |n: &str| {
                    tag.attributes
                        .get(n.as_bytes())
                        .map(|v| lossy(&v.value).into_owned())
                };
                w.start(&name, attr("href"), attr("alt"));
            }
            Token::EndTag(tag) => {
                let name = lossy(&tag.name);
                if is_known_element(&name) {
                    w.end(&name);
                } else {
                    w.text(&format!("</{name}>"));
                }
            }
            Token::String(s) => w.text(&lossy(&s.value)),
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    w.finish()
}

fn lossy(s: &HtmlString) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(s.as_slice())
}

enum ListKind {
    Unordered,
    Ordered(u32),
}

#[derive(Default)]
struct TextWriter {
    out: String,
    pending_space: bool,
    lists: Vec<ListKind>,
    /// Open links: target and where the link text starts in `out`.
    links: Vec<(Option<String>, usize)>,
    pre_depth: usize,
}

impl TextWriter {
    fn text(&mut self, s: &str) {
        for c in s.chars() {
            let c = if c == '\u{a0}' { ' ' } else { c };
            if self.pre_depth > 0 {
                self.out.push(c);
                continue;
            }
            if c.is_whitespace() {
                self.pending_space = true;
                continue;
            }
            if self.pending_space
                && !self.out.is_empty()
                && !self.out.ends_with(char::is_whitespace)
            {
                self.out.push(' ');
            }
            self.pending_space = false;
            self.out.push(c);
        }
    }

    fn trim_trailing_blanks(&mut self) {
        while self.out.ends_with([' ', '\t']) {
            self.out.pop();
        }
    }

    /// Start a new line unless already at the start of one.
    fn line(&mut self) {
        self.trim_trailing_blanks();
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.pending_space = false;
    }

    /// A hard line break (`<br>`): always a new line, so blank lines a person typed survive.
    fn hard_break(&mut self) {
        self.trim_trailing_blanks();
        self.out.push('\n');
        self.pending_space = false;
    }

    fn start(&mut self, name: &str, href: Option<String>, alt: Option<String>) {
        match name {
            "br" => self.hard_break(),
            "pre" => {
                self.line();
                self.pre_depth += 1;
            }
            "ul" | "menu" | "dir" => {
                self.line();
                self.lists.push(ListKind::Unordered);
            }
            "ol" => {
                self.line();
                self.lists.push(ListKind::Ordered(1));
            }
            "li" => {
                self.line();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(ListKind::Ordered(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "- ".to_owned(),
                };
                self.out.push_str(&"  ".repeat(depth));
                self.out.push_str(&marker);
            }
            "td" | "th" => {
                if !self.out.is_empty() && !self.out.ends_with('\n') {
                    self.trim_trailing_blanks();
                    self.out.push('\t');
                }
                self.pending_space = false;
            }
            "a" => {
                // Link text starts after any pending space.
                if self.pending_space
                    && !self.out.is_empty()
                    && !self.out.ends_with(char::is_whitespace)
                {
                    self.out.push(' ');
                }
                self.pending_space = false;
                self.links.push((href, self.out.len()));
            }
            "img" => {
                if let Some(alt) = alt.filter(|a| !a.trim().is_empty()) {
                    self.text(" ");
                    self.text(&alt);
                    self.text(" ");
                }
            }
            _ if is_block(name) => self.line(),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "pre" => {
                self.pre_depth = self.pre_depth.saturating_sub(1);
                self.line();
            }
            "ul" | "ol" | "menu" | "dir" => {
                self.lists.pop();
                self.line();
            }
            "a" => {
                if let Some((Some(href), start)) = self.links.pop() {
                    self.append_link_target(&href, start);
                }
            }
            "td" | "th" => {}
            _ if is_block(name) => self.line(),
            _ => {}
        }
    }

    /// Append ` (target)` after the link text unless the text already says the same.
    fn append_link_target(&mut self, href: &str, start: usize) {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return;
        }
        let shown = self.out.get(start..).unwrap_or("").trim();
        let bare = strip_scheme(href);
        let same = shown.eq_ignore_ascii_case(href)
            || shown.eq_ignore_ascii_case(bare)
            || shown
                .trim_end_matches('/')
                .eq_ignore_ascii_case(href.trim_end_matches('/'));
        if same {
            return;
        }
        if shown.is_empty() {
            self.text(href);
        } else {
            self.text(" (");
            self.pending_space = false;
            self.out.push_str(href);
            self.out.push(')');
        }
    }

    fn finish(mut self) -> String {
        self.trim_trailing_blanks();
        let mut result = String::with_capacity(self.out.len());
        let mut newlines = 0;
        for line in self.out.split('\n') {
            let line = line.trim_end();
            if line.is_empty() {
                newlines += 1;
                continue;
            }
            if !result.is_empty() {
                // At most one blank line in a row.
                result.push_str(if newlines > 1 { "\n\n" } else { "\n" });
            }
            newlines = 1;
            result.push_str(line);
        }
        result
    }
}

fn strip_scheme(href: &str) -> &str {
    for scheme in ["mailto:", "tel:", "https://", "http://"] {
        if href.len() >= scheme.len() && href[..scheme.len()].eq_ignore_ascii_case(scheme) {
            return &href[scheme.len()..];
        }
    }
    href
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "nav"
            | "p"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "tfoot"
            | "thead"
            | "title"
            | "tr"
    )
}

/// HTML element names (WHATWG, plus a few obsolete ones mail clients still send).
fn is_known_element(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    is_block(&lower)
        || matches!(
            lower.as_str(),
            "a" | "abbr"
                | "area"
                | "audio"
                | "b"
                | "base"
                | "bdi"
                | "bdo"
                | "big"
                | "br"
                | "button"
                | "canvas"
                | "cite"
                | "code"
                | "col"
                | "colgroup"
                | "data"
                | "datalist"
                | "del"
                | "dfn"
                | "dir"
                | "em"
                | "embed"
                | "font"
                | "head"
                | "i"
                | "iframe"
                | "img"
                | "input"
                | "ins"
                | "kbd"
                | "label"
                | "link"
                | "map"
                | "mark"
                | "menu"
                | "meta"
                | "meter"
                | "noscript"
                | "object"
                | "ol"
                | "optgroup"
                | "option"
                | "output"
                | "param"
                | "picture"
                | "pre"
                | "progress"
                | "q"
                | "rp"
                | "rt"
                | "ruby"
                | "s"
                | "samp"
                | "script"
                | "select"
                | "slot"
                | "small"
                | "source"
                | "span"
                | "strike"
                | "strong"
                | "style"
                | "sub"
                | "sup"
                | "svg"
                | "td"
                | "template"
                | "textarea"
                | "th"
                | "time"
                | "track"
                | "tt"
                | "u"
                | "ul"
                | "var"
                | "video"
                | "wbr"
        )
}
