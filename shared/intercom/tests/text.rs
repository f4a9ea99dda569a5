#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! HTML-to-text table: what the detector will see for Intercom's bodies.

use dlp_intercom::text::{BodyFormat, body_to_text, html_to_text, looks_like_html};

#[test]
fn html_to_text_table() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "paragraph",
            "<p>this is the message body</p>",
            "this is the message body",
        ),
        (
            "entities",
            "<p>Hi, it&#39;s Pat &amp; co &lt;3 &quot;q&quot; &#x41;&eacute;</p>",
            "Hi, it's Pat & co <3 \"q\" Aé",
        ),
        (
            "nbsp inside a card number",
            "<p>card 4539&nbsp;1488&nbsp;0343&nbsp;6467 ok</p>",
            "card 4539 1488 0343 6467 ok",
        ),
        ("two paragraphs", "<p>one</p><p>two</p>", "one\ntwo"),
        (
            "br and blank line",
            "<p class=\"no-margin\">Reusable Workflow #2:<br><br><b>First message</b></p>",
            "Reusable Workflow #2:\n\nFirst message",
        ),
        ("br variants", "a<br/>b<BR>c", "a\nb\nc"),
        (
            "inline tags do not split words",
            "<p>SSN <b>472</b>-<i>38</i>-9016</p>",
            "SSN 472-38-9016",
        ),
        (
            "whitespace between tags collapses",
            "<h2>An Unordered HTML List</h2>\n<ul>\n<li>Coffee</li>\n<li>Tea</li>\n</ul>",
            "An Unordered HTML List\n- Coffee\n- Tea",
        ),
        (
            "ordered list",
            "<ol><li>Coffee</li><li>Tea</li><li>Milk</li></ol>",
            "1. Coffee\n2. Tea\n3. Milk",
        ),
        (
            "nested lists",
            "<ul><li>Coffee<ul><li>Arabica</li><li>Robusta<ol><li>dark</li></ol></li></ul></li><li>Tea</li></ul>",
            "- Coffee\n  - Arabica\n  - Robusta\n    1. dark\n- Tea",
        ),
        (
            "mailto link with the address as text",
            "<p>Mail <a href=\"mailto:pat@example.org\">pat@example.org</a></p>",
            "Mail pat@example.org",
        ),
        (
            "mailto link with other text keeps the address",
            "<p><a href=\"mailto:pat@example.org\">email me</a> please</p>",
            "email me (mailto:pat@example.org) please",
        ),
        (
            "token in an href is kept",
            "<p>Reset <a href=\"https://example.com/reset?token=ghp_abcDEF123&amp;u=7\">here</a>.</p>",
            "Reset here (https://example.com/reset?token=ghp_abcDEF123&u=7).",
        ),
        (
            "link whose text is the url",
            "<a href=\"https://example.com/\">https://example.com</a>",
            "https://example.com",
        ),
        (
            "empty link text shows the target",
            "<p>see <a href=\"https://example.com/x\"></a></p>",
            "see https://example.com/x",
        ),
        (
            "non-HTML tag typed by a person is kept",
            "<p>From: Pat Doe <pat@example.org></p>",
            "From: Pat Doe <pat@example.org>",
        ),
        ("lone angle bracket", "<p>a < b</p>", "a < b"),
        (
            "comments and doctype dropped",
            "<!DOCTYPE html><!-- secret? --><p>x</p>",
            "x",
        ),
        (
            "whole html document (note request example)",
            "<html> <body>  <h2>An Unordered HTML List</h2>  <ul>   <li>Coffee</li>   <li>Tea</li>   <li>Milk</li> </ul>    <h2>An Ordered HTML List</h2>  <ol>   <li>Coffee</li>   <li>Tea</li>   <li>Milk</li> </ol>   </body> </html>",
            "An Unordered HTML List\n- Coffee\n- Tea\n- Milk\nAn Ordered HTML List\n1. Coffee\n2. Tea\n3. Milk",
        ),
        (
            "table cells",
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
            "a\tb\nc",
        ),
        ("pre keeps spacing", "<pre>a  b\n c</pre>", "a  b\n c"),
        (
            "image alt",
            "<p>x <img src=\"https://cdn/x.png\" alt=\"scan of id\"> y</p>",
            "x scan of id y",
        ),
        ("empty", "", ""),
    ];
    for (name, html, expected) in cases {
        assert_eq!(html_to_text(html), *expected, "case: {name}");
    }
}

#[test]
fn auto_detection_table() {
    let cases: &[(&str, bool)] = &[
        ("<p>hello</p>", true),
        ("it&#39;s", true),
        ("Tom &amp; Jerry", true),
        ("plain text", false),
        ("I <3 you", false),
        ("Pat <pat@example.org>", false),
        ("if a <b then", false),
        ("Tom & Jerry; fine", false),
        ("line<br>break", true),
    ];
    for (body, html) in cases {
        assert_eq!(looks_like_html(body), *html, "{body}");
    }
}

#[test]
fn plain_text_is_kept_as_sent() {
    let plain = "Hi, it's Pat <pat@example.org>\n\ncard 4539\u{a0}1488 & more <3";
    assert_eq!(
        body_to_text(plain, BodyFormat::Plain),
        "Hi, it's Pat <pat@example.org>\n\ncard 4539 1488 & more <3"
    );
    assert_eq!(
        body_to_text(plain, BodyFormat::Auto),
        body_to_text(plain, BodyFormat::Plain)
    );
    assert_eq!(body_to_text("<p>a &amp; b</p>", BodyFormat::Auto), "a & b");
}
